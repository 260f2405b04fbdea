from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from danvan.audit.context import Actor
from danvan.notifications.models import Notification
from danvan.notifications.services import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 50


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's own notifications, newest first."""
    notifications = Notification.objects.visible_to(request.user)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": notifications.unread().count()},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with ``open``, go on to what it links to."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    notification_mark_read(actor=Actor.from_request(request), notification=notification)
    link = notification.link
    if (
        "open" in request.POST
        and link
        and url_has_allowed_host_and_scheme(
            link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(link)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(actor=Actor.from_request(request))
    return redirect("notifications:list")
