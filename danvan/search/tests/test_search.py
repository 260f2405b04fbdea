"""Search on the database in use (run on SQLite and on PostgreSQL): folding, "đ", ranking,
scope per role, the index kept current on every write path, and hostile input."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.urls import reverse

from danvan.audit.context import Actor
from danvan.insight.models import Issue
from danvan.lib.textquery import parse
from danvan.search import selectors
from danvan.search.selectors import ANSWERS, ISSUES, VOICES, search
from danvan.units.tests.files import csv_bytes
from danvan.voices.importing.parse import parse_voice_file, voices_validate
from danvan.voices.importing.write import voices_bulk_create
from danvan.voices.models import Topic, Voice
from danvan.voices.services_answer import case_answer
from danvan.voices.services_routing import case_accept

pytestmark = pytest.mark.django_db

URL = "/search/"


def codes(user, text, kind=VOICES, page=1):
    results = search(user, parse(text), kind=kind, page=page)
    return [row.tracking_code if kind != ISSUES else row.pk for row in results.rows]


# --- Folding ---------------------------------------------------------------------------------------


def test_without_diacritics_finds_with_diacritics_and_back(make_voice, system_admin):
    marked = make_voice("Đường liên xóm bị sụt lún nghiêm trọng.")
    plain = make_voice("duong lien xom bi sut lun sau mua lu")

    for text in ("sut lun", "sụt lún", "SỤT LÚN", "Sut Lun", "sụt lun"):
        assert set(codes(system_admin, text)) == {marked.tracking_code, plain.tracking_code}, text


def test_d_with_stroke_matches_d(make_voice, system_admin):
    """FTS5 folds tone marks but not "đ" (a letter of its own): the index writes it "d"."""
    voice = make_voice("Đề nghị nạo vét kênh đào ở Đồng Văn.")

    assert codes(system_admin, "de nghi") == [voice.tracking_code]
    assert codes(system_admin, "dong van") == [voice.tracking_code]
    assert codes(system_admin, "kenh dao") == [voice.tracking_code]
    assert codes(system_admin, "đồng văn") == [voice.tracking_code]


def test_text_typed_in_decomposed_unicode_is_found(make_voice, system_admin):
    import unicodedata

    voice = make_voice(unicodedata.normalize("NFD", "Cống thoát nước bị tắc."))
    assert codes(system_admin, "thoat nuoc") == [voice.tracking_code]


def test_abbreviations_find_the_full_words_and_the_abbreviation(make_voice, system_admin):
    full = make_voice("Ủy ban nhân dân xã chưa trả lời đơn.", received_on=datetime.date(2026, 9, 1))
    short = make_voice("UBND xa ko tra loi don.", received_on=datetime.date(2026, 9, 2))

    assert set(codes(system_admin, "UBND")) == {full.tracking_code, short.tracking_code}
    assert set(codes(system_admin, "ko trả lời")) == {short.tracking_code}
    assert codes(system_admin, "không trả lời") == []  # "ko" written, not "không": no match


# --- Ranking ----------------------------------------------------------------------------------------


@pytest.fixture(params=["ranked in one query", "tier by tier"])
def ranking(request, monkeypatch):
    """Both ways of ranking: all matches at once (a count under the limit), or tier by tier
    newest first (more matches than the count goes to)."""
    if request.param == "tier by tier":
        monkeypatch.setattr(selectors, "COUNT_LIMIT", 1)
    return request.param


def test_phrase_and_exact_diacritics_rank_first_then_the_newest(make_voice, system_admin, ranking):
    day = datetime.date(2026, 6, 1)

    def on(n):
        return day + datetime.timedelta(days=n)

    scattered_folded = make_voice("lun o xom, duong thi sut", received_on=on(9))
    scattered_exact = make_voice("Lún ở xóm, đường thì sụt.", received_on=on(8))
    phrase_folded = make_voice("Mat duong sut lun.", received_on=on(7))
    phrase_exact_old = make_voice("Mặt đường sụt lún từ lâu.", received_on=on(1))
    phrase_exact_new = make_voice("Lại thấy đường sụt lún.", received_on=on(2))
    merged = make_voice("Bãi biển Dương sụt lún.", received_on=on(10))  # dương ≠ đường

    assert codes(system_admin, "đường sụt lún") == [
        phrase_exact_new.tracking_code,
        phrase_exact_old.tracking_code,
        merged.tracking_code,  # a phrase, its "dương" only matches without marks
        phrase_folded.tracking_code,
        scattered_exact.tracking_code,
        scattered_folded.tracking_code,
    ]
    # Typed without marks, all phrases are alike: the newest first, then the scattered ones.
    assert codes(system_admin, "duong sut lun") == [
        merged.tracking_code,
        phrase_folded.tracking_code,
        phrase_exact_new.tracking_code,
        phrase_exact_old.tracking_code,
        scattered_folded.tracking_code,
        scattered_exact.tracking_code,
    ]


def test_one_word_with_marks_finds_its_own_spelling_first(make_voice, system_admin, ranking):
    street = make_voice("Đường hỏng.", received_on=datetime.date(2026, 1, 1))
    sea = make_voice("Nước biển Dương dâng.", received_on=datetime.date(2026, 5, 1))

    assert codes(system_admin, "đường") == [street.tracking_code, sea.tracking_code]
    assert codes(system_admin, "dương") == [sea.tracking_code, street.tracking_code]
    assert codes(system_admin, "duong") == [sea.tracking_code, street.tracking_code]


def test_pages_follow_the_ranking(make_voice, system_admin, monkeypatch, ranking):
    monkeypatch.setattr(selectors, "PER_PAGE", 3)
    made = [
        make_voice(f"Cống số {n} bị tắc.", received_on=datetime.date(2026, 1, 1 + n))
        for n in range(7)
    ]
    newest_first = [v.tracking_code for v in reversed(made)]

    first = search(system_admin, parse("cống tắc"), page=1)
    third = search(system_admin, parse("cống tắc"), page=3)
    beyond = search(system_admin, parse("cống tắc"), page=99)

    assert [v.tracking_code for v in first.rows] == newest_first[:3]
    assert first.has_next and not first.has_previous
    assert [v.tracking_code for v in third.rows] == newest_first[6:]
    assert not third.has_next and third.has_previous
    assert beyond.page == 3
    assert [v.tracking_code for v in beyond.rows] == newest_first[6:]


def test_counts_stop_at_the_limit(make_voice, system_admin, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 2)
    for n in range(3):
        make_voice(f"Rác thải tồn đọng {n}.")

    count = search(system_admin, parse("rác thải")).counts[VOICES]
    assert (count.value, count.is_capped) == (2, True)


only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL ranks a window of the newest matches"
)


@pytest.fixture
def window_of_three(monkeypatch):
    """PostgreSQL ranks the newest 3 matches only."""
    monkeypatch.setattr(selectors, "RANK_WINDOW", 3)


@only_postgresql
def test_more_matches_than_the_window_rank_the_newest_and_the_page_says_so(
    make_voice, system_admin, login, english, window_of_three
):
    on = datetime.date(2026, 3, 1)
    old_phrase = make_voice("Mặt đường sụt lún.", received_on=on)
    scattered = [
        make_voice(f"Lún ở xóm {n}, đường thì sụt.", received_on=on + datetime.timedelta(days=n))
        for n in range(1, 5)
    ]
    newest_phrase = make_voice("Lại thấy đường sụt lún.", received_on=on + datetime.timedelta(2))

    results = search(system_admin, parse("đường sụt lún"))

    # The newest three: the scattered ones of the 5th and 4th of March and the phrase of the
    # 3rd (made after the scattered one of that day); the phrase first, the old one left out.
    assert [v.tracking_code for v in results.rows] == [
        newest_phrase.tracking_code,
        scattered[3].tracking_code,
        scattered[2].tracking_code,
    ]
    assert old_phrase.tracking_code not in [v.tracking_code for v in results.rows]
    assert results.is_windowed
    page = login(system_admin).get(URL, {"q": "đường sụt lún"}).content.decode()
    assert "More than 3 results: the newest 3 are shown, best first." in page
    few = login(system_admin).get(URL, {"q": "mặt đường"}).content.decode()
    assert "the newest 3 are shown" not in few


@only_postgresql
@pytest.mark.parametrize("window", [3, 100])
def test_reading_the_newest_span_first_finds_the_same_results(
    make_voice, system_admin, monkeypatch, window
):
    """When the statistics say many voices match, PostgreSQL reads the window in the newest
    span of days first: a full span holds the newest matches, a short one is widened, then
    everything is read. Either way the results are those of reading everything."""
    monkeypatch.setattr(selectors, "RANK_WINDOW", window)
    start = datetime.date(2026, 1, 1)
    for n in range(12):
        day = start + datetime.timedelta(days=n * 7)
        make_voice(f"Cống thoát nước số {n} bị tắc.", received_on=day)
        make_voice(f"Đèn đường số {n} hỏng.", received_on=day)  # does not match
    make_voice("Cống tắc, nước không thoát.", received_on=start + datetime.timedelta(days=80))
    make_voice("Thoát nước kém.", received_on=start + datetime.timedelta(days=79))

    def found():
        results = search(system_admin, parse("thoát nước"), page=1)
        return [v.tracking_code for v in results.rows], results.counts[VOICES]

    monkeypatch.setattr(selectors, "_pg_stats", lambda *args: None)
    everything = found()
    count = Voice.objects.count()
    days = Counter(Voice.objects.values_list("received_on", flat=True))
    shares = [(day, n / count) for day, n in sorted(days.items(), reverse=True)]
    after = tuple((day, sum(n for _d, n in shares[: i + 1])) for i, (day, _n) in enumerate(shares))
    many = selectors._Stats(rows=count, lexemes={}, rare=1.0, units={}, other_unit=1.0, days=after)
    monkeypatch.setattr(selectors, "_pg_stats", lambda *args: many)
    monkeypatch.setattr(selectors, "WINDOW_FACTOR", 0)
    for margin in (0.01, 1.5, 40):  # the first span: too short, about right, too long
        monkeypatch.setattr(selectors, "SPAN_MARGIN", margin)
        assert found() == everything, margin
    assert len(everything[0]) == min(window, 14, selectors.PER_PAGE)


@only_postgresql
def test_a_narrow_scope_read_through_its_rarest_word_finds_the_same_results(
    world, make_voice, commune_officer, monkeypatch
):
    """A commune is read whole, with only the least frequent word in the index condition and
    every word checked on the rows: the same results, in the same order, as the full match."""
    for n in range(6):
        make_voice(f"Đường số {n} bị sụt lún.", received_on=datetime.date(2026, 5, 1 + n))
        make_voice(f"Đường số {n} hỏng.", received_on=datetime.date(2026, 5, 1 + n))
        make_voice(f"Sụt lún đường {n}.", unit=world.muong_xen)  # another commune
    make_voice("Lún ở xóm, đường thì sụt.", received_on=datetime.date(2026, 5, 20))

    def found():
        results = search(commune_officer, parse("đường sụt lún"))
        return [v.tracking_code for v in results.rows], results.counts[VOICES]

    monkeypatch.setattr(selectors, "_pg_stats", lambda *args: None)
    full = found()
    shares = {"duong": 0.9, "sut": 0.2, "lun": 0.3}
    stats = selectors._Stats(rows=100, lexemes=shares, rare=0.01, units={}, other_unit=0.01)
    monkeypatch.setattr(selectors, "_pg_stats", lambda *args: stats)
    narrow = selectors._pg_narrow_match(selectors.SOURCES[VOICES], parse("đường sụt lún"), stats)
    assert narrow.params[0] == "'sut'"  # the least frequent word goes through the index

    assert found() == full
    assert len(full[0]) == 7 and full[1].value == 7


def test_the_statistics_give_each_word_its_share_of_the_rows(make_voice):
    """PostgreSQL's ANALYZE statistics, as the search reads them to tell common words."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statistics")
    for n in range(40):
        make_voice(f"Đường số {n} hỏng." if n % 4 else f"Cống số {n} tắc.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE voices_voice")
    selectors._stats_cache.clear()

    stats = selectors._pg_stats("voices_voice", "search_text", "received_on")
    selectors._stats_cache.clear()

    assert stats is not None
    assert stats.rows >= 40
    assert stats.lexemes["duong"] == pytest.approx(0.75, abs=0.05)
    assert stats.lexemes["cong"] == pytest.approx(0.25, abs=0.05)
    estimate = selectors._estimate(stats, parse("đường hỏng"), None)
    assert estimate == pytest.approx(30, abs=3)
    # Every voice here was received on 1 October 2026: all of the rows from that day on.
    assert selectors._since(stats, 0.5) == datetime.date(2026, 10, 1)
    assert selectors._since(stats, 2.0) is None


def test_the_days_shares_come_from_the_common_days_and_the_histogram():
    day = datetime.date
    shares = selectors._day_shares(
        ["2026-11-20", "2026-11-10"], [0.2, 0.1], ["2026-01-01", "2026-01-11", "2026-11-24"], 0.1
    )
    newest_first = [d for d, _share in shares]
    assert newest_first == sorted(newest_first, reverse=True)
    assert shares[0] == (day(2026, 11, 24), pytest.approx(0.3 / 317))  # a day of the 2nd bucket
    assert dict(shares)[day(2026, 11, 20)] == pytest.approx(0.2 + 0.3 * 5 / 317)
    assert shares[-1][1] == pytest.approx(0.9)  # everything but the rows without a day
    stats = selectors._Stats(rows=10, lexemes={}, rare=0, units={}, other_unit=0, days=shares)
    assert selectors._since(stats, 0.2) == day(2026, 11, 20)
    assert selectors._since(stats, 0.95) is None


# --- Scope --------------------------------------------------------------------------------------------


@pytest.fixture
def spread(world, make_voice):
    """The same complaint in Xóm 1 (Anh Sơn), Xã Anh Sơn, Mường Xén and Hoàn Kiếm (Hà Nội)."""
    return {
        "village": make_voice("Đèn đường hỏng.", unit=world.anh_son_village),
        "commune": make_voice("Đèn đường hỏng.", unit=world.anh_son),
        "other_commune": make_voice("Đèn đường hỏng.", unit=world.muong_xen),
        "other_province": make_voice("Đèn đường hỏng.", unit=world.hoan_kiem),
    }


SEES = {
    "system_admin": {"village", "commune", "other_commune", "other_province"},
    "provincial_staff": {"village", "commune", "other_commune"},
    "leader": {"village", "commune", "other_commune"},
    "observer": {"village", "commune", "other_commune"},
    "commune_officer": {"village", "commune"},
    "village_member": {"village"},
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_role_finds_only_what_it_may_see(request, spread, role, login):
    user = request.getfixturevalue(role)
    expected = {spread[name].tracking_code for name in SEES[role]}

    assert set(codes(user, "đèn đường")) == expected
    page = login(user).get(URL, {"q": "den duong"}).content.decode()
    for name, voice in spread.items():
        assert (voice.tracking_code in page) == (name in SEES[role]), (role, name)


def test_someone_without_a_membership_is_refused(spread, nobody, login):
    assert login(nobody).get(URL, {"q": "đèn đường"}).status_code == 403


def test_issues_are_searched_in_scope(world, commune_officer, provincial_staff):
    topic = Topic.objects.get(code="infrastructure", province=None)
    # No service makes issues by hand (``insight.grouping`` makes them as voices arrive).
    here = Issue.objects.create(unit=world.anh_son, topic=topic, title="Cầu tràn sạt lở")
    there = Issue.objects.create(unit=world.muong_xen, topic=topic, title="Cau tran sat lo")

    assert codes(commune_officer, "cầu tràn", ISSUES) == [here.pk]
    assert set(codes(provincial_staff, "cau tran", ISSUES)) == {here.pk, there.pk}


# --- The index stays current -------------------------------------------------------------------------


def test_the_index_follows_the_case_through_its_life(make_voice, world, commune_officer):
    officer = Actor.of_user(commune_officer)
    voice = make_voice("Trạm bơm tưới tiêu hỏng.")
    assert codes(commune_officer, "tram bom") == [voice.tracking_code]

    voice = case_accept(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        accepted_on=datetime.date(2026, 10, 2),
    )
    assert codes(commune_officer, "tram bom") == [voice.tracking_code]
    assert codes(commune_officer, "khắc phục", ANSWERS) == []

    voice = case_answer(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        text="Xã đã bố trí kinh phí khắc phục trạm bơm.",
    )
    assert codes(commune_officer, "khac phuc", ANSWERS) == [voice.tracking_code]
    assert codes(commune_officer, "khac phuc", VOICES) == []  # the answer is not the voice
    assert codes(commune_officer, "tram bom", ANSWERS) == [voice.tracking_code]


def test_a_change_made_outside_the_services_is_indexed_too(make_voice, system_admin):
    """The admin, a data fix, another app's bulk update: the database keeps the index."""
    voice = make_voice("Nội dung cũ.")
    Voice.objects.filter(pk=voice.pk).update(text="Nội dung mới về ao hồ.")

    assert codes(system_admin, "ao hồ") == [voice.tracking_code]
    assert codes(system_admin, "cũ") == []

    issue = Issue.objects.create(unit=voice.unit.parent, topic=voice.topic, title="Ao hồ")
    Issue.objects.filter(pk=issue.pk).update(answer_text="Đã nạo vét xong.")
    assert codes(system_admin, "nao vet", ISSUES) == [issue.pk]


def test_voices_imported_in_bulk_are_found(world, system_admin):
    """``voices_bulk_create`` writes with COPY on PostgreSQL and bulk_create on SQLite."""
    header = ["Loại", "Lĩnh vực", "Mã đơn vị", "Nội dung", "Ngày nhận"]
    rows = [
        ["Phản ánh", "infrastructure", "17329", "Đập tràn Khe Lau bị xói lở.", "02/11/2026"],
        ["Ý kiến", "other", "17329-001", "Nên lắp thêm loa truyền thanh.", "01/10/2026"],
    ]
    actor = Actor.of_user(system_admin)
    parsed = parse_voice_file(name="y-kien.csv", data=csv_bytes([header, *rows]))
    report = voices_validate(actor=actor, rows=parsed)
    keys = {id(r): r.fingerprint() for r in report.rows}
    assert voices_bulk_create(actor=actor, rows=report.rows, keys=keys) == 2

    found = codes(system_admin, "xoi lo")
    assert found == [Voice.objects.get(text__startswith="Đập").tracking_code]
    assert len(codes(system_admin, "loa truyền thanh")) == 1


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_puts_back_its_triggers_after_a_table_rebuild(make_voice, system_admin):
    """Django rebuilds a SQLite table to alter it, which drops its triggers: ``migrate`` puts
    them back (``post_migrate``) and refills the index."""
    from danvan.search.schema import ensure_installed

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_voice_ai")
    voice = make_voice("Giếng nước nhiễm phèn.")  # written while the trigger is missing
    assert codes(system_admin, "nhiễm phèn") == []

    assert ensure_installed(connection) is True
    assert codes(system_admin, "nhiễm phèn") == [voice.tracking_code]
    assert ensure_installed(connection) is False


# --- The page ---------------------------------------------------------------------------------------


HOSTILE = [
    "'",
    '"',
    '"sụt lún',
    "sụt*",
    "NEAR(sụt lún)",
    "sụt NEAR lún",
    "sụt AND OR NOT lún",
    "text : lún",
    "{text answer}: lún",
    "a & b | !c <-> d:*",
    "'; DROP TABLE voices_voice; --",
    "\\",
    "%_%",
    "\x00sụt",
    "sụt\ufffdlún",
    "😀 lún",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_searched_as_words_or_refused(make_voice, system_admin, login, text):
    make_voice("Đường sụt lún.")
    for kind in (VOICES, ANSWERS, ISSUES):
        response = login(system_admin).get(URL, {"q": text, "type": kind})
        # A NUL is refused at the edge for every address (danvan.lib.hostile), the rest searched.
        assert response.status_code == (400 if "\x00" in text else 200), (text, kind)
    assert Voice.objects.count() == 1


def test_too_short_too_long_and_empty_queries_say_so(make_voice, system_admin, login, english):
    make_voice("Đường sụt lún.")
    client = login(system_admin)

    empty = client.get(URL).content.decode()
    short = client.get(URL, {"q": "a"}).content.decode()
    huge = client.get(URL, {"q": "sụt lún " * 1250})  # 10,000 characters
    many = client.get(URL, {"q": "ab " * 20}).content.decode()

    assert "Type at least" not in empty and 'role="alert"' not in empty
    assert "Type at least 2 letters or digits." in short
    assert huge.status_code == 200
    assert "The search is too long: at most 200 characters." in huge.content.decode()
    assert "too many words" in many


def test_results_show_escaped_snippets_with_the_match_marked(make_voice, system_admin, login):
    voice = make_voice('<script>alert("x")</script> Cống <b>thoát nước</b> bị tắc & tràn.')

    page = login(system_admin).get(URL, {"q": "thoat nuoc"}).content.decode()

    assert voice.tracking_code in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;b&gt;<mark>thoát</mark> <mark>nước</mark>&lt;/b&gt;" in page
    assert "tắc &amp; tràn" in page


def test_tabs_count_each_type(make_voice, world, commune_officer, login, english):
    officer = Actor.of_user(commune_officer)
    voice = make_voice("Kênh mương bị bồi lấp.")
    voice = case_accept(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        accepted_on=datetime.date(2026, 10, 2),
    )
    voice = case_answer(
        actor=officer, voice=voice, expected_version=voice.version, text="Đã nạo vét kênh mương."
    )
    topic = Topic.objects.get(code="infrastructure", province=None)
    Issue.objects.create(unit=world.anh_son, topic=topic, title="Kênh mương bồi lấp")

    client = login(commune_officer)
    page = client.get(URL, {"q": "kenh muong"}).content.decode()
    issues = client.get(URL, {"q": "kenh muong", "type": "issues"}).content.decode()

    assert 'aria-current="page">Voices <span class="badge">1</span>' in page
    assert 'Answers <span class="badge">1</span>' in page
    assert 'Issues <span class="badge">1</span>' in page
    # With no type chosen, the first type that has results is shown.
    only_answers = client.get(URL, {"q": "nạo vét"}).content.decode()
    assert 'aria-current="page">Answers <span class="badge">1</span>' in only_answers
    assert "Kênh mương bồi lấp" in issues.replace("<mark>", "").replace("</mark>", "")


def test_the_page_takes_a_fixed_number_of_queries(
    make_voice, commune_officer, login, django_assert_max_num_queries
):
    for n in range(25):
        make_voice(f"Ổ gà trên đường số {n}.")
    client = login(commune_officer)
    client.get(URL, {"q": "o ga"})  # the session and the scope read once

    # PostgreSQL reads the window in up to three spans (see selectors._pg_ids): 17 at most.
    with django_assert_max_num_queries(17):
        response = client.get(URL, {"q": "o ga"})
    assert response.status_code == 200
    newest = Voice.objects.order_by("-id")[0]
    assert reverse("voices:case", args=[newest.tracking_code]) in response.content.decode()
