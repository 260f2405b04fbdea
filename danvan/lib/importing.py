"""One import framework for every spreadsheet an officer uploads (nhập từ file Excel/CSV).

Every importer (villages, models, voices, voter recommendations...) follows the same steps, and
the steps live here once:

1. **Columns.** The importer declares its columns (``Column``: field key, the title in the
   officer's language, other titles it accepts, required or not, an example, a width). The file
   is read through ``danvan.lib.tables.read_table`` (encodings, disguised files, zip bombs): a
   file that cannot be read at all raises ``TableError``, a cell that cannot be read is an error
   on its row.
2. **Rows.** Each row becomes the importer's own ``ImportRow`` subclass: its ``line`` in the file,
   the typed values, the ``cells`` as read (kept for the error workbook) and ``errors``, the
   messages the officer must act on. ``ImportRow.error(message, column=...)`` records an error
   on one cell, so that the report and the error workbook name the column as well as the line.
3. **Validate** (the preview): every row checked as the app's service would check it, writing
   nothing; ``ImportReport`` holds the rows, which are wrong (``error_rows``) and which would be
   written (``valid_rows``).
4. **Commit**, through the app's own services (each writes its audit row): all rows or, when the
   officer asks, only the valid ones; when any row has an error and only the valid rows were not
   asked for, nothing is written and ``imported`` is 0. ``commit_each`` does it row by row
   through a service, each row in a savepoint; an importer that writes in bulk does it itself.
5. **Progress.** ``commit`` takes an optional ``progress`` callable (``Progress``), told the rows
   written so far (every ``PROGRESS_EVERY`` rows, and at the end); a background job (voices'
   ``VoiceImportJob``) stores it where its page polls it.
6. **Error workbook.** The rejected rows with their line and errors as an .xlsx with the
   template's columns (``Importer.error_workbook``): the officer fixes them and uploads that file
   again (the extra "Dòng" and "Lỗi" columns are ignored on the way back in).
7. **Templates.** The .xlsx and .csv templates are written from the column declaration and the
   importer's example rows (``Importer.template_xlsx``, ``template_csv``).

How an importer plugs in (``danvan/units/importing.py`` is a short example)::

    @dataclass(kw_only=True)
    class VillageRow(ImportRow):          # the typed values of one row
        commune_code: str
        name: str

    class VillageImporter(Importer[VillageRow]):
        name = "mau-thon-to-dan-pho"      # the downloads' file names
        sheet = "Thon - To dan pho"       # the template's sheet
        max_rows = 20_000
        columns = Columns(
            Column("commune_code", "Mã xã", aliases=("ma don vi cap xa",), required=True),
            Column("name", "Tên", required=True, width=30),
        )
        examples = [{"commune_code": "17329", "name": "Xóm 1"}]

        def __init__(self, *, default_commune: str = "") -> None:   # the page's options
            self.default_commune = default_commune

        def parse_row(self, raw: Row) -> VillageRow:    # cells → values, or errors on the row
            ...
        def validate(self, *, actor, rows) -> ImportReport[VillageRow]:   # writes nothing
            ...
        def write(self, *, actor, row) -> object:   # one row through the app's service
            ...
        # or, to write in bulk (the villages do, through ``villages_import``):
        def commit(self, *, actor, rows, only_valid, progress=None) -> ImportReport[VillageRow]:
            ...

The page is one call in the app's view, which keeps its own permission checks::

    return import_page(request, VillageImporter(default_commune=commune.code),
                       actor=Actor.from_request(request), form_class=VillageImportForm,
                       template_name="units/village_import.html", ...)

and its template extends ``web/import.html`` (in ``danvan/web/templates``, where the shared
templates live), filling the blocks of the heading, the help and the report's columns. The page
offers "Check without importing" (the preview) and, when rows were rejected, their error workbook;
``template_download`` (``lib.forms``) serves the templates.

``lib`` knows no app: the actor is the caller's (``danvan.audit.context.Actor``), passed through.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from danvan.lib.forms import SpreadsheetImportForm, import_outcome
from danvan.lib.tables import Row, TableError, read_table
from danvan.lib.text import fold
from danvan.lib.xlsx import (
    csv_bytes,
    new_workbook,
    sheet_append,
    sheet_start,
    workbook_bytes,
    xlsx_response,
)

__all__ = [
    "PROGRESS_EVERY",
    "Column",
    "Columns",
    "ImportReport",
    "ImportRow",
    "Importer",
    "Progress",
    "RowError",
    "TableError",
    "commit_each",
    "import_page",
    "rejected_download",
    "rejected_token",
]

#: Rows written between two calls of an import's ``progress``.
PROGRESS_EVERY = 100
#: The error workbook's extra columns: the row's line in the uploaded file, and its errors.
LINE_TITLE = "Dòng"
ERRORS_TITLE = "Lỗi"
#: The posted field that carries the rejected rows back for their error workbook, and how long
#: the page's copy of them stays valid.
REJECTED_FIELD = "rejected_rows"
REJECTED_MAX_AGE = datetime.timedelta(hours=12)


class RowError(str):
    """An error on a row, a ``str`` like any other (it compares equal to its message), which may
    name the column (``column``: the field key; ``column_title``: its title) whose cell is wrong."""

    column: str | None
    column_title: str

    def __new__(cls, message: str, *, column: str | None = None, title: str = "") -> RowError:
        error = super().__new__(cls, message)
        error.column = column
        error.column_title = title
        return error


@dataclass(kw_only=True)
class ImportRow:
    """One row of an uploaded file; importers subclass it with the row's typed values."""

    #: 1-based line (or sheet row) in the file, the header included: what the officer sees.
    line: int
    #: What the officer must fix; empty for a valid row. Plain strings or ``RowError``.
    errors: list[str] = field(default_factory=list)
    #: The cells as read, by field key: written back into the error workbook.
    cells: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, message: str, *, column: str | None = None, title: str = "") -> None:
        """Record ``message`` on this row, on the cell of ``column`` when given."""
        self.errors.append(RowError(message, column=column, title=title))


R = TypeVar("R", bound=ImportRow)


@dataclass
class ImportReport(Generic[R]):
    """The rows of one upload, checked; ``imported`` rows were written (0: nothing was)."""

    rows: list[R]
    imported: int = 0
    #: Checked only (the preview): nothing was meant to be written.
    preview: bool = False

    @property
    def error_rows(self) -> list[R]:
        return [r for r in self.rows if not r.ok]

    @property
    def valid_rows(self) -> list[R]:
        return [r for r in self.rows if r.ok]


class Progress(Protocol):
    """Told the number of rows written so far."""

    def __call__(self, done: int, /) -> None: ...


@dataclass(frozen=True)
class Column:
    """A column of an import file."""

    #: The field the column fills ("commune_code"); also accepted as a title ("commune code").
    key: str
    #: Its title in the officer's language: the template's header and the error messages.
    title: str
    #: Other titles accepted, written any way (case, diacritics, "_" for spaces are ignored).
    aliases: tuple[str, ...] = ()
    #: A file without the column is refused (an importer may decide otherwise per upload).
    required: bool = False
    #: The column's width in the .xlsx template.
    width: int = 16


class Columns:
    """An importer's columns, in the template's order."""

    def __init__(self, *columns: Column) -> None:
        self._columns = list(columns)
        self.titles: dict[str, str] = {c.key: c.title for c in columns}
        #: Folded title → field key, as ``read_table`` looks titles up.
        self.aliases: dict[str, str] = {}
        for column in columns:
            for title in (column.title, column.key, *column.aliases):
                self.aliases.setdefault(fold(title).replace("_", " ").strip(" *:"), column.key)

    def __len__(self) -> int:
        return len(self._columns)

    def __iter__(self) -> Iterator[Column]:
        return iter(self._columns)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self._columns]

    @property
    def required(self) -> list[str]:
        return [c.key for c in self._columns if c.required]

    def read(
        self, *, name: str, data: bytes, max_rows: int, required: Iterable[str] | None = None
    ) -> list[Row]:
        """The file's rows keyed by field (``lib.tables.read_table``); ``TableError`` when the
        file as a whole cannot be read or lacks a required column."""
        return read_table(
            name=name,
            data=data,
            aliases=self.aliases,
            required=self.required if required is None else list(required),
            max_rows=max_rows,
            titles=self.titles,
        )


class Importer(Generic[R]):
    """An app's importer: its columns, how a row is read, checked and written (see the module).

    Options of one upload (a default commune, a session) are the instance's attributes.
    """

    #: The downloads' file name, without extension ("mau-thon-to-dan-pho").
    name: ClassVar[str]
    #: The title of the template's sheet (Excel allows 31 characters).
    sheet: ClassVar[str]
    columns: ClassVar[Columns]
    #: The template's example rows, by field key.
    examples: ClassVar[Sequence[Mapping[str, str]]] = ()
    #: The most rows one file may have.
    max_rows: ClassVar[int] = 2_000

    def required(self) -> list[str]:
        """The columns this upload must have; by default the columns declared required."""
        return self.columns.required

    def parse(self, *, name: str, data: bytes) -> list[R]:
        """Rows of the file; a cell that cannot be understood becomes an error on its row.
        Raises ``TableError`` when the file as a whole cannot be read."""
        table = self.columns.read(
            name=name, data=data, max_rows=self.max_rows, required=self.required()
        )
        rows: list[R] = []
        for raw in table:
            row = self.parse_row(raw)
            row.cells = raw.values
            rows.append(row)
        return rows

    def parse_row(self, raw: Row) -> R:
        """One row's cells turned into values; ``raw.errors`` (what the reader found) belong in
        the row's errors."""
        raise NotImplementedError

    def validate(self, *, actor: Any, rows: list[R]) -> ImportReport[R]:
        """Check every row as the service would; writes nothing."""
        raise NotImplementedError

    def commit(
        self, *, actor: Any, rows: list[R], only_valid: bool, progress: Progress | None = None
    ) -> ImportReport[R]:
        """Check and write the rows through the app's services (all or, with ``only_valid``,
        the valid ones); nothing is written while any row has an error otherwise.

        By default row by row through ``write`` (``commit_each``), checked and written in one
        transaction; an importer that writes in bulk overrides this instead."""
        with transaction.atomic():
            return commit_each(
                self.validate(actor=actor, rows=rows),
                lambda row: self.write(actor=actor, row=row),
                only_valid=only_valid,
                progress=progress,
            )

    def write(self, *, actor: Any, row: R) -> object:
        """Write one checked row through the app's service (which records its audit row); a
        ``ValidationError`` or ``PermissionDenied`` becomes the row's errors."""
        raise NotImplementedError

    def error(self, row: ImportRow, message: str, *, column: str | None = None) -> None:
        """Record ``message`` on ``row``, on the cell of ``column`` (its title looked up)."""
        row.error(message, column=column, title=self.columns.titles.get(column or "", ""))

    # --- Files ---------------------------------------------------------------------------------

    def template_keys(self) -> list[str]:
        """The template's columns; by default all of them."""
        return self.columns.keys

    def template_xlsx(self) -> bytes:
        keys = self.template_keys()
        by_key = {c.key: c for c in self.columns}
        workbook = new_workbook()
        sheet = sheet_start(
            workbook, self.sheet, [(by_key[k].title, by_key[k].width) for k in keys]
        )
        for example in self.examples:
            sheet_append(sheet, [example.get(k, "") for k in keys])
        return workbook_bytes(workbook)

    def template_csv(self) -> bytes:
        keys = self.template_keys()
        return csv_bytes(
            [
                [self.columns.titles[k] for k in keys],
                *([example.get(k, "") for k in keys] for example in self.examples),
            ]
        )

    def error_workbook(self, rows: Iterable[ImportRow]) -> bytes:
        """The rows (the rejected ones) as an .xlsx: the line, the template's columns holding
        the cells as read, and the errors, each with its column's title when it has one."""
        return _error_workbook(self, [_rejected(row) for row in rows])


# --- Writing row by row ------------------------------------------------------------------------


def commit_each(
    report: ImportReport[R],
    write: Callable[[R], object],
    *,
    only_valid: bool,
    progress: Progress | None = None,
) -> ImportReport[R]:
    """Write the report's valid rows one by one through ``write`` (the app's service, which
    records its audit row), all or nothing unless ``only_valid``.

    Each row runs in a savepoint: a ``ValidationError`` or ``PermissionDenied`` (a race with
    another officer, at most: the rows were checked) becomes the row's errors. Then, when any
    row has an error and ``only_valid`` is false, everything is rolled back and ``imported``
    is 0. ``progress`` is told the rows written, every ``PROGRESS_EVERY`` and at the end.
    """
    with transaction.atomic():
        if report.error_rows and not only_valid:
            return report
        imported = 0
        for row in report.valid_rows:
            try:
                with transaction.atomic():
                    write(row)
            except ValidationError as exc:
                row.errors.extend(exc.messages)
            except PermissionDenied as exc:
                row.errors.append(str(exc))
            else:
                imported += 1
                if progress is not None and imported % PROGRESS_EVERY == 0:
                    progress(imported)
        if report.error_rows and not only_valid:
            transaction.set_rollback(True)
            imported = 0
        report.imported = imported
    if progress is not None and imported:
        progress(imported)
    return report


# --- The error workbook ------------------------------------------------------------------------


def _rejected(row: ImportRow) -> dict[str, Any]:
    """A row as the page keeps it for its error workbook (plain JSON)."""
    return {
        "line": row.line,
        "cells": dict(row.cells),
        "errors": [[getattr(e, "column_title", ""), str(e)] for e in row.errors],
    }


def _error_workbook(importer: Importer[Any], rejected: Sequence[Mapping[str, Any]]) -> bytes:
    keys = importer.template_keys()
    by_key = {c.key: c for c in importer.columns}
    workbook = new_workbook()
    sheet = sheet_start(
        workbook,
        importer.sheet,
        [(LINE_TITLE, 8), *((by_key[k].title, by_key[k].width) for k in keys), (ERRORS_TITLE, 60)],
    )
    for row in rejected:
        cells = row.get("cells") or {}
        errors = "\n".join(
            f"{title}: {message}" if title else str(message) for title, message in row["errors"]
        )
        sheet_append(sheet, [row["line"], *(cells.get(k, "") for k in keys), errors])
    return workbook_bytes(workbook)


def _salt(importer: Importer[Any]) -> str:
    return f"danvan.lib.importing.rejected:{importer.name}"


def rejected_token(importer: Importer[Any], rows: Iterable[ImportRow]) -> str:
    """The rejected rows, signed, for the page to post back for their error workbook: the page
    keeps no state, and the workbook holds only what the officer uploaded."""
    return signing.dumps([_rejected(r) for r in rows], salt=_salt(importer), compress=True)


def rejected_download(request: HttpRequest, importer: Importer[Any]) -> HttpResponse:
    """The error workbook of the rows the page posted back (``REJECTED_FIELD``)."""
    try:
        rejected = signing.loads(
            request.POST.get(REJECTED_FIELD, ""),
            salt=_salt(importer),
            max_age=REJECTED_MAX_AGE,
        )
    except signing.BadSignature:
        return HttpResponseBadRequest(
            _("The list of rejected rows has expired. Upload the file again.")
        )
    return xlsx_response(_error_workbook(importer, rejected), f"{importer.name}-loi.xlsx")


# --- The page ----------------------------------------------------------------------------------


def import_page(
    request: HttpRequest,
    importer: Importer[Any],
    *,
    actor: Any,
    template_name: str,
    imported_message: str,
    form_class: type[forms.Form] = SpreadsheetImportForm,
    context: Mapping[str, Any] | None = None,
    done_url: str | None = None,
) -> HttpResponse:
    """An import page: the upload form, then the report of the rows (or the preview), or the
    error workbook of the rejected rows when the page posts them back.

    The caller checks who may import first. ``imported_message`` has a ``%(count)s``; when every
    row was imported and ``done_url`` is given, the officer is sent there. The template (extending
    ``web/import.html``) gets ``form``, ``report``, ``file_error``, ``rejected`` (the signed
    rejected rows, for the error workbook's button) and ``context``.
    """
    if request.method == "POST" and REJECTED_FIELD in request.POST:
        return rejected_download(request, importer)
    form = form_class(request.POST, request.FILES) if request.method == "POST" else form_class()
    report: ImportReport[Any] | None = None
    file_error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = importer.parse(name=upload.name, data=upload.read())
        except TableError as exc:
            file_error = str(exc)
        else:
            if "preview" in request.POST:
                report = importer.validate(actor=actor, rows=rows)
                report.preview = True
            else:
                report = importer.commit(
                    actor=actor, rows=rows, only_valid=bool(form.cleaned_data.get("only_valid"))
                )
    status = import_outcome(
        request, form=form, file_error=file_error, report=report, imported_message=imported_message
    )
    if report is not None and report.preview and not report.error_rows:
        messages.info(
            request,
            _("%(count)s rows can be imported; nothing was written yet.")
            % {"count": len(report.rows)},
        )
    if done_url and report is not None and report.imported and not report.error_rows:
        return redirect(done_url)
    rejected = rejected_token(importer, report.error_rows) if report and report.error_rows else ""
    return render(
        request,
        template_name,
        {
            **(context or {}),
            "form": form,
            "report": report,
            "file_error": file_error,
            "rejected": rejected,
            "rejected_field": REJECTED_FIELD,
        },
        status=status,
    )
