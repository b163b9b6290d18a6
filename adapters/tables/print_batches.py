"""Print batches: `printbatches`, PartitionKey `key(tenant, school, yyyy-mm-dd)` (one school day),
RowKey the artifact id (one row per posted letter, so recording a letter twice is one row), plus
one `~batch` row with the built batch's blob paths and hashes ('~' sorts after every escaped id).

Building a day's batch reads the whole partition in one query, however many letters it holds.
The rows hold the envelope (name and address lines): personal data, never logged.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from adapters.storage.keys import escape_key_part, key
from adapters.storage.tables import Entity, Table
from domain.letters.print_batch import PrintBatch, PrintEntry
from domain.platform.errors import AlreadyExists

TABLE = "printbatches"
BATCH_ROW = "~batch"


def _pk(tenant_id: str, school_id: str, day: date) -> str:
    return key(tenant_id, school_id, day.isoformat())


def _entity(e: PrintEntry) -> dict[str, Any]:
    return {"PartitionKey": _pk(e.tenant_id, e.school_id, e.day), "RowKey": escape_key_part(e.artifact_id),
            "artifactId": e.artifact_id, "studentId": e.student_id, "guardianId": e.guardian_id,
            "name": e.name, "addressLines": json.dumps(list(e.address_lines), ensure_ascii=False),
            "templateKey": e.template_key, "templateVersion": e.template_version,
            "contentHash": e.content_hash, "storagePath": e.storage_path,
            "addedAt": e.added_at.isoformat(), "companionOf": e.companion_of}


def _entry(tenant_id: str, school_id: str, day: date, row: Entity) -> PrintEntry:
    return PrintEntry(
        tenant_id=tenant_id, school_id=school_id, day=day, artifact_id=row["artifactId"],
        student_id=row["studentId"], guardian_id=row["guardianId"], name=row["name"],
        address_lines=tuple(json.loads(row["addressLines"])), template_key=row["templateKey"],
        template_version=int(row["templateVersion"]), content_hash=row["contentHash"],
        storage_path=row["storagePath"], added_at=datetime.fromisoformat(row["addedAt"]),
        companion_of=row.get("companionOf"))


class TablePrintBatches:
    def __init__(self, table: Table) -> None:
        self._table = table

    def add(self, entry: PrintEntry) -> bool:
        """True when the letter joined the batch now, False when it was already in it."""
        try:
            self._table.insert(_entity(entry))
        except AlreadyExists:
            return False
        return True

    def entries(self, tenant_id: str, school_id: str, day: date) -> list[PrintEntry]:
        rows = self._table.partition(_pk(tenant_id, school_id, day))
        return [_entry(tenant_id, school_id, day, r) for r in rows if r["RowKey"] != BATCH_ROW]

    def save_batch(self, batch: PrintBatch) -> None:
        self._table.upsert({
            "PartitionKey": _pk(batch.tenant_id, batch.school_id, batch.day), "RowKey": BATCH_ROW,
            "letters": batch.letters, "pages": batch.pages, "pdfPath": batch.pdf_path,
            "pdfSha256": batch.pdf_sha256, "csvPath": batch.csv_path, "csvSha256": batch.csv_sha256,
            "builtAt": batch.built_at.isoformat()})

    def batch(self, tenant_id: str, school_id: str, day: date) -> PrintBatch | None:
        row = self._table.find(_pk(tenant_id, school_id, day), BATCH_ROW)
        if row is None:
            return None
        return PrintBatch(tenant_id=tenant_id, school_id=school_id, day=day, letters=int(row["letters"]),
                          pages=int(row["pages"]), pdf_path=row["pdfPath"], pdf_sha256=row["pdfSha256"],
                          csv_path=row["csvPath"], csv_sha256=row["csvSha256"],
                          built_at=datetime.fromisoformat(row["builtAt"]))
