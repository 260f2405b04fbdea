"""Two-factor authentication: asked of anyone who enrolled, enforced for the configured roles."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from danvan.accounts.twofactor import has_confirmed_device, two_factor_required

_EXEMPT_PREFIXES = ("/static/", "/i18n/", "/healthz")


class TwoFactorEnforcementMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr]
            and not self._exempt(request.path)
        ):
            if has_confirmed_device(user):
                return redirect(f"{reverse('accounts:otp_verify')}?next={request.get_full_path()}")
            if two_factor_required(user):
                return redirect(reverse("accounts:otp_setup"))
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        accounts = reverse("accounts:login").rsplit("/", 2)[0] + "/"
        return path.startswith(accounts) or path.startswith(_EXEMPT_PREFIXES) or path.startswith(
            "/" + settings.STATIC_URL.lstrip("/")
        )
