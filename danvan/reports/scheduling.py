"""Monthly and quarterly drafts made in the background on the first working day after the period.

``run_report_drafts`` (daily, from cron) asks ``drafts_due`` which (body, period) pairs are due
today and queues ``report_scheduled_draft_task`` for each; the task drafts the report and tells
the body's officers. A day is due for a period when it lies between the first working day after
the period (``deadlines``' calendar, with its exceptions) and the seven days after it, so a missed
run catches up; the unique scheduled draft per body and period makes every repeat a no-op.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from danvan.audit.context import Actor
from danvan.deadlines.selectors import working_calendar
from danvan.lib.worker import BATCH_QUEUE
from danvan.notifications.models import NotificationKind
from danvan.notifications.services import notify
from danvan.organizations.models import Body
from danvan.organizations.selectors import body_officers
from danvan.reports.models import Report
from danvan.reports.periods import ReportPeriod, parse_period, period_containing
from danvan.reports.services import report_generate, report_link, scheduled_body_kinds

__all__ = ["CATCH_UP_DAYS", "Due", "drafts_due", "report_scheduled_draft", "run_report_drafts"]

logger = logging.getLogger(__name__)

#: A missed daily run still drafts the period's report within this many days.
CATCH_UP_DAYS = 7


@dataclass(frozen=True)
class Due:
    body_id: int
    period_code: str


def periods_due(today: datetime.date) -> list[ReportPeriod]:
    """The periods whose scheduled drafts are due on ``today``."""
    calendar = working_calendar()
    due = []
    for kind in settings.DANVAN_REPORTS_SCHEDULED_PERIODS:
        if kind not in {"month", "quarter", "half", "year"}:
            continue
        period = period_containing(kind, today).previous()
        first = calendar.next_working_day(period.end + datetime.timedelta(days=1))
        if first <= today <= first + datetime.timedelta(days=CATCH_UP_DAYS):
            due.append(period)
    return due


def drafts_due(today: datetime.date) -> list[Due]:
    periods = periods_due(today)
    if not periods:
        return []
    bodies = list(
        Body.objects.filter(kind__in=scheduled_body_kinds(), is_active=True)
        .exclude(short_name="")
        .values_list("pk", flat=True)
    )
    done = set(
        Report.objects.filter(
            is_scheduled=True, body_id__in=bodies, period_code__in=[p.code for p in periods]
        ).values_list("body_id", "period_code")
    )
    return [
        Due(body_id, period.code)
        for period in periods
        for body_id in bodies
        if (body_id, period.code) not in done
    ]


def report_scheduled_draft(*, body_id: int, period_code: str) -> Report | None:
    """Draft one scheduled report and tell the body's officers; None if it already exists."""
    body = Body.objects.select_related("unit", "parent").get(pk=body_id)
    period = parse_period(period_code)
    actor = Actor.system("report-schedule")
    with transaction.atomic():
        if Report.objects.filter(body=body, period_code=period.code, is_scheduled=True).exists():
            return None
        try:
            report = report_generate(actor=actor, body=body, period=period, scheduled=True)
        except ValidationError as error:
            logger.warning("No scheduled report for %s %s: %s", body, period.code, error)
            return None
        with translation.override("vi"):
            notify(
                actor=actor,
                recipients=body_officers(body),
                title=_("The draft report for %(period)s is ready: %(title)s")
                % {"period": period.label(), "title": report.title},
                body=_("Read the figures, write the proposals and submit it for approval."),
                link=report_link(report),
                kind=NotificationKind.REPORT_DRAFT,
                obj=report,
                unit=report.unit,
                dedup_key=f"report-draft-{report.pk}",
            )
    return report


@task(queue_name=BATCH_QUEUE)
def report_scheduled_draft_task(body_id: int, period_code: str) -> int | None:
    report = report_scheduled_draft(body_id=body_id, period_code=period_code)
    return report.pk if report else None


def run_report_drafts(*, today: datetime.date, inline: bool = False) -> list[Due]:
    """Queue (or, ``inline``, write now) every scheduled draft due ``today``."""
    due = drafts_due(today)
    for item in due:
        if inline:
            report_scheduled_draft(body_id=item.body_id, period_code=item.period_code)
        else:
            report_scheduled_draft_task.enqueue(item.body_id, item.period_code)
    return due
