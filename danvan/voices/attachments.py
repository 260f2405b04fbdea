"""Attachments to a voice: photos and documents a citizen sends as evidence.

A file is accepted for what its bytes are, never for its name or the type the browser claims:
JPEG, PNG, WebP and PDF only. Images are decoded and re-encoded from their pixels, so that no
metadata survives (EXIF GPS position, camera serial, author, XMP, comments); a denouncer's photo
must not say where it was taken or by whom. PDFs are kept as sent. Stored names are random.

``attachment_check`` does all the checking and preparing without writing anything, so a caller
can check every file before it creates the voice (a bad file then loses nothing);
``attachment_add`` stores a checked file.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.voices import conf
from danvan.voices.models import Attachment, Voice

#: Larger images are refused before they are decoded (a "decompression bomb" is a small file
#: that expands to gigabytes of pixels). 40 megapixels is more than any phone camera.
MAX_PIXELS = 40_000_000

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
_EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf"}
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}


@dataclass(frozen=True)
class CheckedAttachment:
    """A file that passed the checks, ready to store: the bytes that will be kept."""

    content: bytes
    content_type: str
    original_name: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def sniff(head: bytes) -> str | None:
    """The content type that the first bytes of a file show, if it is one we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def _read(upload: IO[bytes], limit: int) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if not isinstance(data, bytes):
        raise ValidationError(_("The file could not be read."))
    return data


def _reencode(data: bytes, content_type: str, name: str) -> bytes:
    """Decode the image and encode its pixels again, with nothing but the pixels."""
    fmt = _PILLOW_FORMATS[content_type]
    damaged = ValidationError(
        _("“%(name)s” is not a readable image: the file may be damaged.") % {"name": name}
    )
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as opened:
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("“%(name)s” has too many pixels. Send a smaller photo.") % {"name": name}
                )
            opened.load()
            # Turn the picture the way the camera meant it, since the EXIF orientation goes.
            image = ImageOps.exif_transpose(opened)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise damaged from None
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if fmt == "JPEG":
        mode = "L" if image.mode == "L" else "RGB"
    else:
        mode = "RGBA" if has_alpha else ("L" if image.mode == "L" else "RGB")
    if image.mode != mode:
        image = image.convert(mode)
    # A fresh image from the raw pixels carries no ``info``: no EXIF, ICC, XMP or text chunks.
    clean = Image.frombytes(mode, image.size, image.tobytes())
    out = io.BytesIO()
    options: dict[str, Any] = {"optimize": True} if fmt == "PNG" else {"quality": 88}
    clean.save(out, format=fmt, **options)
    return out.getvalue()


def attachment_check(upload: Any) -> CheckedAttachment:
    """Check one uploaded file and prepare what will be stored; writes nothing.

    Raises ValidationError with a message the citizen can act on.
    """
    name = str(getattr(upload, "name", "") or "")[-255:]
    limit = conf.attachment_max_bytes()
    too_big = ValidationError(
        _("“%(name)s” is larger than %(max)s.") % {"name": name, "max": filesizeformat(limit)}
    )
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise too_big
    data = _read(upload, limit)
    if len(data) > limit:
        raise too_big
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    content_type = sniff(data[:16])
    if content_type is None:
        raise ValidationError(
            _(
                "“%(name)s” is not a photo (JPEG, PNG, WebP) or a PDF document, whatever its name "
                "says. Only these kinds of file are accepted."
            )
            % {"name": name}
        )
    if content_type != PDF:
        data = _reencode(data, content_type, name)
        if len(data) > limit:
            raise too_big
    return CheckedAttachment(content=data, content_type=content_type, original_name=name)


@transaction.atomic
def attachment_add(*, actor: Actor, voice: Voice, upload: Any | CheckedAttachment) -> Attachment:
    """Store one attachment of ``voice``: an uploaded file, or one already checked."""
    checked = upload if isinstance(upload, CheckedAttachment) else attachment_check(upload)
    if voice.attachments.count() >= conf.attachment_max_count():
        raise ValidationError(
            _("A voice can carry at most %(max)s attachments.")
            % {"max": conf.attachment_max_count()}
        )
    attachment = Attachment(
        voice=voice,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    random_name = f"{secrets.token_hex(16)}.{_EXTENSIONS[checked.content_type]}"
    attachment.file.save(random_name, ContentFile(checked.content), save=False)
    stored = attachment.file.name
    # A failure here must not leave the file behind. (If an outer transaction rolls back later,
    # the file stays as an orphan without a row: harmless, and no one can reach it.)
    try:
        attachment.save()
        audit_record(
            actor=actor,
            action="voice.attachment_add",
            obj=voice,
            unit=voice.unit,
            changes={
                "attachment": attachment.pk,
                "content_type": checked.content_type,
                "size": checked.size,
                "sha256": checked.sha256,
            },
        )
    except Exception:
        attachment.file.storage.delete(stored)
        raise
    return attachment
