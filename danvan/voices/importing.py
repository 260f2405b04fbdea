"""Import voices from officers' spreadsheets (XLSX or CSV), row by row, all or nothing.

The officer's file is read with ``danvan.lib.tables`` (encodings, disguised files); every cell is
turned into a value or an error on its row; then every row goes through ``voice_submit`` (or the
caller's own service, e.g. a voter contact session's) inside one transaction. When any row has an
error, nothing is kept, unless the officer asked to import only the valid rows. The service is the
last word on validity: its ``ValidationError`` becomes the row's errors.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import logging
import re
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connections, models, router, transaction
from django.db.models.base import ModelState
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.deadlines.engine import compute_schedule
from danvan.deadlines.errors import DeadlineError
from danvan.deadlines.models import Complexity, RuleSet, TimeLimitRule, VoiceKind
from danvan.deadlines.selectors import rule_set_for, working_calendar
from danvan.lib.crypto import EncryptedTextField, encrypt
from danvan.lib.roles import Capability
from danvan.lib.scoping import can, scope_for
from danvan.lib.tables import TableError, count_rows, read_table
from danvan.lib.text import fold
from danvan.lib.worker import (
    DB_ERRORS,
    PEOPLE_PRIORITY,
    PEOPLE_QUEUE,
    max_attempts,
    stale_after,
    task_rows_abandon,
)
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.fingerprint import import_fingerprint
from danvan.voices.models import (
    Channel,
    DenouncerIdentity,
    ImportJobStatus,
    Topic,
    Voice,
    VoiceDeadline,
    VoiceEvent,
    VoiceImportJob,
    VoiceStatus,
)
from danvan.voices.services import (
    MAX_TEXT,
    NAMED_KINDS,
    NOT_DRIVING_DUE,
    analyse_on_commit,
    voice_submit,
)
from danvan.voices.tracking import new_tracking_code

logger = logging.getLogger(__name__)

#: The most rows one file may have.
MAX_ROWS = 100_000
#: Voices written per batch (one INSERT of voices, of due dates, of events, one audit row).
BATCH_SIZE = 2_000
#: Files with more rows than this are imported in the background (``VoiceImportJob``).
BACKGROUND_ROWS = 2_000
#: So are workbooks that unpack to more than this, whatever their rows (2,000 rows: about 2 MB).
BACKGROUND_XLSX_BYTES = 8 * 1024 * 1024
#: Seconds between two heartbeats of a running background import (``VoiceImportJob.heartbeat_at``).
HEARTBEAT_SECONDS = 20

COLUMN_ALIASES = {
    # kind
    "loai": "kind",
    "loai y kien": "kind",
    "loai don": "kind",
    "hinh thuc": "kind",
    "kind": "kind",
    # topic
    "linh vuc": "topic",
    "chu de": "topic",
    "topic": "topic",
    # unit
    "ma don vi": "unit_code",
    "ma dia ban": "unit_code",
    "ma xa": "unit_code",
    "ma xa/thon": "unit_code",
    "ma thon": "unit_code",
    "unit code": "unit_code",
    "unit": "unit_code",
    # text
    "noi dung": "text",
    "noi dung y kien": "text",
    "noi dung kien nghi": "text",
    "text": "text",
    "content": "text",
    # date
    "ngay nhan": "received_on",
    "ngay tiep nhan": "received_on",
    "received on": "received_on",
    "received": "received_on",
    "date": "received_on",
    # who
    "ho ten": "name",
    "ho va ten": "name",
    "nguoi gui": "name",
    "name": "name",
    "lien he": "contact",
    "dien thoai": "contact",
    "so dien thoai": "contact",
    "dien thoai/email": "contact",
    "contact": "contact",
    "phone": "contact",
    "dia chi": "address",
    "address": "address",
    # voter contact sessions: lead agency of a joint answer
    "lien nganh": "joint",
    "tra loi lien nganh": "joint",
    "joint": "joint",
}

#: Column titles in the officer's language, for error messages and templates.
TITLES = {
    "kind": "Loại",
    "topic": "Lĩnh vực",
    "unit_code": "Mã đơn vị",
    "text": "Nội dung",
    "received_on": "Ngày nhận",
    "name": "Họ tên",
    "contact": "Điện thoại/email",
    "address": "Địa chỉ",
    "joint": "Liên ngành",
}

#: The names officials use for each kind, folded; the codes and English labels work too.
KIND_ALIASES: dict[str, str] = {
    "y kien": VoiceKind.OPINION,
    "y kien, nguyen vong": VoiceKind.OPINION,
    "nguyen vong": VoiceKind.OPINION,
    "phan anh": VoiceKind.REFLECTION,
    "phan anh, kien nghi": VoiceKind.REFLECTION,
    "kien nghi": VoiceKind.REFLECTION,
    "khieu nai": VoiceKind.COMPLAINT_FIRST,
    "khieu nai lan dau": VoiceKind.COMPLAINT_FIRST,
    "khieu nai lan 1": VoiceKind.COMPLAINT_FIRST,
    "khieu nai lan hai": VoiceKind.COMPLAINT_SECOND,
    "khieu nai lan 2": VoiceKind.COMPLAINT_SECOND,
    "to cao": VoiceKind.DENUNCIATION,
    "kien nghi cu tri": VoiceKind.VOTER_RECOMMENDATION,
    "tiep cong dan": VoiceKind.RECEPTION,
    **{fold(k.value.replace("_", " ")): k.value for k in VoiceKind},
    **{k.value: k.value for k in VoiceKind},
    **{fold(str(k.label)): k.value for k in VoiceKind},
}

_YES = {"co", "x", "yes", "1", "true"}
_NO = {"", "khong", "no", "0", "false"}
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_VILLAGE_CODE = re.compile(r"^(\d{1,5})-(\d+)$")


_NO_MARKS = dict.fromkeys(range(0x300, 0x370))  # the combining diacritical marks
_RUNS_OF_SPACE = re.compile(r"\s+")


def _fold_fast(value: str) -> str:
    """``fold`` for long texts, several times faster and always equal to it (``test_bulk``)."""
    stripped = unicodedata.normalize("NFD", value.casefold()).translate(_NO_MARKS)
    stripped = stripped.replace("đ", "d")
    if not stripped.isascii():  # other marks or scripts: the general (slower) way
        return fold(value)
    return _RUNS_OF_SPACE.sub(" ", stripped).strip()


#: Kinds, topics, names and yes/no cells repeat from row to row.
_fold_short = functools.lru_cache(maxsize=65_536)(fold)


@dataclass
class VoiceImportRow:
    line: int
    kind: str
    topic_text: str
    unit_code: str
    text: str
    received_on: datetime.date | None
    name: str = ""
    contact: str = ""
    address: str = ""
    joint: bool = False
    errors: list[str] = field(default_factory=list)
    unit: AdministrativeUnit | None = field(default=None, repr=False)
    topic: Topic | None = field(default=None, repr=False)
    voice: Voice | None = field(default=None, repr=False)
    _fingerprint: tuple[tuple[object, ...], str] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def ok(self) -> bool:
        return not self.errors

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
            topic=topic if topic is not None else "?" + _fold_short(self.topic_text),
            folded_text=_fold_fast(self.text),
            received_on=self.received_on,
        )
        self._fingerprint = (source, value)
        return value


@dataclass
class VoiceImportReport:
    rows: list[VoiceImportRow]
    imported: int = 0

    @property
    def error_rows(self) -> list[VoiceImportRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def valid_rows(self) -> list[VoiceImportRow]:
        return [r for r in self.rows if r.ok]


def parse_date(value: str) -> datetime.date | None:
    """dd/mm/yyyy (the Vietnamese way), yyyy-mm-dd, an Excel date cell or serial; else None."""
    value = value.strip()
    try:
        if match := _DMY.match(value):
            day, month, year = (int(g) for g in match.groups())
            return datetime.date(year, month, day)
        if match := _YMD.match(value):
            year, month, day = (int(g) for g in match.groups())
            return datetime.date(year, month, day)
    except ValueError:
        return None
    if _SERIAL.match(value):  # a date cell that reached us as Excel's day number
        return _EXCEL_EPOCH + datetime.timedelta(days=int(float(value)))
    return None


def normalize_unit_code(code: str) -> str:
    """Put back the leading zeros Excel drops: "70" → "00070", "70-001" → "00070-001"."""
    code = code.strip().replace(" ", "")
    if code.isdigit() and len(code) < 5:
        return code.zfill(5)
    if match := _VILLAGE_CODE.match(code):
        return f"{match.group(1).zfill(5)}-{match.group(2).zfill(3)}"
    return code


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
    required = ["topic", "text"]
    if not default_unit_code:
        required.append("unit_code")
    if fixed_kind is None:
        required.append("kind")
    if fixed_date is None:
        required.append("received_on")
    with _without_cycle_collector():
        return _parse_rows(
            name=name,
            data=data,
            required=required,
            fixed_kind=fixed_kind,
            fixed_date=fixed_date,
            default_unit_code=default_unit_code,
        )


def _parse_rows(
    *,
    name: str,
    data: bytes,
    required: list[str],
    fixed_kind: str | None,
    fixed_date: datetime.date | None,
    default_unit_code: str,
) -> list[VoiceImportRow]:
    table = read_table(
        name=name,
        data=data,
        aliases=COLUMN_ALIASES,
        required=required,
        max_rows=MAX_ROWS,
        titles=TITLES,
    )
    rows: list[VoiceImportRow] = []
    for raw in table:
        values = raw.values
        errors: list[str] = list(raw.errors)
        kind = fixed_kind or ""
        if fixed_kind is None:
            kind_text = values.get("kind", "")
            if not kind_text:
                errors.append(_("The kind is empty."))
            else:
                kind = KIND_ALIASES.get(_fold_short(kind_text), "")
                if not kind:
                    errors.append(_("Unknown kind “%(kind)s”.") % {"kind": kind_text})
        received_on = fixed_date
        if fixed_date is None:
            date_text = values.get("received_on", "")
            if not date_text:
                errors.append(_("The date of receipt is empty."))
            else:
                received_on = parse_date(date_text)
                if received_on is None:
                    errors.append(
                        _("“%(value)s” is not a date; write it as dd/mm/yyyy.")
                        % {"value": date_text}
                    )
        joint_text = _fold_short(values.get("joint", ""))
        if joint_text and joint_text not in _YES | _NO:
            errors.append(_("“Joint” must be yes or no."))
        if not values.get("topic", ""):
            errors.append(_("The topic is empty."))
        if not values.get("text", "").strip():
            errors.append(_("The content is empty."))
        unit_code = normalize_unit_code(values.get("unit_code", "") or default_unit_code)
        if not unit_code:
            errors.append(_("The unit code is empty."))
        rows.append(
            VoiceImportRow(
                line=raw.line,
                kind=kind,
                topic_text=values.get("topic", ""),
                unit_code=unit_code,
                text=values.get("text", "").strip(),
                received_on=received_on,
                name=values.get("name", ""),
                contact=values.get("contact", ""),
                address=values.get("address", ""),
                joint=joint_text in _YES,
                errors=errors,
            )
        )
    return rows


def _province_code(unit: AdministrativeUnit) -> str:
    return unit.path.strip("/").split("/")[0]


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
    provinces = {code: _province_code(unit) for code, unit in units.items()}
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
            key = _fold_short(row.topic_text)
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


#: Makes the voice of one valid row; the default is ``voice_submit`` through the import channel.
RowSubmit = Callable[[VoiceImportRow, str], Voice]

#: Told how many rows are written so far, after every batch (a background import's progress bar).
Progress = Callable[[int], None]


class _RollBack(Exception):
    pass


def _submit_imported(actor: Actor) -> RowSubmit:
    def submit(row: VoiceImportRow, key: str) -> Voice:
        assert row.unit is not None and row.topic is not None and row.received_on is not None
        return voice_submit(
            actor=actor,
            kind=row.kind,
            channel=Channel.IMPORT,
            unit=row.unit,
            topic=row.topic,
            text=row.text,
            received_on=row.received_on,
            submitter_name=row.name,
            submitter_contact=row.contact,
            submitter_address=row.address,
            import_fingerprint=key,
        )

    return submit


# --- The bulk path --------------------------------------------------------------------------
#
# ``voice_submit`` makes one voice in about ten queries. An import of thousands of rows makes the
# same records (voice, due dates, the "submit" event, the denouncer's identity) with the same
# rules, but reads the rule sets, the calendar and the units once, computes each schedule once per
# (kind, date of receipt, remote) and writes in batches, with one audit row per batch.
# ``test_bulk.py`` checks that both paths store the same thing, field by field.


@contextlib.contextmanager
def _without_cycle_collector() -> Iterator[None]:
    """Hundreds of thousands of young objects (rows, values) would set the cycle collector off
    again and again, for a fifth of a large import's time; none of them is in a cycle."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@dataclass(frozen=True)
class _Steps:
    rule_set_id: int
    steps: tuple[tuple[str, datetime.date | None, str, str], ...]
    due_on: datetime.date | None


@dataclass
class _Planned:
    row: VoiceImportRow
    #: The voice's columns by attribute name (``unit_id``), personal data still in clear.
    values: dict[str, Any]
    steps: tuple[tuple[str, datetime.date | None, str, str], ...]
    identity: tuple[str, str, str] | None


class _RuleList(list[TimeLimitRule]):
    def order_by(self, *fields: str) -> list[TimeLimitRule]:
        assert fields == ("position", "id")
        return sorted(self, key=lambda r: (r.position, r.pk))


class _RulesInMemory:
    """Stands in for ``rule_set.rules`` in ``compute_schedule``: the rules read once, not once
    per schedule (a file spread over a year has thousands of distinct schedules)."""

    def __init__(self, rules: list[TimeLimitRule]) -> None:
        self._rules = rules

    def filter(self, **match: Any) -> _RuleList:
        return _RuleList(
            r for r in self._rules if all(getattr(r, k) == v for k, v in match.items())
        )


@dataclass
class _RuleSetInMemory:
    pk: int
    name: str
    effective_from: datetime.date
    rules: _RulesInMemory


class _ScheduleCache:
    """Schedules by (kind, date of receipt, remote): many rows of a file share one."""

    def __init__(self) -> None:
        self.calendar = working_calendar()
        self.rule_sets: dict[datetime.date, RuleSet] = {}
        self.in_memory: dict[int, _RuleSetInMemory] = {}
        self.all_rule_sets: list[RuleSet] | None = None
        self.schedules: dict[tuple[str, datetime.date, bool], _Steps] = {}

    def _rule_set(self, received: datetime.date) -> RuleSet:
        rule_set = self.rule_sets.get(received)
        if rule_set is None:
            if self.all_rule_sets is None:
                self.all_rule_sets = list(RuleSet.objects.order_by("-effective_from"))
            # The one in force: the latest that took effect on or before that day.
            found = next((r for r in self.all_rule_sets if r.effective_from <= received), None)
            if found is None:
                found = rule_set_for(received)  # raises NoRuleSetError with its message
            if found.pk not in self.in_memory:
                self.in_memory[found.pk] = _RuleSetInMemory(
                    pk=found.pk,
                    name=found.name,
                    effective_from=found.effective_from,
                    rules=_RulesInMemory(list(found.rules.all())),
                )
            rule_set = self.rule_sets[received] = cast(RuleSet, self.in_memory[found.pk])
        return rule_set

    def get(self, kind: str, received: datetime.date, remote: bool) -> _Steps:
        """The rule set's id, the steps (step, due, counts from, citation) and the case's due
        date, computed as ``voice_submit`` does (``services._refresh_due_on``)."""
        key = (kind, received, remote)
        found = self.schedules.get(key)
        if found is None:
            schedule = compute_schedule(
                kind=kind,
                received=received,
                remote=remote,
                complexity=Complexity.NORMAL,
                rule_set=self._rule_set(received),
                calendar=self.calendar,
            )
            steps = tuple((s.step, s.due, s.counts_from, s.citation[:255]) for s in schedule.steps)
            pending = [d for s, d, _f, _c in steps if d is not None and s not in NOT_DRIVING_DUE]
            found = self.schedules[key] = _Steps(
                rule_set_id=schedule.rule_set_id,
                steps=steps,
                due_on=min(pending) if pending else None,
            )
        return found


def _bulk_plan(
    *, actor: Actor, rows: list[VoiceImportRow], keys: dict[int, str], channel: str
) -> list[_Planned]:
    """Check each row as ``voice_submit`` would and plan its records; a refused row gets errors."""
    today = timezone.localdate()
    unit_ids = {r.unit.pk for r in rows if r.unit is not None}
    # The flags as stored now, not as the caller's copies of the units remember them.
    fresh = {
        pk: (tier, valid_to is None, bool(remote or (tier == UnitTier.VILLAGE and parent_remote)))
        for pk, tier, valid_to, remote, parent_remote in AdministrativeUnit.objects.filter(
            pk__in=unit_ids
        ).values_list("pk", "tier", "valid_to", "is_remote", "parent__is_remote")
    }
    schedules = _ScheduleCache()
    user_id = actor.user.pk if actor.user is not None else None
    named_error = _(
        "A complaint or denunciation needs the name of the person who makes it. "
        "Without a name, send it as a reflection."
    )
    kinds = frozenset(VoiceKind.values)
    planned: list[_Planned] = []
    for row in rows:
        unit, topic, received = row.unit, row.topic, row.received_on
        assert unit is not None and topic is not None and received is not None
        tier, current, remote = fresh[unit.pk]
        errors: list[str] = []
        if row.kind not in kinds:
            errors.append(_("Unknown kind of voice."))
        text = row.text.strip()
        if not text:
            errors.append(_("The content is empty."))
        elif len(text) > MAX_TEXT:
            errors.append(_("The content is longer than %(max)s characters.") % {"max": MAX_TEXT})
        if received > today:
            errors.append(_("The date of receipt cannot be in the future."))
        if not current or tier not in (UnitTier.COMMUNE, UnitTier.VILLAGE):
            errors.append(_("Choose a current commune, ward, village or residential group."))
        if topic.province is not None and topic.province.code != _province_code(unit):
            errors.append(_("This topic belongs to another province."))
        name, contact, address = row.name.strip(), row.contact.strip(), row.address.strip()
        if row.kind in NAMED_KINDS and not name:
            errors.append(named_error)
        if not errors:
            try:
                schedule = schedules.get(row.kind, received, remote)
            except DeadlineError as exc:
                errors.append(str(exc))
        if errors:
            row.errors.extend(errors)
            continue
        denunciation = row.kind == VoiceKind.DENUNCIATION
        values = {
            "kind": row.kind,
            "channel": channel,
            "unit_id": unit.pk,
            "topic_id": topic.pk,
            "text": text,
            "received_on": received,
            "is_anonymous": False,
            # A denouncer's identity never sits on the case itself.
            "submitter_name": "" if denunciation else name,
            "submitter_contact": "" if denunciation else contact,
            "submitter_address": "" if denunciation else address,
            "is_remote": remote,
            "complexity": Complexity.NORMAL.value,
            "is_joint": False,
            "rule_set_id": schedule.rule_set_id,
            "due_on": schedule.due_on,
            "import_fingerprint": keys[id(row)],
            "created_by_id": user_id,
        }
        planned.append(
            _Planned(
                row=row,
                values=values,
                steps=schedule.steps,
                identity=(name, contact, address) if denunciation else None,
            )
        )
    return planned


def _give_codes(planned: list[_Planned], used: set[str]) -> None:
    """A fresh tracking code for each voice, unique in the run. One already in the database (about
    one batch in a million at a million voices) fails the insert, which is retried with new codes."""
    for p in planned:
        code = new_tracking_code()
        while code in used:
            code = new_tracking_code()
        used.add(code)
        p.values["tracking_code"] = code


class _Table:
    """Rows of one model as the database stores them: every column, defaults filled in."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in model._meta.concrete_fields]
        self._encrypted = [
            i for i, f in enumerate(self.fields) if isinstance(f, EncryptedTextField)
        ]
        self._stamped = [
            i
            for i, f in enumerate(self.fields)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        # Fields whose Python value is not what psycopg sends as is (JSON, ...): prepared by Django.
        plain = (
            models.CharField,
            models.TextField,
            models.IntegerField,
            models.BooleanField,
            models.DateField,
            models.DecimalField,
            models.ForeignKey,
        )
        self._prepared = [
            i
            for i, f in enumerate(self.fields)
            if not isinstance(f, plain) and i not in self._stamped
        ]
        self._defaults = [
            None if f.null and not f.has_default() else f.get_default() for f in self.fields
        ]
        # A callable default (``Voice.public_id``: a new random id) is drawn for every row.
        self._drawn = [i for i, f in enumerate(self.fields) if callable(f.default)]
        self._index = {f.attname: i for i, f in enumerate(self.fields)}

    def values(self, given: dict[str, Any], now: datetime.datetime) -> list[Any]:
        """Every column's value in clear (as the model instance holds it)."""
        row = self._defaults.copy()
        for i in self._drawn:
            row[i] = self.fields[i].get_default()
        index = self._index
        for name, value in given.items():
            row[index[name]] = value
        for i in self._stamped:
            row[i] = now
        return row

    def stored(self, row: list[Any], connection: Any) -> list[Any]:
        """The same row as the database stores it: personal data encrypted."""
        row = list(row)
        for i in self._encrypted:
            row[i] = encrypt(row[i]) if row[i] else ""
        for i in self._prepared:
            row[i] = self.fields[i].get_db_prep_save(row[i], connection)
        return row

    def instance(self, pk: int, row: list[Any], db: str) -> models.Model:
        """The saved instance, built as ``Model.from_db`` would but without ``__init__``'s cost
        (a tenth of a large import's time); nothing listens to its signals."""
        obj = self.model.__new__(self.model)
        obj.__dict__.update(zip(self.attnames, [pk, *row], strict=True))
        obj._state = ModelState()
        obj._state.adding = False
        obj._state.db = db
        return obj


def _write_rows(table: _Table, rows: list[list[Any]], *, ids: list[int] | None = None) -> list[int]:
    """Insert the rows; return their ids. PostgreSQL: COPY with ids taken from the sequence."""
    connection = connections[router.db_for_write(table.model)]
    if connection.vendor != "postgresql":
        objs = [table.model(None, *row) for row in rows]
        table.model._default_manager.bulk_create(objs)
        return [o.pk for o in objs]
    from psycopg.copy import QueuedLibpqWriter

    meta = table.model._meta
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
        columns = ", ".join(connection.ops.quote_name(c) for c in [meta.pk.column, *table.columns])
        # No query runs inside the COPY (see bench/README.md): only encryption and formatting,
        # while a thread of psycopg's sends what is ready, so the database works meanwhile.
        # Its errors become Django's (IntegrityError for a taken tracking code).
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(
                f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN",
                writer=QueuedLibpqWriter(cursor.cursor),
            ) as sink,
        ):
            for pk, row in zip(ids, rows, strict=True):
                sink.write_row([pk, *table.stored(row, connection)])
    return ids


def _bulk_write(
    *,
    actor: Actor,
    planned: list[_Planned],
    channel: str,
    batch_size: int,
    only_valid: bool,
    progress: Progress | None,
) -> int:
    """Write the planned voices in batches; the caller holds the transaction."""
    with _without_cycle_collector():
        return _bulk_write_batches(
            actor=actor,
            planned=planned,
            channel=channel,
            batch_size=batch_size,
            only_valid=only_valid,
            progress=progress,
        )


def _bulk_write_batches(
    *,
    actor: Actor,
    planned: list[_Planned],
    channel: str,
    batch_size: int,
    only_valid: bool,
    progress: Progress | None,
) -> int:
    voices, deadlines, events, identities = (
        _Table(Voice),
        _Table(VoiceDeadline),
        _Table(VoiceEvent),
        _Table(DenouncerIdentity),
    )
    used: set[str] = set()
    written = 0
    user_id = actor.user.pk if actor.user is not None else None
    db = router.db_for_write(Voice)
    for start in range(0, len(planned), batch_size):
        batch = planned[start : start + batch_size]
        now = timezone.now()
        for attempt in range(3):
            _give_codes(batch, used)
            rows = [voices.values(p.values, now) for p in batch]
            try:
                with transaction.atomic():
                    ids = _write_rows(voices, rows)
                break
            except IntegrityError:
                # Another import of the same rows won the race: those rows are done already.
                raced = _imported_before([p.values["import_fingerprint"] for p in batch])
                if raced:
                    for p in batch:
                        if p.values["import_fingerprint"] in raced:
                            p.row.errors.append(
                                already_imported(*raced[p.values["import_fingerprint"]])
                            )
                    if not only_valid:
                        raise _RollBack from None
                    batch = [p for p in batch if p.values["import_fingerprint"] not in raced]
                elif attempt == 2:
                    raise
        deadline_rows: list[list[Any]] = []
        event_rows: list[list[Any]] = []
        identity_rows: list[list[Any]] = []
        for p, pk, row in zip(batch, ids, rows, strict=True):
            for step, due, counts_from, citation in p.steps:
                deadline_rows.append(
                    deadlines.values(
                        {
                            "voice_id": pk,
                            "step": step,
                            "due_on": due,
                            "counts_from": counts_from,
                            "citation": citation,
                        },
                        now,
                    )
                )
            event_rows.append(
                events.values(
                    {
                        "voice_id": pk,
                        "actor_id": user_id,
                        "action": "submit",
                        "to_status": VoiceStatus.RECEIVED.value,
                        "is_public": True,
                    },
                    now,
                )
            )
            if p.identity is not None:
                name, contact, address = p.identity
                identity_rows.append(
                    identities.values(
                        {"voice_id": pk, "name": name, "contact": contact, "address": address},
                        now,
                    )
                )
            p.row.voice = cast(Voice, voices.instance(pk, row, db))
        _write_rows(deadlines, deadline_rows)
        _write_rows(events, event_rows)
        if identity_rows:
            _write_rows(identities, identity_rows)
        audit_record(
            actor=actor,
            action="voice.submit_batch",
            changes={"channel": channel, "count": len(batch), "voices": ids},
        )
        analyse_on_commit(list(ids))
        written += len(batch)
        if progress is not None:
            progress(written)
    return written


def voices_bulk_create(
    *,
    actor: Actor,
    rows: list[VoiceImportRow],
    keys: dict[int, str],
    channel: str = Channel.IMPORT,
    batch_size: int = BATCH_SIZE,
    only_valid: bool = True,
    progress: Progress | None = None,
) -> int:
    """Make the voices of checked rows in bulk, as ``voice_submit`` would one by one.

    ``rows`` have their unit and topic resolved (``voices_validate``); ``keys`` maps ``id(row)`` to
    its fingerprint (``VoiceImportRow.fingerprint``). A row ``voice_submit`` would refuse gets the
    same errors and is skipped; with ``only_valid`` false, one refused row means nothing is written
    and 0 is returned.
    Returns the number of voices made; each row made has ``row.voice``.
    """
    planned = _bulk_plan(actor=actor, rows=rows, keys=keys, channel=channel)
    if not only_valid and len(planned) < len(rows):
        return 0
    try:
        with transaction.atomic():
            return _bulk_write(
                actor=actor,
                planned=planned,
                channel=channel,
                batch_size=batch_size,
                only_valid=only_valid,
                progress=progress,
            )
    except _RollBack:
        for row in rows:
            row.voice = None
        return 0


def _imported_before(keys: list[str]) -> dict[str, tuple[str, str]]:
    """(kind, tracking code) of the voices that already have one of the fingerprints ``keys``."""
    connection = connections[router.db_for_read(Voice)]
    if connection.vendor == "postgresql":  # one array parameter instead of 100,000
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT import_fingerprint, kind, tracking_code FROM voices_voice "
                "WHERE import_fingerprint = ANY(%s)",
                [keys],
            )
            return {key: (kind, code) for key, kind, code in cursor.fetchall()}
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(keys), 500):
        for key, kind, code in Voice.objects.filter(
            import_fingerprint__in=keys[start : start + 500]
        ).values_list("import_fingerprint", "kind", "tracking_code"):
            found[key] = (kind, code)
    return found


def already_imported(kind: str, code: str) -> str:
    """The error of a row imported before. A denunciation's tracking code is never shown: whoever
    holds it follows the case, and the denouncer must stay protected (Law on Denunciations)."""
    if kind == VoiceKind.DENUNCIATION:
        return _("Already imported: the same as a denunciation received earlier.")
    return _("Already imported (tracking code %(code)s).") % {"code": code}


def voices_import(
    *,
    actor: Actor,
    rows: list[VoiceImportRow],
    only_valid: bool = False,
    submit: RowSubmit | None = None,
    key_prefix: str = "import",
    progress: Progress | None = None,
) -> VoiceImportReport:
    """Import the rows in one transaction: all of them, or with ``only_valid`` those without errors.

    Without ``submit`` the rows are written in bulk (``voices_bulk_create``), with the checks and
    records of ``voice_submit``; with it (a voter contact session), row by row through it. Either
    way the report carries the service's own errors; when any row has an error and ``only_valid``
    is false, nothing is kept and ``imported`` is 0. A row already imported from an earlier file
    (same content) is an error, not a second voice. ``progress`` is told the rows written so far.
    """
    with _without_cycle_collector():
        return _import(
            actor=actor,
            rows=rows,
            only_valid=only_valid,
            submit=submit,
            key_prefix=key_prefix,
            progress=progress,
        )


def _import(
    *,
    actor: Actor,
    rows: list[VoiceImportRow],
    only_valid: bool,
    submit: RowSubmit | None,
    key_prefix: str,
    progress: Progress | None,
) -> VoiceImportReport:
    report = voices_validate(actor=actor, rows=rows)
    keys = {id(r): r.fingerprint(key_prefix) for r in report.valid_rows}
    earlier = _imported_before(list(keys.values()))
    for row in report.valid_rows:
        if keys[id(row)] in earlier:
            row.errors.append(already_imported(*earlier[keys[id(row)]]))
    try:
        with transaction.atomic():
            if submit is None:
                # Every row is checked, so the report is complete even when nothing is written.
                planned = _bulk_plan(
                    actor=actor, rows=report.valid_rows, keys=keys, channel=Channel.IMPORT
                )
                if report.error_rows and not only_valid:
                    raise _RollBack
                imported = _bulk_write(
                    actor=actor,
                    planned=planned,
                    channel=Channel.IMPORT,
                    batch_size=BATCH_SIZE,
                    only_valid=only_valid,
                    progress=progress,
                )
            else:
                imported = 0
                for row in report.valid_rows:
                    try:
                        # voice_submit is atomic: a refused row leaves nothing behind it.
                        with transaction.atomic():
                            row.voice = submit(row, keys[id(row)])
                    except (ValidationError, PermissionDenied) as exc:
                        row.errors.extend(
                            exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                        )
                    else:
                        imported += 1
                        if progress is not None and imported % BATCH_SIZE == 0:
                            progress(imported)
            if report.error_rows and not only_valid:
                raise _RollBack
            if imported:
                audit_record(
                    actor=actor,
                    action="voice.import",
                    changes={"rows": len(rows), "imported": imported, "channel": key_prefix},
                )
            report.imported = imported
    except _RollBack:
        for row in rows:
            row.voice = None
        report.imported = 0
    return report


# --- Large files: imported in the background, with a progress bar -----------------------------


def estimate_rows(*, name: str, data: bytes) -> int:
    """About how many rows the file has, without parsing it: its lines, or the ``<row>`` tags of
    an .xlsx counted in its unpacked XML, not the size the sheet declares (which may be wrong or
    missing). Counting stops past ``BACKGROUND_ROWS``: the caller only asks whether the file is
    large; a workbook that unpacks to more than ``BACKGROUND_XLSX_BYTES`` counts as large too.
    Raises ``TableError`` for a workbook that is damaged or unpacks to far too much."""
    rows = count_rows(
        name=name, data=data, stop_after=BACKGROUND_ROWS + 2, heavy_bytes=BACKGROUND_XLSX_BYTES
    )
    return max(rows - 1, 0)


def voice_import_job_start(
    *, actor: Actor, name: str, data: bytes, only_valid: bool, language: str = "vi"
) -> VoiceImportJob:
    """Keep the file, record the job and queue its import (``voice_import_job_run``)."""
    from django.core.files.base import ContentFile

    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    job = VoiceImportJob(
        created_by=actor.user,
        original_name=name[:255],
        only_valid=only_valid,
        language=language,
        ip_address=actor.ip,
        user_agent=actor.user_agent[:255],
    )
    # A random stored name: the officer's file name stays only in ``original_name``.
    job.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(data), save=False)
    with transaction.atomic():
        job.save()
        audit_record(
            actor=actor,
            action="voice.import_queued",
            obj=job,
            changes={"file": job.original_name, "bytes": len(data), "only_valid": only_valid},
        )
    # Committed first, so that a worker always finds the job.
    voice_import_job_run.enqueue(job.pk)
    return job


class _ProgressWriter:
    """Writes ``rows_done`` while the import's own transaction is still open.

    On PostgreSQL through a second connection that commits each update at once, so the page sees
    the progress; SQLite has a single writer, so there the count only arrives with the result.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        alias = router.db_for_write(VoiceImportJob)
        self.connection = (
            connections.create_connection(alias)
            if connections[alias].vendor == "postgresql"
            else None
        )

    def __call__(self, done: int) -> None:
        if self.connection is None:
            return
        table = self.connection.ops.quote_name(VoiceImportJob._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET rows_done = %s, heartbeat_at = %s WHERE id = %s",  # noqa: S608 - a table name, not input
                [done, timezone.now(), self.job_id],
            )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


class _Heartbeat:
    """Writes the job's ``heartbeat_at`` every ``HEARTBEAT_SECONDS`` while the job runs.

    From a thread with its own connection, so the beat is committed at once while the import's
    transaction is open (on SQLite, whose single writer is the import, beats wait for its end).
    A worker killed mid-import stops beating; ``voice_import_jobs_reap`` then retries the job.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"import-job-{job_id}-heartbeat", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(HEARTBEAT_SECONDS):
                try:
                    VoiceImportJob.objects.filter(
                        pk=self.job_id, status=ImportJobStatus.RUNNING
                    ).update(heartbeat_at=timezone.now())
                except DatabaseError:  # a lost connection or SQLite's lock: the next beat
                    logger.warning("No heartbeat for import job %s", self.job_id, exc_info=True)
                    connections.close_all()
        finally:
            connections.close_all()  # this thread's own


def _job_update(job: VoiceImportJob, **changes: Any) -> None:
    for key, value in changes.items():
        setattr(job, key, value)
    VoiceImportJob.objects.filter(pk=job.pk).update(**changes)


def _job_retry_or_fail(job: VoiceImportJob, *, abandon: bool = True) -> bool:
    """A running job whose worker stopped (or lost its database): queued again, or failed after
    ``DANVAN_TASK_MAX_ATTEMPTS`` attempts. Nothing of an interrupted attempt was kept (the import
    is one transaction, finished together with the job), so the next one starts from the first
    row. ``abandon``: fail the task rows its dead worker left running. Returns whether this call
    changed the job (another reaper may have been quicker)."""
    with translation.override(job.language):
        if job.attempts < max_attempts():
            changes: dict[str, Any] = {
                "status": ImportJobStatus.QUEUED,
                "rows_done": 0,
                "heartbeat_at": None,
                "error": _(
                    "The import was interrupted (the background worker stopped or lost its "
                    "database); nothing from it was kept. It starts again by itself: attempt "
                    "%(attempt)s of %(max)s."
                )
                % {"attempt": job.attempts + 1, "max": max_attempts()},
            }
        else:
            changes = {
                "status": ImportJobStatus.FAILED,
                "rows_done": 0,
                "error": ngettext(
                    "The import was interrupted %(count)s time (the background worker stopped "
                    "or lost its database). Nothing from this file was imported. Try again "
                    "later, or tell the system administrator.",
                    "The import was interrupted %(count)s times (the background worker stopped "
                    "or lost its database). Nothing from this file was imported. Try again "
                    "later, or tell the system administrator.",
                    job.attempts,
                )
                % {"count": job.attempts},
                "finished_at": timezone.now(),
            }
    with transaction.atomic():
        changed = VoiceImportJob.objects.filter(
            pk=job.pk, status=ImportJobStatus.RUNNING, attempts=job.attempts
        ).update(**changes)
        if changed and abandon:  # only once the job is ours: its worker may be alive after all
            task_rows_abandon(
                voice_import_job_run.module_path, [job.pk], reason="its import job is being retried"
            )
        if changed and changes["status"] == ImportJobStatus.QUEUED:
            transaction.on_commit(lambda: voice_import_job_run.enqueue(job.pk))
    if changed:
        for key, value in changes.items():
            setattr(job, key, value)
        logger.warning("Voice import job %s: %s", job.pk, changes["status"])
    return bool(changed)


def voice_import_jobs_reap(*, job: VoiceImportJob | None = None) -> int:
    """Retry (or, after its attempts, fail) each running job whose heartbeat has stopped.

    Every worker runs it each minute (``danvan.lib.worker.reap``), so does ``manage.py
    reap_tasks``; the job's page runs it for its job, so an officer never watches a dead job.
    Returns the number of jobs changed.
    """
    cutoff = timezone.now() - stale_after()
    stale = models.Q(heartbeat_at__lt=cutoff) | models.Q(
        heartbeat_at__isnull=True, created_at__lt=cutoff
    )
    jobs = VoiceImportJob.objects.filter(stale, status=ImportJobStatus.RUNNING)
    if job is not None:
        jobs = jobs.filter(pk=job.pk)
    changed = 0
    for stale_job in jobs:
        if _job_retry_or_fail(stale_job):
            changed += 1
            if job is not None:
                job.refresh_from_db()
    return changed


@task(queue_name=PEOPLE_QUEUE, priority=PEOPLE_PRIORITY)
def voice_import_job_run(job_id: int) -> None:
    """Import a queued job's file; the job ends done (with its report) or failed, never half-done.

    Queued again when its worker or database is lost (``_job_retry_or_fail``). On the people's
    queue, so that an officer's upload never waits behind analysis.
    """
    # Taken in one statement: of two workers handed the same job, one runs it.
    claimed = VoiceImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING,
        heartbeat_at=timezone.now(),
        attempts=models.F("attempts") + 1,
    )
    if not claimed:
        return  # already taken by another worker, finished, or gone
    job = VoiceImportJob.objects.select_related("created_by").get(pk=job_id)
    with _Heartbeat(job.pk):
        _job_run(job)


def _job_run(job: VoiceImportJob) -> None:
    actor = Actor(user=job.created_by, ip=job.ip_address, user_agent=job.user_agent)
    with translation.override(job.language):
        try:
            with job.file.open("rb") as stored:
                data = stored.read()
            try:
                rows = parse_voice_file(name=job.original_name or job.file.name, data=data)
            except TableError as exc:
                _job_update(
                    job,
                    status=ImportJobStatus.FAILED,
                    error=str(exc),
                    finished_at=timezone.now(),
                )
                return
            _job_update(job, rows_total=len(rows))
            progress = _ProgressWriter(job.pk)
            # The job is done in the import's own transaction: a worker killed before the commit
            # leaves neither voices nor a finished job (the retry imports the file anew), one
            # killed after it leaves both (the retry finds the job done and does nothing).
            with transaction.atomic():
                try:
                    report = voices_import(
                        actor=actor, rows=rows, only_valid=job.only_valid, progress=progress
                    )
                finally:
                    progress.close()
                _job_update(
                    job,
                    status=ImportJobStatus.DONE,
                    rows_done=len(rows),
                    imported=report.imported,
                    error="",
                    report=[
                        {
                            "line": row.line,
                            "unit_code": row.unit_code,
                            "text": row.text[:200],
                            "errors": row.errors,
                        }
                        for row in report.error_rows
                    ],
                    finished_at=timezone.now(),
                )
        except DB_ERRORS:
            # The connection was cut or the server restarted: the transaction went with it.
            logger.exception("voice import job %s lost its database", job.pk)
            connection = connections[router.db_for_write(VoiceImportJob)]
            if not connection.in_atomic_block:  # reconnect if the connection is broken
                connection.close_if_unusable_or_obsolete()
            _job_retry_or_fail(job, abandon=False)
        except Exception:
            logger.exception("voice import job %s failed", job.pk)
            # The import's transaction was rolled back: no voice of this file was kept.
            _job_update(
                job,
                status=ImportJobStatus.FAILED,
                rows_done=0,
                error=_(
                    "The import stopped because of an error in the system. Nothing from this "
                    "file was imported. Try again later, or tell the system administrator."
                ),
                finished_at=timezone.now(),
            )


def voice_import_job_visible(job: VoiceImportJob, user: Any) -> bool:
    """The officer who started it, or one whose scope covers all of theirs, sees the job."""
    if user is None or not user.is_authenticated:
        return False
    if job.created_by_id == user.pk:
        return True
    # Two scopes compared (one covers the other), which no filter on the records expresses.
    mine, theirs = scope_for(user, Capability.ACT), scope_for(job.created_by, Capability.ACT)
    if mine.is_global:
        return True
    if theirs.is_global or theirs.is_empty:
        return False
    return all(mine.covers(prefix) for prefix in theirs.prefixes)


def voice_template_xlsx(*, session: bool = False) -> bytes:
    from danvan.lib.xlsx import new_workbook, sheet_append, sheet_start, workbook_bytes

    header, examples = _template_rows(session=session)
    workbook = new_workbook()
    columns = [(title, 50 if title == TITLES["text"] else 16) for title in header]
    sheet = sheet_start(workbook, "Kien nghi cu tri" if session else "Y kien", columns)
    for example in examples:
        sheet_append(sheet, example)
    return workbook_bytes(workbook)


def voice_template_csv(*, session: bool = False) -> bytes:
    from danvan.lib.xlsx import csv_bytes

    header, examples = _template_rows(session=session)
    return csv_bytes([header, *examples])


def _template_rows(*, session: bool) -> tuple[list[str], list[list[str]]]:
    text = "Đường liên thôn xuống cấp, đề nghị sửa chữa trước mùa mưa."
    if session:
        return (
            [TITLES[f] for f in ("topic", "unit_code", "text", "joint", "name", "address")],
            [["Hạ tầng, giao thông, xây dựng", "17329", text, "Không", "Nguyễn Văn An", "Xóm 1"]],
        )
    return (
        [
            TITLES[f]
            for f in (
                "kind",
                "topic",
                "unit_code",
                "text",
                "received_on",
                "name",
                "contact",
                "address",
            )
        ],
        [
            [
                "Phản ánh",
                "infrastructure",
                "17329",
                text,
                "02/11/2026",
                "Nguyễn Văn An",
                "0912345678",
                "Xóm 1",
            ],
            [
                "Khiếu nại lần đầu",
                "land",
                "17329-001",
                "Chưa nhận được tiền bồi thường khi thu hồi đất.",
                "2026-11-03",
                "Trần Thị Bình",
                "",
                "",
            ],
        ],
    )


__all__ = [
    "TableError",
    "VoiceImportReport",
    "VoiceImportRow",
    "estimate_rows",
    "parse_voice_file",
    "voice_import_job_run",
    "voice_import_job_start",
    "voice_import_job_visible",
    "voice_import_jobs_reap",
    "voice_template_csv",
    "voice_template_xlsx",
    "voices_bulk_create",
    "voices_import",
    "voices_validate",
]
