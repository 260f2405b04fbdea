"""``manage.py create_api_token USERNAME NAME``: make a token and print its key, once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from danvan.api.services import api_token_create
from danvan.audit.context import Actor


class Command(BaseCommand):
    help = "Make an API token for an officer and print its key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="What the token is for, e.g. 'commune dashboard'.")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: options["username"]})
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['username']!r}.") from exc
        try:
            token, key = api_token_create(
                actor=Actor.system("create_api_token"), user=user, name=options["name"]
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(f"Token {token.pk} ({token.name}) for {user.get_username()}. ")
        self.stderr.write("Keep the key now: it is not stored and cannot be shown again.")
        self.stdout.write(key)
