"""Two-factor authentication: asked of anyone who enrolled, enforced for the configured roles."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

from danvan.accounts.twofactor import has_confirmed_device, two_factor_required

#: Pages a signed-in user who has not passed the second step may still open. Only these: the
#: rest of ``accounts/`` (profile, password change, turning 2FA off, enrolling a new
#: authenticator) must not be reachable with a password alone.
_OPEN_VIEWS = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "set_language",
        "web:health",
    }
)


class TwoFactorEnforcementMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path_info.startswith(_static_prefix())
        ):
            view_name = _view_name(request)
            if view_name in _OPEN_VIEWS:
                return self.get_response(request)
            if has_confirmed_device(user):
                if view_name != "accounts:otp_verify":
                    query = urlencode({"next": request.get_full_path()})
                    return redirect(f"{reverse('accounts:otp_verify')}?{query}")
            elif two_factor_required(user) and view_name != "accounts:otp_setup":
                return redirect(reverse("accounts:otp_setup"))
        return self.get_response(request)


def _static_prefix() -> str:
    return "/" + settings.STATIC_URL.lstrip("/")


def _view_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None
