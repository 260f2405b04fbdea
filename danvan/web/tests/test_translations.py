"""The Vietnamese catalogue is complete and the committed .mo is compiled from the .po."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "vi" / "LC_MESSAGES"


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(LOCALE / "django.po"))


def test_every_string_has_a_vietnamese_translation(catalogue):
    untranslated = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    assert untranslated == []


def test_no_translation_is_left_fuzzy(catalogue):
    assert [e.msgid for e in catalogue if "fuzzy" in e.flags] == []


def test_the_compiled_catalogue_matches_the_source(catalogue):
    compiled = polib.mofile(str(LOCALE / "django.mo"))
    source = {(e.msgid, e.msgstr) for e in catalogue if not e.obsolete and not e.msgid_plural}
    binary = {(e.msgid, e.msgstr) for e in compiled if e.msgid and not e.msgid_plural}
    assert source == binary, "recompile: manage.py compilemessages"


def test_placeholders_survive_translation(catalogue):
    import re

    placeholder = re.compile(r"%\(\w+\)s")
    for entry in catalogue:
        if entry.obsolete or entry.msgid_plural:
            continue
        assert sorted(placeholder.findall(entry.msgid)) == sorted(
            placeholder.findall(entry.msgstr)
        ), entry.msgid


def test_the_interface_speaks_vietnamese_by_default():
    with translation.override("vi"):
        assert translation.gettext("Home") == "Trang chủ"


@pytest.mark.parametrize(
    "po",
    sorted((Path(__file__).resolve().parents[2]).glob("**/locale/vi/LC_MESSAGES/django.po")),
    ids=lambda p: str(p.parent.parent.parent.parent.name),
)
def test_gettext_tools_can_read_the_catalogue(po):
    """``makemessages`` merges with GNU msgmerge, which refuses what polib lets through (e.g. a
    ``#| msgid_plural`` comment without its ``#| msgid``)."""
    import shutil
    import subprocess

    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext is not installed")
    result = subprocess.run(  # noqa: S603 - a fixed tool on a file of the repository
        [msgfmt, "--check-format", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_issuing_a_report_is_ban_hanh_not_the_noun_van_de():
    """ "Issue" the noun (an insight issue) is "Vấn đề"; the report's issue form issues a document
    ("Ban hành"), so its heading must not reuse the noun's msgid."""
    import re

    # The form is the shared fragment (reports/document/_issue_form.html); the report's page
    # passes it the heading.
    template = Path(__file__).resolve().parents[2] / "reports/templates/reports/detail.html"
    include = re.search(
        r'\{% translate "([^"]+)" as issue_heading %\}.*?\{% include "reports/document/'
        r'_issue_form.html" with [^%]*heading=issue_heading',
        template.read_text(encoding="utf-8"),
        re.S,
    )
    assert include
    heading = include
    with translation.override("vi"):
        assert translation.gettext(heading.group(1)).startswith("Ban hành")
        assert translation.gettext("Issue") == "Vấn đề"  # the noun, used elsewhere
