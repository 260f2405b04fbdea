"""Attachments: only real photos and PDFs, no metadata left in photos, nothing lost on refusal."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.lib.testing import refused
from danvan.voices.attachments import attachment_add, attachment_check, sniff
from danvan.voices.models import Attachment, Topic, Voice
from danvan.voices.services import voice_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CITIZEN = Actor(user=None, ip="203.0.113.9", label="citizen")
GPS_IFD = 0x8825
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Camera app"  # Software
    exif[GPS_IFD] = {1: "N", 2: (18.0, 54.0, 30.0), 3: "E", 4: (105.0, 7.0, 12.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(GPS_IFD)  # the test file really carries a position
    return data


def png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Nguyễn Văn An")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def voice(world: Any) -> Voice:
    return voice_submit(
        actor=CITIZEN,
        kind="reflection",
        channel="web",
        unit=world.anh_son_village,
        topic=Topic.objects.get(code="environment", province=None),
        text="Khói từ lò gạch gây ô nhiễm.",
    )


def test_a_jpeg_is_stored_without_exif_or_gps(voice):
    attachment = attachment_add(
        actor=CITIZEN, voice=voice, upload=upload("IMG_1.jpg", jpeg_with_gps())
    )
    assert attachment.content_type == "image/jpeg"
    assert attachment.original_name == "IMG_1.jpg"
    with attachment.file.open("rb") as stored:
        data = stored.read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert not image.getexif().get_ifd(GPS_IFD)
        assert "exif" not in image.info
    assert b"PhoneMaker" not in data
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()


def test_the_stored_name_is_random_not_the_citizens(voice):
    attachment = attachment_add(
        actor=CITIZEN, voice=voice, upload=upload("nha-ong-A-so-12.jpg", jpeg_with_gps())
    )
    assert "nha-ong-A" not in attachment.file.name
    assert attachment.file.name.startswith("voices/attachments/")
    assert attachment.file.name.endswith(".jpg")


def test_png_text_chunks_are_dropped_and_transparency_kept(voice):
    attachment = attachment_add(
        actor=CITIZEN, voice=voice, upload=upload("a.png", png_with_text(), "image/png")
    )
    with attachment.file.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "PNG" and image.mode == "RGBA"
        assert "Author" not in image.info


def test_an_exe_renamed_jpg_is_refused(voice):
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500 + b"This program cannot be run in DOS mode"
    messages = refused(
        lambda: attachment_add(actor=CITIZEN, voice=voice, upload=upload("photo.jpg", exe))
    )
    assert "is not a photo (JPEG, PNG, WebP) or a PDF document" in messages[0]
    assert not Attachment.objects.exists()


def test_a_file_with_jpeg_magic_but_garbage_inside_is_refused(voice):
    messages = refused(
        lambda: attachment_check(upload("x.jpg", b"\xff\xd8\xff\xe0" + b"junk" * 50))
    )
    assert "not a readable image" in messages[0]


def test_an_oversized_file_is_refused(voice, settings):
    settings.DANVAN_ATTACHMENT_MAX_BYTES = 1000
    big = PDF_BYTES + b"0" * 2000
    messages = refused(
        lambda: attachment_add(
            actor=CITIZEN, voice=voice, upload=upload("big.pdf", big, "application/pdf")
        )
    )
    assert "is larger than" in messages[0]
    assert not Attachment.objects.exists()


def test_a_pdf_is_stored_as_it_is(voice):
    attachment = attachment_add(
        actor=CITIZEN, voice=voice, upload=upload("don.pdf", PDF_BYTES, "application/pdf")
    )
    assert attachment.content_type == "application/pdf"
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES
    assert AuditEntry.objects.filter(action="voice.attachment_add").count() == 1


def test_the_browsers_content_type_is_ignored(voice):
    attachment = attachment_add(
        actor=CITIZEN, voice=voice, upload=upload("scan.jpg", PDF_BYTES, "image/jpeg")
    )
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name.endswith(".pdf")


def test_a_fourth_attachment_is_refused(voice):
    for n in range(3):
        attachment_add(actor=CITIZEN, voice=voice, upload=upload(f"{n}.pdf", PDF_BYTES))
    refused(lambda: attachment_add(actor=CITIZEN, voice=voice, upload=upload("4.pdf", PDF_BYTES)))
    assert voice.attachments.count() == 3


def test_sniffing_knows_the_four_kinds():
    assert sniff(b"\xff\xd8\xff\xdb") == "image/jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\n") == "image/png"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"%PDF-1.7") == "application/pdf"
    assert sniff(b"GIF89a") is None


def test_a_webp_is_reencoded(voice):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(out, format="WEBP")
    attachment = attachment_add(actor=CITIZEN, voice=voice, upload=upload("a.webp", out.getvalue()))
    assert attachment.content_type == "image/webp"


def test_the_web_form_stores_up_to_three_attachments_with_the_voice(world):
    client = Client(REMOTE_ADDR="198.51.100.20")
    data = {
        "kind": "reflection",
        "topic": Topic.objects.get(code="environment", province=None).pk,
        "unit": world.anh_son.code,
        "unit_query": "Xã Anh Sơn",
        "text": "Nước thải đổ ra suối.",
        "attachments": [upload("a.jpg", jpeg_with_gps()), upload("b.pdf", PDF_BYTES)],
    }
    response = client.post(reverse("voices_public:submit"), data)
    assert response.status_code == 302
    voice = Voice.objects.get()
    assert sorted(voice.attachments.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/jpeg",
    ]


def test_the_web_form_refuses_four_attachments(world):
    client = Client(REMOTE_ADDR="198.51.100.21")
    client.cookies["django_language"] = "en"
    data = {
        "kind": "reflection",
        "topic": Topic.objects.get(code="environment", province=None).pk,
        "unit": world.anh_son.code,
        "text": "Nước thải đổ ra suối.",
        "attachments": [upload(f"{n}.pdf", PDF_BYTES) for n in range(4)],
    }
    response = client.post(reverse("voices_public:submit"), data)
    assert response.status_code == 200
    assert "Send at most 3 files" in response.content.decode()
    assert not Voice.objects.exists()
