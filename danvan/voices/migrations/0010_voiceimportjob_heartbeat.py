from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("voices", "0009_voice_export_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="voiceimportjob",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="voiceimportjob",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
