"""The letter delivery trigger: a new PDF in the `letters` container (an Event Grid blob event
in Azure) is verified and sent by the guardian's preference (services/letters/delivery.py).
Errors propagate so the host retries; the PDF is read again through the hash-checking store."""

from __future__ import annotations

import azure.functions as func

import bootstrap
from domain.platform.paths import LETTERS

bp = func.Blueprint()


@bp.blob_trigger(arg_name="blob", path=LETTERS + "/{name}", connection="AzureWebJobsStorage",
                 source=func.BlobSource.EVENT_GRID)
def deliver_letter(blob: func.InputStream) -> None:
    name = blob.name or ""
    # the host names the blob with its container first
    path = name.removeprefix(LETTERS + "/")
    bootstrap.composition().letters.delivery.deliver(path)
