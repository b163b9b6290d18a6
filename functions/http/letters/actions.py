"""Letter actions for the office (INTERVENTIONS_ACT: admins and attendance officers): render a
student's approved letter now, and build / read / download a day's print batch. The batch's CSV
holds names and addresses: it is streamed to the caller, never logged. School-scoped through
`schoolId`; every write is audited by its service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Response
from pydantic import Field

import bootstrap
from domain.letters.print_batch import PrintBatch
from domain.platform.access import Permission
from functions.http.letters.routes import ArtifactPage, ArtifactView
from functions.http.platform.routes import OUT, ApiModel
from functions.http.shell.params import IsoDate
from functions.http.shell.security import Access, require
from services.letters.generate import LetterGenerate
from services.letters.printing.batches import PrintBatches

router = APIRouter(tags=["letters"])
Actor = Annotated[Access, Depends(require(Permission.INTERVENTIONS_ACT))]
Day = Annotated[IsoDate, Path(description="The school-local posting date, YYYY-MM-DD.")]


def letter_generate() -> LetterGenerate:
    return bootstrap.composition().letters.generate


def print_batches() -> PrintBatches:
    return bootstrap.composition().letters.print_batches


Batches = Annotated[PrintBatches, Depends(print_batches)]


class GenerateBody(ApiModel):
    student_id: str = Field(min_length=1, max_length=128)
    instance_id: str | None = Field(default=None, min_length=1, max_length=128)


class PrintBatchView(ApiModel):
    date: dt.date
    letters: int
    pages: int
    pdf_sha256: str
    csv_sha256: str
    built_at: dt.datetime

    @classmethod
    def of(cls, b: PrintBatch) -> PrintBatchView:
        return cls(date=b.day, letters=b.letters, pages=b.pages, pdf_sha256=b.pdf_sha256,
                   csv_sha256=b.csv_sha256, built_at=b.built_at)


@router.post("/api/letters/generate", response_model=ArtifactPage, summary="Render a letter now",
             description="Renders the letters of the student's active intervention at its current LETTER "
                         "stage now, as the letter job would (a repeat returns the same letters). The "
                         "stage's action must be APPROVED (DONE returns the letters already made): 409 "
                         "otherwise; 404 when the student has no active intervention.", **OUT)
def generate(access: Actor, letters: Annotated[LetterGenerate, Depends(letter_generate)],
             body: GenerateBody) -> ArtifactPage:
    made = letters.generate(
        access.principal, access.tenant_id, access.one_school(), body.student_id, body.instance_id)
    return ArtifactPage(items=[ArtifactView.of(a) for a in made])


@router.post("/api/letters/print-batches/{date}", response_model=PrintBatchView,
             summary="Build a day's print batch",
             description="Merges every letter posted on the date into one PDF with a CSV manifest "
                         "(rebuilding gives the same bytes; letters posted since are added). 404 when "
                         "nothing was posted that day.", **OUT)
def build_batch(access: Actor, batches: Batches, date: Day) -> PrintBatchView:
    batch = batches.build(access.tenant_id, access.one_school(), date, access.principal)
    return PrintBatchView.of(batch)


@router.get("/api/letters/print-batches/{date}", response_model=PrintBatchView,
            summary="A day's print batch", description="Its metadata; 404 when it was not built.", **OUT)
def get_batch(access: Actor, batches: Batches, date: Day) -> PrintBatchView:
    found = batches.batch(access.tenant_id, access.one_school(), date)
    return PrintBatchView.of(found)


@router.get("/api/letters/print-batches/{date}/{file}", summary="Download a print batch's PDF or CSV",
            response_class=Response,
            responses={200: {"content": {"application/pdf": {}, "text/csv": {}}},
                       409: {"description": "The stored file does not match its recorded hash"}},
            description="The merged PDF or the CSV manifest, after checking it against the SHA-256 "
                        "recorded when the batch was built: 409 (and an audit record) if altered.")
def batch_file(access: Actor, batches: Batches, date: Day, file: Literal["pdf", "csv"]) -> Response:
    batch, data = batches.file(access.principal, access.tenant_id, access.one_school(), date, file)
    sha = batch.pdf_sha256 if file == "pdf" else batch.csv_sha256
    media = "application/pdf" if file == "pdf" else "text/csv; charset=utf-8"
    return Response(data, media_type=media, headers={
        "ETag": f'"{sha}"', "Content-Disposition": f'attachment; filename="{date.isoformat()}.{file}"'})
