from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, identify_hasher

from danvan.accounts.tests.helpers import PASSWORD


def test_passwords_are_stored_hashed_with_argon2(production_hashers, make_user):
    user = make_user("lan")

    user.refresh_from_db()
    assert type(get_hasher()) is Argon2PasswordHasher
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)
