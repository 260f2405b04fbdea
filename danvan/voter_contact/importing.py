"""A voter contact session's recommendations (kiến nghị cử tri) as an importer of
``danvan.lib.importing``, through voices' (``voices.importing.files.VoiceImporter``): the kind
and the date are the session's, the unit its commune unless a row names another, and every row
is written by ``session_import_recommendations``."""

from __future__ import annotations

from danvan.audit.context import Actor
from danvan.deadlines.models import VoiceKind
from danvan.lib.importing import ImportReport, Progress
from danvan.voices.importing.files import EXAMPLE_TEXT, VoiceImporter
from danvan.voices.importing.parse import VoiceImportRow
from danvan.voter_contact.models import VoterContactSession
from danvan.voter_contact.services import session_import_recommendations


class SessionImporter(VoiceImporter):
    """The recommendations of ``session``; without one, only the templates."""

    name = "mau-kien-nghi-cu-tri"
    sheet = "Kien nghi cu tri"
    examples = (
        {
            "topic": "Hạ tầng, giao thông, xây dựng",
            "unit_code": "17329",
            "text": EXAMPLE_TEXT,
            "joint": "Không",
            "name": "Nguyễn Văn An",
            "address": "Xóm 1",
        },
    )

    def __init__(self, session: VoterContactSession | None = None) -> None:
        super().__init__(
            fixed_kind=VoiceKind.VOTER_RECOMMENDATION.value,
            fixed_date=session.date if session is not None else None,
            default_unit_code=(
                session.unit.code if session is not None and session.unit.is_commune else ""
            ),
        )
        self.session = session

    def commit(
        self,
        *,
        actor: Actor,
        rows: list[VoiceImportRow],
        only_valid: bool,
        progress: Progress | None = None,
    ) -> ImportReport[VoiceImportRow]:
        assert self.session is not None, "a session's importer writes into its session"
        return session_import_recommendations(
            actor=actor, session=self.session, rows=rows, only_valid=only_valid
        )

    def template_keys(self) -> list[str]:
        return ["topic", "unit_code", "text", "joint", "name", "address"]
