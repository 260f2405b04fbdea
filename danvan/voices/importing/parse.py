"""The rows of a voices spreadsheet: read from the file (``parse_voice_file``), then checked for
what the file alone can tell, with their units and topics resolved (``voices_validate``)."""

from __future__ import annotations

import contextlib
import datetime
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.lib.importing import ImportReport, ImportRow
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.tables import Row
from danvan.lib.text import fold
from danvan.units.models import AdministrativeUnit
from danvan.voices.fingerprint import import_fingerprint
from danvan.voices.importing.columns import (
    COLUMNS,
    KIND_ALIASES,
    NO,
    YES,
    fold_fast,
    fold_short,
    normalize_unit_code,
    parse_date,
)
from danvan.voices.intake import province_of
from danvan.voices.models import Topic, Voice

#: The most rows one file may have.
MAX_ROWS = 100_000


@dataclass(kw_only=True)
class VoiceImportRow(ImportRow):
    """One row of a voices file (``lib.importing.ImportRow``: its line and errors)."""

    kind: str
    topic_text: str
    unit_code: str
    text: str
    received_on: datetime.date | None
    name: str = ""
    contact: str = ""
    address: str = ""
    joint: bool = False
    unit: AdministrativeUnit | None = field(default=None, repr=False)
    topic: Topic | None = field(default=None, repr=False)
    voice: Voice | None = field(default=None, repr=False)
    _fingerprint: tuple[tuple[object, ...], str] | None = field(
        default=None, repr=False, compare=False
    )

    def fingerprint(self, scope: str = "import") -> str:
        """What makes two rows the same voice (``fingerprint.import_fingerprint``): the kind,
        unit, topic, text and date, never the sender. Finds duplicates in the file and, stored as
        ``Voice.import_fingerprint``, rows imported before."""
        topic = str(self.topic.pk) if self.topic is not None else None
        source = (
            scope,
            self.kind,
            self.unit_code,
            topic,
            self.topic_text,
            self.text,
            self.received_on,
        )
        if self._fingerprint is not None and self._fingerprint[0] == source:
            return self._fingerprint[1]
        value = import_fingerprint(
            scope=scope,
            kind=self.kind,
            unit_code=self.unit_code,
            topic=topic if topic is not None else "?" + fold_short(self.topic_text),
            folded_text=fold_fast(self.text),
            received_on=self.received_on,
        )
        self._fingerprint = (source, value)
        return value


#: The rows of one file, checked (``lib.importing.ImportReport``).
VoiceImportReport = ImportReport[VoiceImportRow]


@contextlib.contextmanager
def without_cycle_collector() -> Iterator[None]:
    """Hundreds of thousands of young objects (rows, values) would set the cycle collector off
    again and again, for a fifth of a large import's time; none of them is in a cycle."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def parse_voice_file(
    *,
    name: str,
    data: bytes,
    fixed_kind: str | None = None,
    fixed_date: datetime.date | None = None,
    default_unit_code: str = "",
) -> list[VoiceImportRow]:
    """Rows of the file; a cell that cannot be understood becomes an error on its row.

    ``fixed_kind`` and ``fixed_date`` (a voter contact session) make those columns unneeded.
    Raises ``TableError`` when the file as a whole cannot be read.
    """
    required = required_columns(
        fixed_kind=fixed_kind, fixed_date=fixed_date, default_unit_code=default_unit_code
    )
    with without_cycle_collector():
        return _parse_rows(
            name=name,
            data=data,
            required=required,
            fixed_kind=fixed_kind,
            fixed_date=fixed_date,
            default_unit_code=default_unit_code,
        )


def required_columns(
    *, fixed_kind: str | None, fixed_date: datetime.date | None, default_unit_code: str
) -> list[str]:
    """The columns a file must have; a session's kind, date and commune make theirs optional."""
    required = ["topic", "text"]
    if not default_unit_code:
        required.append("unit_code")
    if fixed_kind is None:
        required.append("kind")
    if fixed_date is None:
        required.append("received_on")
    return required


def _parse_rows(
    *,
    name: str,
    data: bytes,
    required: list[str],
    fixed_kind: str | None,
    fixed_date: datetime.date | None,
    default_unit_code: str,
) -> list[VoiceImportRow]:
    table = COLUMNS.read(name=name, data=data, max_rows=MAX_ROWS, required=required)
    rows: list[VoiceImportRow] = []
    for raw in table:
        row = parse_row(
            raw,
            fixed_kind=fixed_kind,
            fixed_date=fixed_date,
            default_unit_code=default_unit_code,
        )
        row.cells = raw.values  # the cells as read, for the error workbook
        rows.append(row)
    return rows


def parse_row(
    raw: Row,
    *,
    fixed_kind: str | None,
    fixed_date: datetime.date | None,
    default_unit_code: str,
) -> VoiceImportRow:
    """One row's cells turned into values; what cannot be understood becomes an error on it."""
    values = raw.values
    errors: list[str] = list(raw.errors)
    kind = fixed_kind if fixed_kind is not None else _kind(values.get("kind", ""), errors)
    received_on = (
        fixed_date if fixed_date is not None else _date(values.get("received_on", ""), errors)
    )
    joint_text = fold_short(values.get("joint", ""))
    if joint_text and joint_text not in YES | NO:
        errors.append(_("“Joint” must be yes or no."))
    if not values.get("topic", ""):
        errors.append(_("The topic is empty."))
    if not values.get("text", "").strip():
        errors.append(_("The content is empty."))
    unit_code = normalize_unit_code(values.get("unit_code", "") or default_unit_code)
    if not unit_code:
        errors.append(_("The unit code is empty."))
    return VoiceImportRow(
        line=raw.line,
        kind=kind,
        topic_text=values.get("topic", ""),
        unit_code=unit_code,
        text=values.get("text", "").strip(),
        received_on=received_on,
        name=values.get("name", ""),
        contact=values.get("contact", ""),
        address=values.get("address", ""),
        joint=joint_text in YES,
        errors=errors,
    )


def _kind(text: str, errors: list[str]) -> str:
    """The kind a cell names, or "" with an error."""
    if not text:
        errors.append(_("The kind is empty."))
        return ""
    kind = KIND_ALIASES.get(fold_short(text), "")
    if not kind:
        errors.append(_("Unknown kind “%(kind)s”.") % {"kind": text})
    return kind


def _date(text: str, errors: list[str]) -> datetime.date | None:
    """The date of receipt a cell holds, or None with an error."""
    if not text:
        errors.append(_("The date of receipt is empty."))
        return None
    received_on = parse_date(text)
    if received_on is None:
        errors.append(_("“%(value)s” is not a date; write it as dd/mm/yyyy.") % {"value": text})
    return received_on


def voices_validate(*, actor: Actor, rows: list[VoiceImportRow]) -> VoiceImportReport:
    """Resolve units and topics in a few queries and check what the file alone can tell."""
    codes = {r.unit_code for r in rows if r.unit_code}
    units = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=codes)}
    topics: dict[tuple[str | None, str], Topic] = {}
    for topic in Topic.objects.filter(is_active=True).select_related("province"):
        province = topic.province.code if topic.province else None
        topics[(province, fold(topic.code))] = topic
        topics.setdefault((province, fold(topic.name)), topic)
    # Per unit, once: whether it is outside the actor's scope, and its province.
    outside = {
        code: actor.user is not None and not can(actor.user, Capability.ACT, unit)
        for code, unit in units.items()
    }
    provinces = {code: province_of(unit) for code, unit in units.items()}
    today = timezone.localdate()
    seen: dict[str, int] = {}
    for row in rows:
        unit = units.get(row.unit_code)
        if row.unit_code and unit is None:
            row.errors.append(_("No unit has the code %(code)s.") % {"code": row.unit_code})
        elif unit is not None:
            if outside[row.unit_code]:
                row.errors.append(
                    _("%(unit)s is outside the units you work for.") % {"unit": unit.name}
                )
            row.unit = unit
        if row.topic_text:
            key = fold_short(row.topic_text)
            province = provinces[row.unit_code] if unit is not None else None
            row.topic = topics.get((province, key)) or topics.get((None, key))
            if row.topic is None:
                row.errors.append(_("Unknown topic “%(topic)s”.") % {"topic": row.topic_text})
        if row.received_on is not None and row.received_on > today:
            row.errors.append(_("The date of receipt cannot be in the future."))
        fingerprint = row.fingerprint()
        if row.text and fingerprint in seen:
            row.errors.append(
                _("Same as line %(line)s of this file.") % {"line": seen[fingerprint]}
            )
        else:
            seen.setdefault(fingerprint, row.line)
    return VoiceImportReport(rows=rows)
