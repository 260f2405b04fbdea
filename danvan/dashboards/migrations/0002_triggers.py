"""The triggers that keep the dashboards' facts and buckets current (PostgreSQL or SQLite), and
the first filling of both from the voices already there."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from danvan.dashboards import sql

    sql.rebuild(schema_editor.connection)


def backwards(apps: Any, schema_editor: Any) -> None:
    from danvan.dashboards import sql

    sql.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("voices", "0007_voice_issue_and_suggested_topic"),
        ("units", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
