"""Formalism flags keep what the check found as numbers (``details``) and write the sentence when
it is read, in the reader's language. Existing rows keep their sentence, renamed
``legacy_reason``, and stay readable as they were; the next run of the checks fills ``details``
(keeping a dismissal when the old sentence says what the new numbers say)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("skillful", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(
            model_name="formalismflag", old_name="reason", new_name="legacy_reason"
        ),
        migrations.AlterField(
            model_name="formalismflag",
            name="legacy_reason",
            field=models.TextField(blank=True, verbose_name="reason (written before 2026-11)"),
        ),
        migrations.AddField(
            model_name="formalismflag",
            name="details",
            field=models.JSONField(blank=True, default=dict, verbose_name="what the check found"),
        ),
    ]
