"""The search index kept by the database: generated tsvector columns with GIN indexes on
PostgreSQL, FTS5 tables kept by triggers on SQLite (see ``danvan.search.schema``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from danvan.search.schema import install

    install(schema_editor.connection)


def backwards(apps, schema_editor):
    from danvan.search.schema import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("voices", "0007_voice_issue_and_suggested_topic"),
        ("insight", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
