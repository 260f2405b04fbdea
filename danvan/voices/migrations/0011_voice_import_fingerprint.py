"""Imports find their duplicates with ``Voice.import_fingerprint`` (an HMAC without the sender's
name), no longer with ``idempotency_key``, which the public API used to answer for any voice. The
column becomes ``submission_key``: keys the server makes (the citizens' form's token, the demo data).

Existing keys: an import's (``import:…``, ``voter-contact-<session>:…``) becomes the voice's
fingerprint, computed from the stored voice (a second voice with the same fingerprint, which
differed only by its sender's name, keeps none); a client's key from the API or Open311 is dropped
(the API now keeps keys per client, for 24 hours, in ``api.IdempotencyRecord``); the demo data's
``demo-…`` keys stay.
"""

import re

from django.db import migrations, models

from danvan.lib.text import fold
from danvan.voices.fingerprint import import_fingerprint

IMPORT_KEY = re.compile(r"^(import|voter-contact-\d+):")


def keys_to_fingerprints(apps, schema_editor):
    Voice = apps.get_model("voices", "Voice")
    taken: set[str] = set()
    changed = []
    voices = (
        Voice.objects.filter(idempotency_key__isnull=False)
        .exclude(idempotency_key__startswith="demo-")
        .select_related("unit")
        .order_by("pk")
    )
    for voice in voices.iterator(chunk_size=2000):
        match = IMPORT_KEY.match(voice.idempotency_key)
        voice.idempotency_key = None
        if match:
            fingerprint = import_fingerprint(
                scope=match.group(1),
                kind=voice.kind,
                unit_code=voice.unit.code,
                topic=str(voice.topic_id),
                folded_text=fold(voice.text),
                received_on=voice.received_on,
            )
            if fingerprint not in taken:
                taken.add(fingerprint)
                voice.import_fingerprint = fingerprint
        changed.append(voice)
        if len(changed) >= 2000:
            Voice.objects.bulk_update(changed, ["idempotency_key", "import_fingerprint"])
            changed = []
    if changed:
        Voice.objects.bulk_update(changed, ["idempotency_key", "import_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("voices", "0010_voiceimportjob_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="voice",
            name="import_fingerprint",
            field=models.CharField(
                blank=True, editable=False, max_length=64, null=True, unique=True
            ),
        ),
        migrations.RunPython(keys_to_fingerprints, migrations.RunPython.noop, elidable=True),
        migrations.RenameField(
            model_name="voice", old_name="idempotency_key", new_name="submission_key"
        ),
    ]
