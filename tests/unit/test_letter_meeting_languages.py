"""A meeting invitation in the guardian's language: the renderer words `meetingWhen` in the
template's language (Polish here), and the school-language original kept beside a translated
letter says it in the school's language, not in the translation's."""

from __future__ import annotations

import json
from dataclasses import replace

from domain.letters import TemplateStatus, approve
from domain.rules.ruleset import StageType
from services.letters.job import LetterJob
from tests.fakes_letters import FakeTemplates, RendererWorld, letter_item, link
from tests.fakes_meetings import FakeMeetingStore
from tests.unit.test_letter_meeting_invitations import AT, invitation_template, meeting

POLISH_BODY = ("<html><body><p>Szanowni Państwo, spotkanie: {{ meetingWhen }} "
               "({{ letter_date | long_date }})</p></body></html>")


class PolishWorld(RendererWorld):
    """A meeting-stage instance, its booked meeting, a Polish-speaking guardian, approved English
    and Polish invitation templates, and an English school that keeps the originals or not."""

    def __init__(self, *, keep: bool) -> None:
        english = invitation_template()
        polish = approve(replace(english, language="pl", body=POLISH_BODY, status=TemplateStatus.DRAFT,
                                 approved_by=None, approved_at=None), "boss", AT)
        self.meetings = FakeMeetingStore()
        self.meetings.create(meeting())
        super().__init__(templates=FakeTemplates(english, polish), key="eng-meeting-invitation", at=AT,
                         meetings=self.meetings, links=[link("g1", 1, language="pl")], stage_order=3,
                         stage_type=StageType.MEETING)
        self.roster.school_row = self.roster.school_row.model_copy(update={"keep_source_letter": keep})

    def invitation(self) -> LetterJob:
        return LetterJob("t1", "s1", "i1", 3, letter_item(self.instance).id, meeting_id="mtg-1",
                         meeting_sequence=0)


def blob_text(world: RendererWorld, path: str | None) -> str:
    assert path is not None
    return world.blobs.blobs[("letters", path)].decode()


def test_a_polish_invitation_says_when_in_polish() -> None:
    world = PolishWorld(keep=False)
    [letter] = world.renderer.handle(world.invitation())
    assert letter.language == "pl"
    when = "wtorek, 6 stycznia 2026 09:30\u201310:00, Room 4"
    assert json.loads(letter.merge_data)["meetingWhen"] == when
    html = blob_text(world, letter.storage_path)
    assert when in html and "2 stycznia 2026" in html and "January" not in html


def test_the_kept_original_says_when_in_the_school_language() -> None:
    world = PolishWorld(keep=True)
    letter, kept = world.renderer.handle(world.invitation())
    assert kept.companion_of == letter.id and kept.language == "en"
    assert json.loads(kept.merge_data)["meetingWhen"] == "Tuesday, 6 January 2026, 09:30\u201310:00, Room 4"
    assert "Tuesday, 6 January 2026" in blob_text(world, kept.storage_path)
    # the rest of the snapshot is the letter's: the same facts in both languages
    assert {k: v for k, v in json.loads(kept.merge_data).items() if k != "meetingWhen"} == {
        k: v for k, v in json.loads(letter.merge_data).items() if k != "meetingWhen"}
    again = world.renderer.handle(world.invitation())
    assert [a.id for a in again] == [letter.id, kept.id] and len(world.artifacts.rows) == 2
