"""The issue's "Done when", end to end in headless Chromium and over real HTTP.

1. A citizen sends a first complaint from a phone; a commune officer accepts and assigns it on a
   desktop, the resolve due date is the one the Law on Complaints gives, the answer is recorded
   and published, and the citizen reads it with the tracking code.
2. An Open311 client does the same over GeoReport v2, with the officer in the browser.
3. A denunciation: the denouncer's identity appears nowhere a commune officer can look; a leader
   may read it, and that read is audited.

The calendar day the application sees is fixed by ``clock`` (``timezone.localdate``), so that
the due dates can be worked out by hand; times of day (``timezone.now``) stay real, so session
cookies behave as in production. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

# The helpers of the browser tests (and their module-level skip when Chromium is missing).
from danvan.web.tests.test_browser import (
    ARTIFACTS,
    PHONE,
    expect,
    log_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "reference_data_left_in_place"),
]

PHONE_CONTEXT = {
    "viewport": PHONE,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Mobile Safari/537.36"
    ),
}
DESKTOP_CONTEXT = {"viewport": {"width": 1280, "height": 800}}

# The days of the story (2026, so the rule set in force from 1 July 2026 applies).
RECEIVED = datetime.date(2026, 9, 28)  # Monday: the citizen sends the complaint
ACCEPTED = datetime.date(2026, 10, 1)  # Thursday: the officer accepts it (thụ lý)
ANSWERED = datetime.date(2026, 10, 20)  # Tuesday: the answer is written and published

# Law on Complaints 02/2011/QH13 Art. 28: a first complaint is resolved within 30 days from its
# acceptance; calendar days (legal-rules.md: "days are calendar days unless the row says working
# days"), counted per Civil Code Art. 144-148: the day of acceptance is not counted, and a limit
# whose last day is a weekend day or a public holiday ends on the next working day.
#   accepted Thu 01/10/2026; day 1 = 02/10, ..., day 30 = 01/10 + 30 = 31/10/2026,
#   a Saturday -> Sunday 01/11 is not a working day either -> Monday 02/11/2026
#   (no Vietnamese public holiday between 31/10 and 02/11).
RESOLVE_DUE = datetime.date(2026, 11, 2)
RESOLVE_DUE_SHOWN = "02/11/2026"  # the case page prints dates as d/m/Y

# Where the photo says it was taken (EXIF GPS), which must not survive the upload.
PHOTO_LAT = (18.0, 50.0, 12.0)
PHOTO_LONG = (105.0, 7.0, 30.0)

ANSWER_BODY = "Ủy ban nhân dân xã Anh Sơn"


@dataclass
class Clock:
    today: datetime.date


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The calendar day of ``timezone.localdate()`` for the app (and its live server thread)."""
    current = Clock(RECEIVED)
    original = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> datetime.date:
        if value is None:
            return current.today
        return original(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return current


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def peoples_committee(world: Any, system_actor: Any) -> Any:
    """The body a commune gives citizens' cases to; the small world has only the Party's."""
    from danvan.organizations.models import BodyKind
    from danvan.organizations.services import body_create

    return body_create(
        actor=system_actor,
        unit=world.anh_son,
        kind=BodyKind.PEOPLES_COMMITTEE,
        name=ANSWER_BODY,
    )


# --- Helpers ---------------------------------------------------------------------------------


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_fits_a_phone(page: Any) -> None:
    """Nothing sticks out sideways, and every button is within the screen's width."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for button in page.locator("main button, main .button").all():
        if not button.is_visible():
            continue
        box = button.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], button.inner_text()
        assert box["height"] >= 32, f"{button.inner_text()!r} is too small to tap"


def jpeg_with_gps() -> bytes:
    """A small photo as a phone writes it: with the camera make and the GPS position in EXIF."""
    from PIL import ExifTags, Image

    image = Image.new("RGB", (320, 240), (200, 120, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = PHOTO_LAT
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = PHOTO_LONG
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    # The test's own premise: the photo does carry a position.
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


def citizen_sends(
    page: Any,
    base_url: str,
    *,
    kind_label: str,
    topic: str,
    text: str,
    name: str,
    contact: str,
    address: str = "",
    photo: bytes | None = None,
    screenshot: str = "",
) -> str:
    """Fill the public form as a person on a phone does; return the tracking code shown."""
    page.goto(f"{base_url}/y-kien/gui/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_label(kind_label, exact=True).check()
    page.locator("#id_topic").select_option(label=topic)
    # The place picker: typed without diacritics, chosen from the suggestions.
    place = page.locator("#id_unit_query")
    place.press_sequentially("anh son")
    suggestion = page.locator("#unit-suggestions [data-unit-code='17329']")
    expect(suggestion).to_be_visible()
    expect(suggestion).to_contain_text("Xã Anh Sơn")
    suggestion.click()
    expect(place).to_have_value("Xã Anh Sơn, Nghệ An")
    expect(page.locator("[data-unit-picker] input[name=unit]")).to_have_value("17329")
    page.locator("#id_text").fill(text)
    page.locator("#id_submitter_name").fill(name)
    page.locator("#id_submitter_contact").fill(contact)
    if address:
        page.locator("#id_submitter_address").fill(address)
    if photo is not None:
        page.locator("#id_attachments").set_input_files(
            files=[{"name": "IMG_20260928_0815.jpg", "mimeType": "image/jpeg", "buffer": photo}]
        )
    if screenshot:
        shot(page, f"{screenshot}-form-phone")
        assert_fits_a_phone(page)
    page.get_by_role("button", name="Gửi", exact=True).click()

    expect(page).to_have_url(f"{base_url}/y-kien/gui/da-gui/")
    code = page.locator("[data-testid=tracking-code]").inner_text().strip()
    assert code.startswith("DV-")
    if screenshot:
        shot(page, f"{screenshot}-receipt-phone")
        assert_fits_a_phone(page)
    return code


def open_case(page: Any, base_url: str, code: str) -> None:
    """From the menu to the inbox, and from its row to the case."""
    page.goto(f"{base_url}/")
    page.locator("#main-nav summary", has_text="Tiếp nhận").click()  # the menu's group
    page.locator("#main-nav a[href='/cases/']").click()
    expect(page).to_have_url(f"{base_url}/cases/")
    page.get_by_role("link", name=code, exact=True).click()
    expect(page.locator("main h1")).to_contain_text(code)


def action_card(page: Any, action: str) -> Any:
    """The card of one action on the case page, opened if it is folded."""
    card = page.locator(f"#action-{action}")
    expect(card).to_have_count(1)
    if card.evaluate("el => el.tagName === 'DETAILS' && !el.open"):
        card.locator("summary").click()
    return card


def act(card: Any, button: str, *, badge: str) -> None:
    card.get_by_role("button", name=button, exact=True).click()
    expect(card.page.locator("main h1 .badge").first).to_have_text(badge)


def officer_handles(page: Any, clock: Clock, *, answer: str) -> None:
    """On the open case page: accept on ACCEPTED, assign, answer and publish on ANSWERED."""
    clock.today = ACCEPTED
    card = action_card(page, "accept")
    card.get_by_label("Ngày thụ lý").fill(ACCEPTED.isoformat())
    act(card, "Thụ lý", badge="Đã thụ lý")
    card = action_card(page, "assign")
    card.get_by_label("Cơ quan, tổ chức chịu trách nhiệm").select_option(label=ANSWER_BODY)
    act(card, "Giao xử lý", badge="Đã giao xử lý")
    clock.today = ANSWERED
    card = action_card(page, "answer")
    card.get_by_label("Trả lời").fill(answer)
    act(card, "Lưu nội dung trả lời", badge="Đã trả lời")
    act(action_card(page, "publish"), "Công khai nội dung trả lời", badge="Đã công khai trả lời")


def deadline_row(page: Any, step_label: str) -> Any:
    table = page.locator("main table").filter(has=page.locator("th", has_text="Căn cứ pháp lý"))
    first_cell = page.locator("td:first-child", has_text=re.compile(f"^{re.escape(step_label)}$"))
    return table.locator("tbody tr").filter(has=first_cell)


def http(
    method: str,
    url: str,
    *,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    """(status, content type, body) of a real HTTP request, errors included."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    # Only ever the live server's http:// address.
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def quoted(code: str) -> str:
    return urllib.parse.quote(code, safe="")


# --- 1. A first complaint from a phone ----------------------------------------------------------


def test_a_complaint_from_a_phone_is_accepted_assigned_answered_and_read_with_its_code(
    live_server, new_page, with_password, clock, media, peoples_committee
):
    from PIL import ExifTags, Image

    from danvan.deadlines.engine import compute_schedule
    from danvan.voices.models import Voice

    base = live_server.url
    citizen = new_page(**PHONE_CONTEXT)
    code = citizen_sends(
        citizen,
        base,
        kind_label="Khiếu nại lần đầu",
        topic="Đất đai, giải phóng mặt bằng",
        text="Quyết định thu hồi đất số 12 không bồi thường phần tường rào của gia đình tôi.",
        name="Nguyễn Thị Khiếu",
        contact="0987 111 222",
        photo=jpeg_with_gps(),
        screenshot="complaint",
    )

    voice = Voice.objects.get(tracking_code=code)
    assert (voice.kind, voice.unit.code, voice.received_on) == (
        "complaint_first",
        "17329",
        RECEIVED,
    )
    assert voice.latitude is None  # the photo's position did not become the case's
    (attachment,) = voice.attachments.all()
    with attachment.file.open("rb") as stored:
        kept = Image.open(io.BytesIO(stored.read()))
        kept.load()
    assert kept.format == "JPEG"
    assert not kept.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert dict(kept.getexif()) == {}  # no camera make either
    assert "IMG_20260928" not in attachment.file.name  # stored under a random name

    # The officer, at a desk.
    officer = new_page(**DESKTOP_CONTEXT)
    log_in(officer, base, with_password("commune_officer"))
    open_case(officer, base, code)
    details = officer.locator("main dl.details")
    expect(details).to_contain_text("Nguyễn Thị Khiếu")  # a complaint is not secret to them
    expect(details).to_contain_text("0987 111 222")
    content = officer.content()
    # The photo's position is not on the page, and the file is reached only through the
    # access-checked view, never by its place under MEDIA_ROOT.
    assert "Vị trí" not in details.inner_text()
    assert "18.83" not in content and "105.12" not in content
    assert "/media/" not in content and attachment.file.name not in content
    link = officer.locator("main a[href*='/attachments/']")
    expect(link).to_have_count(1)
    served = officer.request.get(urllib.parse.urljoin(base, link.get_attribute("href")))
    assert served.ok and served.headers["content-type"] == "image/jpeg"
    photo = Image.open(io.BytesIO(served.body()))
    assert not photo.getexif().get_ifd(ExifTags.IFD.GPSInfo) and dict(photo.getexif()) == {}

    officer_handles(officer, clock, answer="Ủy ban nhân dân xã sẽ bồi thường phần tường rào.")
    shot(officer, "complaint-case-desktop")

    # The due date of "resolve", as the page prints it, is the one worked out by hand above.
    resolve = deadline_row(officer, "Giải quyết")
    expect(resolve).to_have_count(1)
    expect(resolve.locator("td").nth(1)).to_have_text(RESOLVE_DUE_SHOWN)
    expect(resolve.locator("td").nth(2)).to_have_text(ANSWERED.strftime("%d/%m/%Y"))
    expect(resolve.locator("td").nth(3)).to_contain_text("Điều 28")
    expect(details.locator("dd").filter(has_text="01/10/2026")).to_have_count(1)  # accepted on
    # Second opinion: the engine agrees with the hand computation.
    assert (
        compute_schedule(kind="complaint_first", received=RECEIVED, accepted=ACCEPTED).due(
            "resolve"
        )
        == RESOLVE_DUE
    )
    assert voice.deadlines.get(step="resolve").due_on == RESOLVE_DUE

    # Back on the phone, the citizen follows the case with the code.
    citizen.goto(f"{base}/y-kien/tra-cuu/")
    citizen.locator("#id_code").fill(code)
    citizen.get_by_role("button", name="Tra cứu", exact=True).click()
    expect(citizen.locator("[data-testid=status]")).to_have_text("Đã công khai trả lời")
    expect(citizen.locator("[data-testid=answer]")).to_have_text(
        "Ủy ban nhân dân xã sẽ bồi thường phần tường rào."
    )
    expect(citizen.locator("ol.timeline")).to_contain_text(ANSWER_BODY)
    assert "Nguyễn Thị Khiếu" not in citizen.content()
    shot(citizen, "complaint-lookup-phone")
    assert_fits_a_phone(citizen)


# --- 2. The same over Open311 ----------------------------------------------------------------


def test_an_open311_client_files_a_request_and_reads_the_published_answer(
    live_server, new_page, with_password, clock, peoples_committee
):
    from danvan.voices.models import Voice

    base = live_server.url
    api = f"{base}/open311/v2"

    status, content_type, body = http("GET", f"{api}/services.json")
    assert status == 200 and content_type.startswith("application/json")
    services = {s["service_code"]: s for s in json.loads(body)}
    assert services["infrastructure"]["service_name"] == "Hạ tầng, giao thông, xây dựng"

    request = {
        "service_code": "infrastructure",
        "address_id": "17329",
        "description": "Cầu tràn qua suối ở Xóm 1 bị sạt lở sau mưa lũ.",
        "first_name": "Lò Văn",
        "last_name": "Pọm",
        "email": "lovanpom@example.vn",
        "phone": "0977000111",
        "lat": "18.835",
        "long": "105.125",
    }
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = http("POST", f"{api}/requests.json", form=request, headers=key)
    retry = http("POST", f"{api}/requests.json", form=request, headers=key)
    assert first[0] == 201, first
    assert retry[0] in (200, 201), retry
    (created,) = json.loads(first[2])
    assert json.loads(retry[2])[0]["service_request_id"] == created["service_request_id"]
    assert created["account_id"] is None
    code = created["service_request_id"]  # the public id; the tracking code is in the notice
    tracking_code = Voice.objects.get().tracking_code
    assert tracking_code in created["service_notice"] and code == Voice.objects.get().public_id
    assert Voice.objects.count() == 1  # the retry counted once

    status, _, body = http("GET", f"{api}/requests/{quoted(code)}.json")
    assert status == 200
    (row,) = json.loads(body)
    assert (row["status"], row["status_notes"]) == ("open", "Đã tiếp nhận")
    assert row["address_id"] == "17329" and row["service_code"] == "infrastructure"

    # A place that does not exist: an Open311 error, in JSON and in XML.
    nowhere = {**request, "address_id": "", "address_string": "Xã Không Có, Tỉnh Không Có"}
    del nowhere["lat"], nowhere["long"]
    status, content_type, body = http("POST", f"{api}/requests.json", form=nowhere)
    assert status == 400 and content_type.startswith("application/json")
    (error,) = json.loads(body)
    assert error["code"] == 400 and "address_string" in error["description"]
    status, content_type, body = http("POST", f"{api}/requests.xml", form=nowhere)
    assert status == 400 and content_type.startswith("text/xml")
    errors = ET.fromstring(body)  # noqa: S314 (our own server's answer)
    assert errors.tag == "errors"
    assert errors.findtext("error/code") == "400"
    assert "address_string" in (errors.findtext("error/description") or "")
    assert Voice.objects.count() == 1

    # The officer handles it in the browser.
    officer = new_page(**DESKTOP_CONTEXT)
    log_in(officer, base, with_password("commune_officer"))
    open_case(officer, base, tracking_code)
    expect(officer.locator("main dl.details")).to_contain_text("Lò Văn Pọm")
    answer = "Huyện đã bố trí kinh phí, cầu tràn được sửa xong trước 30/11/2026."
    officer_handles(officer, clock, answer=answer)

    status, _, body = http("GET", f"{api}/requests/{quoted(code)}.json")
    assert status == 200
    (row,) = json.loads(body)
    assert row["status"] == "closed"  # the answer is published: closed in Open311's terms
    assert row["status_notes"] == answer
    assert row["agency_responsible"] == ANSWER_BODY
    status, content_type, body = http("GET", f"{api}/requests/{quoted(code)}.xml")
    assert status == 200 and content_type.startswith("text/xml")
    root = ET.fromstring(body)  # noqa: S314
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == code
    assert root.findtext("request/status") == "closed"
    assert root.findtext("request/status_notes") == answer
    # Nothing about who sent it, in either format.
    for text in (json.dumps(row, ensure_ascii=False), body):
        for personal in ("Pọm", "lovanpom", "0977000111"):
            assert personal not in text, personal


# --- 3. A denunciation's identity -----------------------------------------------------------------


def test_a_denouncer_is_hidden_from_the_commune_officer_and_revealed_to_a_leader_with_audit(
    live_server, new_page, with_password, clock, leader
):
    from danvan.api.services import api_token_create
    from danvan.audit.context import Actor
    from danvan.audit.models import AuditEntry
    from danvan.voices.models import Voice
    from danvan.voices.urging import run_urging

    base = live_server.url
    name, phone, address = "Trần Văn Tố", "0987654321", "Xóm 1, xã Anh Sơn"
    secrets = (name, phone, "0987 654 321", "Tran Van To")
    citizen = new_page(**PHONE_CONTEXT)
    code = citizen_sends(
        citizen,
        base,
        kind_label="Tố cáo",
        topic="Tác phong cán bộ, tham nhũng, tiêu cực",
        text="Cán bộ địa chính xã nhận tiền để xác nhận hồ sơ đất sai quy định.",
        name=name,
        contact=phone,
        address=address,
        screenshot="denunciation",
    )
    expect(citizen.locator("main .card[role=status]")).to_contain_text("bí mật")
    voice = Voice.objects.get(tracking_code=code)
    assert voice.kind == "denunciation" and voice.submitter_name == ""

    # On 20/10/2026 the daily urging tells the commune's officers the case is overdue (the 7
    # working days to classify it from 28/09/2026 ended on 07/10/2026).
    officer_user = with_password("commune_officer")
    clock.today = ANSWERED
    report = run_urging()
    assert report.voices_checked == 1, report
    officer = new_page(**DESKTOP_CONTEXT)
    log_in(officer, base, officer_user)
    open_case(officer, base, code)
    expect(officer.locator("main dl.details")).to_contain_text("Thông tin cá nhân được bảo vệ")
    pages = {"case": officer.content()}
    officer.goto(f"{base}/cases/")
    pages["inbox"] = officer.content()
    officer.locator("#main-nav a[href='/notifications/']").click()
    expect(officer.locator("main .notification-list li").first).to_contain_text(code)
    pages["notifications"] = officer.content()
    officer.goto(f"{base}/cases/overdue/")
    expect(officer.locator("main")).to_contain_text(code)
    pages["overdue"] = officer.content()

    _token, key = api_token_create(actor=Actor.system("test"), user=officer_user, name="tổng hợp")
    auth = {"Authorization": f"Token {key}", "Accept": "application/json"}
    status, _, pages["api case"] = http("GET", f"{base}/api/v1/cases/{quoted(code)}/", headers=auth)
    assert status == 200
    assert json.loads(pages["api case"])["submitter"] is None
    status, _, pages["api list"] = http("GET", f"{base}/api/v1/cases/", headers=auth)
    assert status == 200 and code in pages["api list"]

    for where, text in pages.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} shown on the commune officer's {where}"

    # The commune officer has no control to show it, and the address behind it refuses them.
    open_case(officer, base, code)
    reveal = "main form[action$='/identity/']"
    expect(officer.locator(reveal)).to_have_count(0)
    refused = officer.request.post(
        f"{base}/cases/{quoted(code)}/identity/",
        form={
            "csrfmiddlewaretoken": officer.locator(
                "input[name=csrfmiddlewaretoken]"
            ).first.input_value()
        },
    )
    assert refused.status == 403
    for secret in secrets:
        assert secret not in refused.text()

    # The leader, who may know who denounced: not shown until asked for, then shown and audited.
    leader_page = new_page(**DESKTOP_CONTEXT)
    log_in(leader_page, base, with_password("leader"))
    open_case(leader_page, base, code)
    details = leader_page.locator("main dl.details")
    expect(details).to_contain_text("Thông tin cá nhân được bảo vệ")
    for secret in secrets:
        assert secret not in leader_page.content()
    reads = AuditEntry.objects.filter(
        action="voice.identity_reveal", object_id=str(voice.pk), is_sensitive_view=True
    )
    assert not reads.exists()
    # The control unfolds a form that asks why; the reason goes into the audit log.
    leader_page.locator("main details:has(form[action$='/identity/']) > summary").click()
    leader_page.locator(reveal).locator("textarea[name=reason]").fill(
        "Xác minh theo yêu cầu của Thanh tra tỉnh"
    )
    leader_page.locator(reveal).get_by_role("button").click()
    expect(details).to_contain_text(name)
    expect(details).to_contain_text(phone)
    expect(details).to_contain_text(address)
    shot(leader_page, "denunciation-identity-leader-desktop")
    (read,) = reads
    assert read.actor == leader
    assert "denouncer.name" in read.changes["fields"]
    assert read.changes["reason"] == "Xác minh theo yêu cầu của Thanh tra tỉnh"
