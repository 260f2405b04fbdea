"""The DOCX opens in LibreOffice and prints to a plausible number of A4 pages.

Runs only where LibreOffice is installed (``soffice`` on the PATH); CI does not install it, so the
tests skip there. The page count is read from the PDF without a PDF library: each page is an object
of ``/Type /Page`` (the page tree is ``/Type /Pages``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from danvan.reports.render import render_report
from danvan.reports.tests.render_samples import empty_snapshot, party_document, state_document

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")


def to_pdf(docx: bytes, directory: Path, name: str) -> bytes:
    source = directory / f"{name}.docx"
    source.write_bytes(docx)
    profile = directory / "profile"  # a profile of its own: no lock shared with other runs
    assert SOFFICE is not None
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(directory),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return (directory / f"{name}.pdf").read_bytes()


def page_count(pdf: bytes) -> int:
    return len(_PAGE.findall(pdf))


def test_a_full_report_prints_to_a_few_a4_pages(tmp_path):
    pdf = to_pdf(render_report(party_document()), tmp_path, "party")

    assert pdf.startswith(b"%PDF")
    assert 3 <= page_count(pdf) <= 8
    width, height = (float(v) for v in _MEDIA_BOX.search(pdf).groups())  # type: ignore[union-attr]
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points


def test_a_state_draft_and_an_empty_report_print_too(tmp_path):
    draft = to_pdf(render_report(state_document(draft=True)), tmp_path, "draft")
    empty = to_pdf(render_report(state_document(empty_snapshot())), tmp_path, "empty")

    assert 3 <= page_count(draft) <= 8
    assert 1 <= page_count(empty) <= 2
