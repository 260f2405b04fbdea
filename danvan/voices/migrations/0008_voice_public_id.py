# The Open311 id of each voice (danvan/voices/public_ids.py): added empty, filled for the voices
# that exist, then made required and unique. Not atomic: on PostgreSQL the fill is committed in
# batches before the column is altered.

import secrets

from django.db import migrations, models

import danvan.voices.public_ids

BATCH = 5000


def fill_public_ids(apps, schema_editor):
    Voice = apps.get_model("voices", "Voice")
    while True:
        ids = list(Voice.objects.filter(public_id__isnull=True).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        Voice.objects.bulk_update(
            [Voice(pk=pk, public_id=secrets.token_hex(8)) for pk in ids], ["public_id"]
        )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("voices", "0007_voice_issue_and_suggested_topic"),
    ]

    operations = [
        migrations.AddField(
            model_name="voice",
            name="public_id",
            field=models.CharField(editable=False, max_length=16, null=True, verbose_name="public id"),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="voice",
            name="public_id",
            field=models.CharField(
                default=danvan.voices.public_ids.new_public_id,
                editable=False,
                max_length=16,
                unique=True,
                verbose_name="public id",
            ),
        ),
    ]
