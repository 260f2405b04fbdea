"""Who is told of an alert, and telling them (in the app, and by email after the commit).

The officers who may act of the commune's active bodies; from the caution level up also those of
the province's mass mobilization commission and Front committee; and of any body the voices were
taken to (``responsible_bodies``). ``alert_tell`` writes their notifications once per alert and
level, in the installation's language.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from danvan.alerts.models import Alert, AlertLevel
from danvan.audit.context import Actor
from danvan.lib.roles import Capability
from danvan.notifications.models import NotificationKind
from danvan.notifications.services import notify
from danvan.organizations.models import Body, BodyKind, Membership

__all__ = ["PROVINCE_BODY_KINDS", "alert_link", "alert_tell", "responsible_bodies"]

#: The bodies of the province told of an alert from the caution level up, besides the commune's.
PROVINCE_BODY_KINDS = (
    BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION,
    BodyKind.FRONT_COMMITTEE,
)


def alert_link(alert: Alert) -> str:
    return reverse("alerts:detail", args=[alert.pk])


def responsible_bodies(alert: Alert, extra_body_ids: tuple[int, ...] = ()) -> list[Body]:
    """The commune's active bodies; from the caution level up also the province's mass
    mobilization commission and Front committee; and any body the voices were taken to."""
    unit = alert.unit
    query = Q(unit_id=unit.pk)
    if alert.level >= AlertLevel.CAUTION and unit.parent_id is not None:
        query |= Q(unit_id=unit.parent_id, kind__in=PROVINCE_BODY_KINDS)
    if extra_body_ids:
        query |= Q(pk__in=extra_body_ids)
    return list(Body.objects.active().filter(query).order_by("pk"))


def alert_tell(*, actor: Actor, alert: Alert, bodies: list[Body]) -> int:
    recipients = [
        m.user
        for m in Membership.objects.active()
        .holding(Capability.ACT)
        .filter(body__in=bodies)
        .select_related("user")
        .order_by("user_id")
    ]
    # Stored notifications are written once, in the installation's language.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(level)s alert: %(rule)s in %(unit)s") % {
            "level": alert.level_text(),
            "rule": alert.get_rule_display(),
            "unit": alert.unit.name,
        }
        text = alert.reason_text()
    created = notify(
        actor=actor,
        recipients=recipients,
        kind=NotificationKind.ALERT,
        title=title,
        body=text,
        link=alert_link(alert),
        dedup_key=f"alert:{alert.pk}:{alert.level}",
        obj=alert,
        unit=alert.unit,
    )
    return len(created)
