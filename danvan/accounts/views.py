from __future__ import annotations

from base64 import b32encode
from typing import Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token

from danvan.accounts.forms import DisableTwoFactorForm, LoginForm, TokenForm
from danvan.accounts.models import User
from danvan.accounts.services import otp_confirm, otp_disable, otp_pending_device
from danvan.accounts.twofactor import has_confirmed_device, two_factor_required
from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.organizations.models import Membership

OTP_FAILURE_LIMIT = 5


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            actor=Actor.from_request(self.request), action="auth.login", obj=form.get_user()
        )
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        username = (self.request.POST.get("username") or "")[:150]
        audit_record(
            actor=Actor(
                user=None,
                ip=Actor.from_request(self.request).ip,
                user_agent=self.request.META.get("HTTP_USER_AGENT", "")[:255],
                label=f"anonymous:{username}",
            ),
            action="auth.login_failed",
            changes={"username": username},
        )
        return super().form_invalid(form)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return str(settings.LOGIN_REDIRECT_URL and reverse_lazy(settings.LOGIN_REDIRECT_URL))


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step of login for users with an authenticator."""
    user = cast(User, request.user)  # login_required: never anonymous here
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(_safe_next(request))
    if not has_confirmed_device(user):
        return redirect("accounts:otp_setup")
    failures_key = f"otp-failures:{request.user.pk}"
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            cache.delete(failures_key)
            otp_login(request, device)
            audit_record(actor=Actor.from_request(request), action="auth.2fa_passed", obj=user)
            return redirect(_safe_next(request))
        failures = cache.get(failures_key, 0) + 1
        cache.set(failures_key, failures, timeout=15 * 60)
        audit_record(actor=Actor.from_request(request), action="auth.2fa_failed", obj=user)
        if failures >= OTP_FAILURE_LIMIT:
            from django.contrib.auth import logout

            logout(request)
            messages.error(request, _("Too many wrong codes. Log in again in a few minutes."))
            return redirect("accounts:login")
        form.add_error("token", _("This code is not right or has expired. Try the newest code."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, then type one code to confirm."""
    user = cast(User, request.user)  # login_required: never anonymous here
    if has_confirmed_device(user) and not request.user.is_verified():  # type: ignore[union-attr]
        # Replacing an authenticator needs the current one: a password alone is not enough.
        return redirect("accounts:otp_verify")
    device = otp_pending_device(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        if token.isdigit() and device.verify_token(token):
            codes = otp_confirm(actor=Actor.from_request(request), device=device)
            otp_login(request, device)
            return render(request, "accounts/otp_backup_codes.html", {"codes": codes})
        form.add_error(
            "token", _("This code is not right. Check the time on your phone and try again.")
        )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, title=_("QR code for your authenticator app")
    )
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            # Safe: SVG generated by segno from our own otpauth:// URI.
            "qr_svg": mark_safe(qr_svg),
            # Authenticator apps take the key in base32 when it is typed in by hand.
            "secret": b32encode(device.bin_key).decode().rstrip("="),
            "required": two_factor_required(user),
        },
    )


@login_required
def otp_disable_view(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    if two_factor_required(user):
        messages.error(
            request, _("Your role requires two-factor authentication; it cannot be turned off.")
        )
        return redirect("accounts:profile")
    form = DisableTwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if user.check_password(form.cleaned_data["password"]):
            otp_disable(actor=Actor.from_request(request), user=user)
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:profile")
        form.add_error("password", _("The password is wrong."))
    return render(request, "accounts/otp_disable.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    memberships = Membership.objects.filter(user=user).select_related("body", "body__unit")
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": memberships,
            "has_2fa": has_confirmed_device(user),
            "requires_2fa": two_factor_required(user),
        },
    )
