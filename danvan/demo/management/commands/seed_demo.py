from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from danvan.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Build the demo province (Nghệ An) with its communes, villages, bodies and accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            help="Give every new demo account this password instead of a random one.",
        )
        parser.add_argument(
            "--voices",
            type=int,
            default=None,
            help="How many demo voices to create (default: the full demo; 0: none).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = seed_demo(password=options.get("password"), voices=options.get("voices"))
        for line in report.lines:
            self.stdout.write(f"  {line}")
        if report.created_accounts:
            self.stdout.write(
                self.style.SUCCESS("\nDemo accounts (passwords are shown only this once):")
            )
            width = max(len(u) for u, _r, _p in report.created_accounts)
            for username, role, password in report.created_accounts:
                self.stdout.write(f"  {username.ljust(width)}  {password}  ({role})")
            self.stdout.write(
                "  The system administrator must set up an authenticator app at first login "
                "(TWO_FACTOR_REQUIRED_ROLES).\n"
            )
        else:
            self.stdout.write(
                "Demo accounts already exist; their passwords were printed when created."
            )
