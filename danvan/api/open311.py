"""Open311 GeoReport v2 (``/open311/v2/``): the open standard for service requests.

Mapping: a *service* is a topic (``service_code`` = topic code); a *service request* is a voice
(``service_request_id`` = the voice's ``public_id``, never its tracking code: the code lets its
holder rate the answer and file a second complaint, so it stays between the citizen and the
system). Only the kinds meant to be public are listed (opinions, reflections, voter
recommendations): complaints and denunciations concern named people and never appear here. No
response carries anything about who sent a request, and coordinates are rounded to
``COORDINATE_PLACES`` decimals (about 110 m): an exact point is often the sender's doorstep.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from danvan.api.idempotency import Answer, idempotent
from danvan.api.places import commune_from_address, place_labels, unit_by_code
from danvan.api.throttling import AnonymousSubmissionThrottle
from danvan.api.views import actor_of, find_topic
from danvan.deadlines.models import VoiceKind
from danvan.lib.hostile import xml_text
from danvan.lib.text import fold
from danvan.units.models import AdministrativeUnit
from danvan.voices.models import Topic, Voice, VoiceStatus
from danvan.voices.public_ids import normalize_public_id
from danvan.voices.services import voice_submit

#: The kinds of voice that are public in Open311; a request made through Open311 is a reflection.
PUBLIC_KINDS = (VoiceKind.OPINION, VoiceKind.REFLECTION, VoiceKind.VOTER_RECOMMENDATION)
CLOSED_STATUSES = (VoiceStatus.PUBLISHED, VoiceStatus.CLOSED, VoiceStatus.REFUSED)
MAX_REQUESTS = 1000
DEFAULT_WINDOW = datetime.timedelta(days=90)
#: Published coordinates are rounded to this many decimals: 0.001° is about 110 m.
COORDINATE_PLACES = 3


class Open311XMLRenderer(BaseRenderer):
    """The spec's XML: ``<services><service>…``, ``<service_requests><request>…``, ``<errors>``."""

    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict[str, Any] | None = None,
    ) -> bytes:
        context = renderer_context or {}
        response = context.get("response")
        root_name, item_name = getattr(response, "xml_names", ("response", "item"))
        root = ET.Element(root_name)
        rows = data if isinstance(data, list) else [data]
        for row in rows:
            item = ET.SubElement(root, item_name)
            _fill(item, row)
        return (
            b'<?xml version="1.0" encoding="utf-8"?>'
            + ET.tostring(root, encoding="unicode").encode()
        )


def _fill(element: ET.Element, row: dict[str, Any]) -> None:
    for key, value in row.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):
            for entry in value:
                sub = ET.SubElement(child, "value" if not isinstance(entry, dict) else "attribute")
                if isinstance(entry, dict):
                    _fill(sub, entry)
                else:
                    sub.text = xml_text(str(entry))
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        elif value is not None:
            # Text stored by another road than a request (an import) may hold characters XML
            # cannot: ElementTree would write them and the document would not parse.
            child.text = xml_text(str(value))


def respond(data: Any, names: tuple[str, str], status: int = 200) -> Response:
    response = Response(data, status=status)
    response.xml_names = names
    return response


def open311_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Errors as the spec writes them: ``[{"code": 400, "description": "…"}]``."""
    if isinstance(exc, ValidationError):
        code, messages = 400, exc.messages
    elif isinstance(exc, PermissionDenied):
        code, messages = 403, [str(m) for m in exc.args] or [_("Forbidden")]
    elif isinstance(exc, Http404):
        code, messages = 404, [_("Not found.")]
    elif isinstance(exc, exceptions.APIException):
        code = exc.status_code
        detail = exc.detail
        messages = [str(d) for d in detail] if isinstance(detail, list) else [str(detail)]
    else:
        return None
    return respond(
        [{"code": code, "description": m} for m in messages], ("errors", "error"), status=code
    )


class Open311View(APIView):
    schema = AutoSchema()
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, Open311XMLRenderer]
    parser_classes = [FormParser, MultiPartParser]

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return open311_exception_handler


def _topics(request: Request) -> QuerySet[Topic]:
    """The built-in topics, and a province's own with ``jurisdiction_id`` = the province code."""
    province = None
    if jurisdiction := request.query_params.get("jurisdiction_id", "").strip():
        province = AdministrativeUnit.objects.provinces().filter(code=jurisdiction).first()
        if province is None:
            raise Http404
    return Topic.objects.for_province(province.pk if province else None).select_related("province")


def _service(topic: Topic) -> dict[str, Any]:
    return {
        "service_code": topic.code,
        "service_name": topic.name,
        "description": topic.name,
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys([topic.code, fold(topic.name)])),
        "group": topic.province.name if topic.province else "",
    }


@extend_schema(exclude=True)
class ServiceListView(Open311View):
    def get(self, request: Request, format: str | None = None) -> Response:
        return respond([_service(t) for t in _topics(request)], ("services", "service"))


@extend_schema(exclude=True)
class ServiceDefinitionView(Open311View):
    def get(self, request: Request, service_code: str, format: str | None = None) -> Response:
        topic = _topics(request).filter(code=service_code).first()
        if topic is None:
            raise Http404
        return respond(
            [{"service_code": topic.code, "attributes": []}],
            ("service_definition", "service"),
        )


def _local_iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _end_of_day(day: datetime.date | None) -> str | None:
    if day is None:
        return None
    moment = datetime.datetime.combine(day, datetime.time(23, 59, 59))
    return timezone.make_aware(moment).isoformat()


def _status_notes(voice: Voice) -> str:
    if voice.status == VoiceStatus.REFUSED:
        return voice.refusal_reason
    if voice.published_at is not None and voice.status in (
        VoiceStatus.PUBLISHED,
        VoiceStatus.CLOSED,
    ):
        return voice.answer_text
    return str(voice.get_status_display())


def coarse(value: Decimal | None) -> Decimal | None:
    """A published coordinate: rounded to ``COORDINATE_PLACES`` decimals."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-COORDINATE_PLACES))


def _requests(voices: list[Voice]) -> list[dict[str, Any]]:
    labels = place_labels(v.unit for v in voices)
    return [
        {
            "service_request_id": v.public_id,
            "status": "closed" if v.status in CLOSED_STATUSES else "open",
            "status_notes": _status_notes(v),
            "service_name": v.topic.name,
            "service_code": v.topic.code,
            "description": v.text,
            "agency_responsible": v.assignee.name if v.assignee else "",
            "service_notice": "",
            "requested_datetime": _local_iso(v.received_at),
            "updated_datetime": _local_iso(v.updated_at),
            "expected_datetime": _end_of_day(v.due_on),
            "address": labels[v.unit.pk],
            "address_id": v.unit.code,
            "zipcode": None,
            "lat": coarse(v.latitude),
            "long": coarse(v.longitude),
            "media_url": None,
        }
        for v in voices
    ]


def public_requests() -> QuerySet[Voice]:
    return Voice.objects.filter(kind__in=PUBLIC_KINDS).select_related("unit", "topic", "assignee")


def _moment(raw: str) -> datetime.datetime:
    try:
        # Both raise ValueError for a well-formed but impossible day ("2026-13-45").
        value = parse_datetime(raw)
        if value is None and (day := parse_date(raw)) is not None:
            value = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        value = None
    if value is None:
        raise ValidationError(_("“%(value)s” is not a date and time.") % {"value": raw})
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _decimal(raw: str, name: str) -> Decimal | None:
    if not raw.strip():
        return None
    try:
        return Decimal(raw.strip()).quantize(Decimal("0.000001"))
    except InvalidOperation as exc:
        raise ValidationError(_("%(name)s is not a number.") % {"name": name}) from exc


@extend_schema(exclude=True)
class RequestListView(Open311View):
    throttle_classes = [AnonymousSubmissionThrottle]

    def get(self, request: Request, format: str | None = None) -> Response:
        params = request.query_params
        voices = public_requests()
        if ids := params.get("service_request_id", "").strip():
            wanted_ids = [normalize_public_id(i) for i in ids.split(",")[:100]]
            voices = voices.filter(public_id__in=[i for i in wanted_ids if i])
        else:
            start = _moment(params["start_date"]) if params.get("start_date") else None
            end = _moment(params["end_date"]) if params.get("end_date") else None
            if start is None and end is None:
                start = timezone.now() - DEFAULT_WINDOW
            if start is not None:
                voices = voices.filter(received_at__gte=start)
            if end is not None:
                voices = voices.filter(received_at__lte=end)
            if codes := params.get("service_code", "").strip():
                voices = voices.filter(topic__code__in=[c.strip() for c in codes.split(",")])
            wanted = params.get("status", "").strip().lower()
            if wanted == "open":
                voices = voices.exclude(status__in=CLOSED_STATUSES)
            elif wanted == "closed":
                voices = voices.filter(status__in=CLOSED_STATUSES)
            elif wanted:
                raise ValidationError(_("status is “open” or “closed”."))
        rows = _requests(list(voices[:MAX_REQUESTS]))
        return respond(rows, ("service_requests", "request"))

    def post(self, request: Request, format: str | None = None) -> Response:
        # ``Idempotency-Key``: a retry gets the first answer again (``danvan.api.idempotency``).
        answer = idempotent(request, lambda: self._create(request))
        return respond(answer.data, ("service_requests", "request"), status=answer.status)

    def _create(self, request: Request) -> Answer:
        data = request.data
        text = str(data.get("description", "")).strip()
        if not text:
            raise ValidationError(_("description is required."))
        place = self._place(data)
        topic = find_topic(str(data.get("service_code", "")).strip(), place)
        if topic is None:
            raise ValidationError(_("service_code is not a service of this place."))
        name = " ".join(
            part for part in (data.get("first_name", ""), data.get("last_name", "")) if part.strip()
        ).strip()
        contact = " / ".join(
            p.strip() for p in (data.get("phone", ""), data.get("email", "")) if p.strip()
        )
        voice = voice_submit(
            actor=actor_of(request),
            kind=VoiceKind.REFLECTION,
            channel="api",
            unit=place,
            topic=topic,
            text=text,
            is_anonymous=not name,
            submitter_name=name,
            submitter_contact=contact,
            latitude=_decimal(str(data.get("lat", "")), "lat"),
            longitude=_decimal(str(data.get("long", "")), "long"),
        )
        notice = _("Keep the code %(code)s to follow your request.") % {"code": voice.tracking_code}
        return Answer(
            [
                {
                    "service_request_id": voice.public_id,
                    "service_notice": notice,
                    "account_id": None,
                }
            ],
            201,
        )

    def _place(self, data: Any) -> AdministrativeUnit:
        """The commune from ``address_id`` (its code) or ``address_string`` ("Xã Anh Sơn, Nghệ
        An"). Coordinates alone are not enough: there is no commune boundary data to find one."""
        address_id = str(data.get("address_id", "")).strip()
        address = str(data.get("address_string", "")).strip()
        if address_id:
            unit = unit_by_code(address_id)
            if unit is None:
                raise ValidationError(_("address_id is not the code of a current commune."))
            return unit
        if address:
            unit = commune_from_address(address)
            if unit is None:
                raise ValidationError(
                    _("No current commune matches address_string; write “commune, province”.")
                )
            return unit
        if data.get("lat") or data.get("long"):
            raise ValidationError(
                _(
                    "The commune cannot be found from lat/long alone: also send address_id "
                    "(the commune code) or address_string (“commune, province”)."
                )
            )
        raise ValidationError(_("Send address_id or address_string."))


@extend_schema(exclude=True)
class RequestDetailView(Open311View):
    def get(self, request: Request, request_id: str, format: str | None = None) -> Response:
        public_id = normalize_public_id(request_id)
        voice = public_requests().filter(public_id=public_id).first() if public_id else None
        if voice is None:
            raise Http404
        return respond(_requests([voice]), ("service_requests", "request"))
