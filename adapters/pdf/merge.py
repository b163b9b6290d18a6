"""Merge letter PDFs into one print file with pypdf. Deterministic: pypdf writes no creation
date or random /ID of its own, so the same PDFs in the same order give the same bytes."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter


def merge_pdfs(pdfs: list[bytes]) -> tuple[bytes, list[int]]:
    """(the merged PDF, each input's page count in order). An empty list gives an empty bytes."""
    if not pdfs:
        return b"", []
    writer = PdfWriter()
    counts = []
    for data in pdfs:
        reader = PdfReader(io.BytesIO(data))
        counts.append(len(reader.pages))
        writer.append(reader)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), counts
