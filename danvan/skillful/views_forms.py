"""What the skillful pages share when they hand a posted form to a service."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from danvan.lib.forms import add_service_errors
from danvan.skillful.services_common import StaleModelError

T = TypeVar("T")


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    call: Callable[[], T],
    success: Callable[[T], str],
) -> tuple[T, int] | tuple[None, int]:
    """Call a service with a valid form's data. Done: the user is told ``success(result)``, and
    the result comes back with 200. Refused: the reasons go on the form, and None comes back with
    400, or 409 when a colleague changed the model since the page was shown."""
    try:
        result = call()
    except StaleModelError as exc:
        form.add_error(None, exc.messages)
        return None, 409
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None, 400
    messages.success(request, success(result))
    return result, 200


def posted_version(request: HttpRequest) -> int | None:
    """The model's version the page showed; None from an older page without it."""
    posted = request.POST.get("version", "")
    return int(posted) if posted.isdigit() else None
