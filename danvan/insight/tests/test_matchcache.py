"""The communes' matchers kept between matches (``matchcache``): the same results as reading the
database every time, never a stale one, nothing kept from a rolled-back transaction."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction

from danvan.audit.context import Actor
from danvan.insight import matchcache
from danvan.insight.models import Issue, IssueStatus
from danvan.insight.regroup import regroup
from danvan.insight.services import (
    issue_answer,
    issue_confirm,
    issue_merge,
    issue_split,
    voice_move,
)
from danvan.insight.services_matching import voice_match
from danvan.insight.tests.conftest import CITIZEN
from danvan.voices.models import Topic, Voice
from danvan.voices.services import voice_submit
from danvan.voices.services_routing import case_accept

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TEXTS = [
    "Đường xóm 7 bị ngập sâu mỗi khi mưa, nước tràn vào nhà dân",
    "Trạm y tế xã thiếu thuốc, bác sĩ không trực đêm",
    "duong xom 7 ngap nuoc qua, mua la ngap, xe ko di dc",
    "Đường xóm 3 bị sụt lún, nhiều ổ gà, xe máy ngã liên tục",
    "Cử tri xóm 7 đề nghị nâng cốt đường, đường ngập úng kéo dài sau mỗi trận mưa",
    "Mương thoát nước xóm 3 bị tắc cống, rác ứ đọng, bốc mùi hôi thối",
    "tram y te xa thieu thuoc, dem ko co bac si truc",
    "Đường xóm 5 bị sụt lún, nhiều ổ gà, xe máy ngã liên tục",
    "Kính gửi UBND xã, con đường xóm 7 ngập lụt, học sinh không đi học được",
    "duong xom 3 sut lun, o ga qua nhieu, xe may nga",
    "DUONG XOM 7 NGAP HET ROI, DE NGHI XA XU LY",
    "Nhà văn hoá xóm 3 xuống cấp, mái dột, tường nứt",
]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    matchcache.clear()
    yield
    matchcache.clear()  # states of rolled-back test transactions must not outlive the test


@pytest.fixture
def officer(commune_officer: Any) -> Actor:
    return Actor(user=commune_officer, ip="198.51.100.7", label="")


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The communes read from the database by ``voice_match`` (a cache miss each)."""
    seen: list[int] = []
    real = matchcache.load

    def counting(commune_id: int, threshold: float) -> matchcache.Entry:
        seen.append(commune_id)
        return real(commune_id, threshold)

    monkeypatch.setattr(matchcache, "load", counting)
    return seen


@pytest.fixture
def submit(world: Any) -> Callable[[str], Voice]:
    def make(text: str) -> Voice:
        return voice_submit(
            actor=CITIZEN,
            kind="reflection",
            channel="web",
            unit=world.anh_son_village,
            topic=Topic.objects.get(code="infrastructure", province=None),
            text=text,
            received_on=datetime.date(2026, 11, 2),
            submitter_name="Nguyễn Văn An",
        )

    return make


def committed_match(voice: Voice, capture: Any) -> Issue:
    """``voice_match`` as if its transaction committed (its on-commit steps run)."""
    with capture(execute=True):
        return voice_match(voice=voice)


def state(voices: list[Voice]) -> list[tuple[Any, ...]]:
    """The open issues as sets of the voices' positions, with what the matcher reads of them."""
    position = {v.pk: n for n, v in enumerate(voices)}
    result = []
    for issue in Issue.objects.filter(merged_into__isnull=True):
        members = frozenset(position[v] for v in issue.voices.values_list("pk", flat=True))
        result.append(
            (members, issue.status, issue.is_confirmed, issue.voice_count, repr(issue.signature))
        )
    return sorted(result, key=lambda row: sorted(row[0]))


def scenario(
    submit: Callable[[str], Voice],
    match: Callable[[Voice], Issue],
    officer: Actor,
) -> list[list[tuple[Any, ...]]]:
    """Voices arriving one by one, officers deciding between them; the state after each step."""
    voices: list[Voice] = []
    steps: list[list[tuple[Any, ...]]] = []

    def arrive(n: int) -> None:
        for text in TEXTS[len(voices) : len(voices) + n]:
            voice = submit(text)
            voices.append(voice)
            match(voice)
            steps.append(state(voices))

    def issue_of(n: int) -> Issue:
        voices[n].refresh_from_db()
        return Issue.objects.get(voices__pk=voices[n].pk)

    arrive(4)
    road = issue_of(0)
    issue_confirm(actor=officer, issue=road, expected_version=road.version)
    arrive(2)
    clinic, sunk = issue_of(1), issue_of(3)
    issue_merge(actor=officer, issue=clinic, into=sunk, expected_version=clinic.version)
    arrive(2)
    sunk = issue_of(3)
    issue_split(actor=officer, issue=sunk, voice_ids=[voices[1].pk], expected_version=sunk.version)
    arrive(1)
    voices[2].refresh_from_db()
    flood = issue_of(2)
    voice_move(actor=officer, voice=voices[2], to=None, expected_version=flood.version)
    arrive(2)
    drain = issue_of(5)
    for voice in Voice.objects.filter(issue=drain):
        case_accept(actor=officer, voice=voice, expected_version=voice.version)
    issue_answer(actor=officer, issue=drain, expected_version=drain.version, text="Đã nạo vét.")
    arrive(1)
    steps.append(state(voices))
    return steps


def test_matching_with_the_cache_gives_what_reading_the_database_every_time_gives(
    submit, officer, loads, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        cached = scenario(
            submit, lambda v: committed_match(v, django_capture_on_commit_callbacks), officer
        )
        transaction.set_rollback(True)
    used_cache = len(TEXTS) - len(loads)
    matchcache.clear()
    loads.clear()

    def uncached(voice: Voice) -> Issue:
        matchcache.clear()
        return voice_match(voice=voice)

    fresh = scenario(submit, uncached, officer)

    assert cached == fresh
    assert len(loads) == len(TEXTS)  # the reference read the commune every time
    # Each officer's decision made the next match read the commune again (5 of them, and the
    # first match); the other matches used the matcher kept from the previous one.
    assert used_cache == len(TEXTS) - 6


def test_a_match_whose_transaction_is_rolled_back_leaves_nothing_cached(
    submit, world, loads, django_capture_on_commit_callbacks
):
    first = submit(TEXTS[0])
    committed_match(first, django_capture_on_commit_callbacks)
    assert matchcache.cached_communes() == [world.anh_son.pk]

    second = submit(TEXTS[2])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        voice_match(voice=second)
        raise RuntimeError("something later in the transaction failed")
    assert callbacks == []
    assert matchcache.cached_communes() == []  # taken out for the call, never put back

    loads.clear()
    issue = committed_match(second, django_capture_on_commit_callbacks)
    assert loads == [world.anh_son.pk]  # read again from the database
    first.refresh_from_db()
    assert issue.pk == first.issue_id and issue.voice_count == 2


def test_a_cached_matcher_is_not_used_once_another_process_changed_the_communes_issues(
    submit, officer, world, loads, django_capture_on_commit_callbacks
):
    voices = [submit(text) for text in TEXTS[:4]]
    for voice in voices:
        committed_match(voice, django_capture_on_commit_callbacks)
    assert loads == [world.anh_son.pk]  # then the kept matcher

    # "Another process": the decision is written while this process keeps the matcher.
    voices[0].refresh_from_db()
    voices[2].refresh_from_db()
    road = Issue.objects.get(pk=voices[0].issue_id)
    assert voices[2].issue_id == road.pk
    voice_move(actor=officer, voice=voices[2], to=None, expected_version=road.version)
    assert matchcache.cached_communes() == [world.anh_son.pk]

    late = submit("duong xom 7 ngap nuoc, xe ko di dc")
    kept = matchcache._entries.copy()
    with transaction.atomic():  # what reading the database gives, then undone
        matchcache.clear()
        reference = voice_match(voice=late)
        expected = (reference.pk, reference.voice_count, repr(reference.signature))
        transaction.set_rollback(True)
    matchcache._entries.update(kept)

    loads.clear()
    issue = committed_match(late, django_capture_on_commit_callbacks)
    assert loads == [world.anh_son.pk]  # the kept matcher was stale: read again
    assert (issue.pk, issue.voice_count, repr(issue.signature)) == expected
    assert issue.voice_count == Voice.objects.filter(issue=issue).count()


@pytest.mark.parametrize(
    "change",
    ["confirm", "answer", "regroup"],
)
def test_every_kind_of_write_to_an_issue_changes_the_stamp(
    change, submit, officer, world, django_capture_on_commit_callbacks
):
    voices = [submit(text) for text in TEXTS[:3]]
    for voice in voices:
        committed_match(voice, django_capture_on_commit_callbacks)
    before = matchcache.stamp_of(world.anh_son.pk)
    (_, (kept_stamp, _)), *_ = matchcache._entries.items()
    assert kept_stamp == before  # what was kept is what the database has

    voices[0].refresh_from_db()
    issue = Issue.objects.get(pk=voices[0].issue_id)
    if change == "confirm":
        issue_confirm(actor=officer, issue=issue, expected_version=issue.version)
    elif change == "answer":
        issue_answer(actor=officer, issue=issue, expected_version=issue.version, text="Đã sửa.")
    else:
        # A regroup that changes the groups (one that finds them as they are writes nothing).
        regroup(processes=1, threshold=1.0)  # every voice alone
    assert matchcache.stamp_of(world.anh_son.pk) != before


def test_after_a_regroup_the_communes_issues_are_read_again(
    submit, world, loads, django_capture_on_commit_callbacks
):
    voices = [submit(text) for text in TEXTS[:5]]
    for voice in voices:
        committed_match(voice, django_capture_on_commit_callbacks)
    before = {v.pk: Voice.objects.get(pk=v.pk).issue_id for v in voices}
    regroup(processes=1, threshold=1.0)  # every voice alone
    assert regroup(processes=1).moved_voices > 0  # and back: each issue takes its number again
    assert {v.pk: Voice.objects.get(pk=v.pk).issue_id for v in voices} == before
    loads.clear()

    issue = committed_match(submit(TEXTS[8]), django_capture_on_commit_callbacks)
    assert loads == [world.anh_son.pk]  # the regroup rewrote the flood issue: read again
    assert issue.status == IssueStatus.OPEN
    voices[0].refresh_from_db()
    assert issue.pk == voices[0].issue_id  # the regrouped flood issue


def test_the_cache_keeps_the_most_recently_used_communes_within_its_bounds(world, monkeypatch):
    monkeypatch.setattr(matchcache, "MAX_COMMUNES", 2)
    for commune in (world.anh_son, world.muong_xen, world.anh_son_village):
        matchcache.put(matchcache.load(commune.pk, 0.7))
    assert matchcache.cached_communes() == [world.muong_xen.pk, world.anh_son_village.pk]
    entry = matchcache.take(world.muong_xen.pk, matchcache.stamp_of(world.muong_xen.pk))
    assert entry is not None
    # Taken out: a second caller (another thread) does not get the same matcher.
    assert matchcache.take(world.muong_xen.pk, matchcache.stamp_of(world.muong_xen.pk)) is None


def test_matches_of_one_commune_in_one_transaction_keep_only_the_last_matcher_waiting(
    submit, world, loads, django_capture_on_commit_callbacks
):
    first, second = submit(TEXTS[0]), submit(TEXTS[2])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        voice_match(voice=first)
        voice_match(voice=second)
    assert loads == [world.anh_son.pk, world.anh_son.pk]  # nothing is put back before a commit
    assert len(callbacks) == 2
    assert matchcache.cached_communes() == [world.anh_son.pk]
    (_, (stamp, entry)), *_ = matchcache._entries.items()
    assert stamp == matchcache.stamp_of(world.anh_son.pk)
    assert len(entry.matcher.clusters) == 1 and entry.matcher.clusters[0].size == 2
