"""A local SMTP server for `make run`: every message the app sends is written to a folder as an
`.eml` file (open it in any mail client), so the demo's letters can be read without a real
mail service. Plain SMTP on loopback, no authentication: development only."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from devhost.azurite import free_port


class FolderMailbox:
    """aiosmtpd handler: one file per message, named by the hash of its bytes, so a message
    delivered twice would show as one file (and the delivery's own idempotency is visible)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        content: bytes = envelope.content
        name = hashlib.sha256(content).hexdigest()[:16] + ".eml"
        (self.folder / name).write_bytes(content)
        self.received += 1
        return "250 OK"


@contextmanager
def running(folder: Path, port: int | None = None) -> Iterator[tuple[FolderMailbox, int]]:
    """Serve SMTP on 127.0.0.1:`port` (a free one when None) until the block ends."""
    mailbox, port = FolderMailbox(folder), port or free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()
