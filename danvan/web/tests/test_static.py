"""``collectstatic`` with the storage production uses (DEBUG off): the manifest storage fails on a
reference to a file that is not there (a vendored script's source map), and then every page that
names a static file is a 500."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.mark.django_db
def test_collectstatic_with_the_manifest_storage_succeeds_and_pages_name_hashed_files(
    settings, tmp_path, client
):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = PRODUCTION_STORAGES

    call_command("collectstatic", interactive=False, verbosity=0)

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    for name in ("danvan/app.css", "vendor/htmx.min.js", "vendor/leaflet-1.9.4/leaflet.js"):
        assert name in manifest
        assert (tmp_path / "static" / manifest[name]).exists()
    assert "sourceMappingURL" not in (
        tmp_path / "static" / manifest["vendor/leaflet-1.9.4/leaflet.js"]
    ).read_text(encoding="utf-8")
    # A page names the hashed files (the manifest is read as DEBUG off reads it).
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert f'/static/{manifest["danvan/app.css"]}"' in response.content.decode()
