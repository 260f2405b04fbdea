"""Background steps of insight, on the batch queue of django-tasks (``danvan.lib.worker``): an
import of 100,000 voices queues 100 of them, which must not hold up the next officer's upload."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import logging
from collections.abc import Iterator

from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from danvan.insight.services_matching import voice_analyse, voices_analyse
from danvan.insight.services_training import insight_train
from danvan.lib.worker import BATCH_QUEUE
from danvan.voices.models import Voice

logger = logging.getLogger(__name__)

#: Voices per task when a bulk import hands its voices over for grouping.
CHUNK = 1000


@task(queue_name=BATCH_QUEUE)
def voice_analyse_task(voice_id: int) -> None:
    """Suggest the topic of a voice just received and match it into an issue."""
    voice_analyse(voice_id=voice_id)


@task(queue_name=BATCH_QUEUE)
def voices_analyse_task(voice_ids: list[int]) -> int:
    """The same for a batch of voices (a bulk import), in the order given."""
    return voices_analyse(voice_ids)


@task(queue_name=BATCH_QUEUE)
def insight_train_task() -> int | None:
    """Retrain the topic classifier and relearn the grouping threshold (nightly)."""
    model = insight_train()
    return model.pk if model else None


_deferred: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "danvan_deferred_analysis", default=None
)


@contextlib.contextmanager
def deferred_analysis() -> Iterator[list[int]]:
    """Collect the voices submitted inside instead of queueing a task for each: for a caller
    that analyses them itself, in order, afterwards (the demo seed)."""
    collected: list[int] = []
    token = _deferred.set(collected)
    try:
        yield collected
    finally:
        _deferred.reset(token)


def analysis_on_commit(voice_ids: list[int]) -> None:
    """Queue the voices' analysis once they are committed, or, inside ``deferred_analysis``,
    hand them to the caller (decided now: the commit may come after the block has ended)."""
    collected = _deferred.get()
    if collected is not None:
        collected.extend(voice_ids)
        return
    transaction.on_commit(lambda: enqueue_analysis(voice_ids))


def enqueue_analysis(voice_ids: list[int]) -> None:
    """Hand voices over for analysis: one task for one voice, chunks for many.

    It runs after the voices' commit: a database that fails now (a cut connection) must not turn
    the citizen's answer into an error for a voice that is saved. The voices are then left
    unanalysed, and ``voices_unanalysed_requeue`` (a periodic job) queues them again."""
    try:
        if len(voice_ids) == 1:
            voice_analyse_task.enqueue(voice_ids[0])
            return
        for start in range(0, len(voice_ids), CHUNK):
            voices_analyse_task.enqueue(voice_ids[start : start + CHUNK])
    except DatabaseError:
        logger.warning(
            "Could not queue the analysis of %s voice(s); the periodic catch-up will",
            len(voice_ids),
            exc_info=True,
        )


#: Voices younger than this may still have their analysis on its way.
UNANALYSED_GRACE = datetime.timedelta(minutes=10)


def voices_unanalysed_requeue(*, limit: int = 5000) -> str:
    """Queue again the analysis of voices that never got one (their task was lost with the
    database after the commit): voices without an issue, received over ten minutes ago. Only
    while no analysis is waiting or running, so that a bulk import's queued chunks are not
    queued twice."""
    paths = [f"{__name__}.voice_analyse_task", f"{__name__}.voices_analyse_task"]
    waiting = DBTaskResult.objects.filter(task_path__in=paths, status__in=["READY", "RUNNING"])
    if waiting.exists():
        return "analysis still queued: nothing to catch up yet"
    before = timezone.now() - UNANALYSED_GRACE
    ids = list(
        Voice.objects.filter(issue__isnull=True, received_at__lt=before)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    if ids:
        enqueue_analysis(ids)
    return f"{len(ids)} voice(s) queued again for analysis"
