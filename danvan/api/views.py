"""``/api/v1/``: the citizen app's submit and status lookup, and officers' case endpoints.

DRF is configured on the classes here, not in ``REST_FRAMEWORK`` settings: authentication,
permissions, throttles, renderers, the exception handler and the schema class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from danvan.api import idempotency
from danvan.api import serializers as s
from danvan.api.authentication import ApiTokenAuthentication
from danvan.api.errors import problem_exception_handler
from danvan.api.places import place_labels, unit_by_code
from danvan.api.throttling import AnonymousSubmissionThrottle
from danvan.audit.context import Actor
from danvan.audit.services import audit_sensitive_view
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.organizations.models import Body
from danvan.voices import (
    services,
    services_answer,
    services_citizen,
    services_handling,
    services_routing,
)
from danvan.voices.forms import CaseApiFilterForm
from danvan.voices.models import Topic, Voice, VoiceEvent, VoiceStatus
from danvan.voices.selectors import inbox_for
from danvan.voices.tracking import normalize_tracking_code

IDEMPOTENCY_HEADER = idempotency.OPENAPI_HEADER
IDEMPOTENCY_RESPONSES = {
    422: OpenApiResponse(description="The Idempotency-Key was used for a different request."),
}


def documented(**kwargs: Any) -> Callable[[Any], Any]:
    """``extend_schema`` for a view method. On a method it would start from DRF's
    ``DEFAULT_SCHEMA_CLASS``, which is DRF's own AutoSchema here (no ``REST_FRAMEWORK`` setting);
    naming drf-spectacular's on the method makes it start from that instead."""

    def decorate(method: Any) -> Any:
        method.schema = AutoSchema
        return extend_schema(**kwargs)(method)

    return decorate


class ApiView(APIView):
    schema = AutoSchema()
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return problem_exception_handler


class PublicApiView(ApiView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]


class OfficerApiView(ApiView):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [IsAuthenticated]


def actor_of(request: Request) -> Actor:
    return Actor.from_request(request._request)


def answer_response(answer: idempotency.Answer, replay_status: int | None = None) -> Response:
    """The answer, or its replay with ``Idempotent-Replayed: true`` (and ``replay_status``)."""
    if not answer.replayed:
        return Response(answer.data, status=answer.status)
    return Response(
        answer.data,
        status=replay_status or answer.status,
        headers={"Idempotent-Replayed": "true"},
    )


def find_topic(code: str, unit: Any) -> Topic | None:
    province_code = unit.path.strip("/").split("/")[0]
    topics = Topic.objects.filter(code=code, is_active=True).select_related("province")
    for topic in topics:
        if topic.province is None or topic.province.code == province_code:
            return topic
    return None


class VoiceSubmitView(PublicApiView):
    throttle_classes = [AnonymousSubmissionThrottle]

    @documented(
        operation_id="voice_submit",
        request=s.VoiceSubmitSerializer,
        responses={
            201: s.SubmittedSerializer,
            200: s.SubmittedSerializer,
            **IDEMPOTENCY_RESPONSES,
        },
        parameters=[IDEMPOTENCY_HEADER],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        """Send a voice. 201 with the tracking code; 200 with the same answer when it replays an
        earlier request with the same `Idempotency-Key`; 422 when the key was used for another
        request."""
        form = s.VoiceSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        answer = idempotency.idempotent(request, lambda: self.submit(request, form.validated_data))
        return answer_response(answer, replay_status=status.HTTP_200_OK)

    def submit(self, request: Request, data: dict[str, Any]) -> idempotency.Answer:
        unit = unit_by_code(data["unit"])
        if unit is None:
            raise ValidationError({"unit": [_("No current commune or village has this code.")]})
        topic = find_topic(data["topic"], unit)
        if topic is None:
            raise ValidationError({"topic": [_("No topic has this code here.")]})
        voice = services.voice_submit(
            actor=actor_of(request),
            kind=data["kind"],
            channel="api",
            unit=unit,
            topic=topic,
            text=data["text"],
            is_anonymous=data["is_anonymous"],
            submitter_name=data.get("submitter_name", ""),
            submitter_contact=data.get("submitter_contact", ""),
            submitter_address=data.get("submitter_address", ""),
            submitter_id_number=data.get("submitter_id_number", ""),
            latitude=data.get("lat"),
            longitude=data.get("long"),
        )
        return idempotency.Answer(s.SubmittedSerializer(voice).data, status.HTTP_201_CREATED)


def voice_by_code(queryset: QuerySet[Voice], code: str) -> Voice:
    canonical = normalize_tracking_code(code)
    voice = queryset.filter(tracking_code=canonical).first() if canonical else None
    if voice is None:
        raise Http404
    return voice


class VoiceStatusView(PublicApiView):
    @documented(operation_id="voice_status", responses=s.VoiceStatusSerializer, auth=[])
    def get(self, request: Request, tracking_code: str) -> Response:
        """The status and public timeline of a voice; its answer once published."""
        voice = voice_by_code(
            Voice.objects.select_related("unit", "topic").prefetch_related(
                Prefetch(
                    "events",
                    VoiceEvent.objects.filter(is_public=True).select_related("body"),
                    to_attr="public_events",
                )
            ),
            tracking_code,
        )
        voice.place = place_labels([voice.unit])[voice.unit.pk]  # type: ignore[attr-defined]
        voice.timeline = voice.public_events  # type: ignore[attr-defined]
        published = voice.published_at is not None and voice.status in (
            VoiceStatus.PUBLISHED,
            VoiceStatus.CLOSED,
        )
        voice.answer = voice if published else None  # type: ignore[attr-defined]
        return Response(s.VoiceStatusSerializer(voice).data)


class VoiceRateView(PublicApiView):
    throttle_scope = "lookup"

    @documented(
        operation_id="voice_rate",
        request=s.RateSerializer,
        responses=s.VoiceStatusSerializer,
        auth=[],
        description="The citizen rates the published answer from 1 to 5, once.",
    )
    def post(self, request: Request, tracking_code: str) -> Response:
        voice = voice_by_code(Voice.objects.all(), tracking_code)
        form = s.RateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services_citizen.voice_rate(
            actor=actor_of(request),
            voice=voice,
            expected_version=voice.version,
            score=form.validated_data["score"],
            comment=form.validated_data.get("comment", ""),
        )
        return VoiceStatusView().get(request, tracking_code)


class CasePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int | None:
        # DRF would silently fall back to 50 for "abc" or 0: a client's mistake is answered.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and int(raw) >= 1):
            raise ValidationError({"page_size": [_("Enter a whole number of at least 1.")]})
        return super().get_page_size(request)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not (raw.isdigit() and int(raw) >= 1):
            raise ValidationError({"page": [_("Enter a whole number of at least 1.")]})
        return super().get_page_number(request, paginator)


def officer_cases(request: Request) -> QuerySet[Voice]:
    return Voice.objects.visible_to(request.user).select_related("unit", "topic", "assignee")


class CaseListView(OfficerApiView):
    @documented(
        operation_id="case_list",
        responses=s.CaseListSerializer(many=True),
        parameters=[
            OpenApiParameter("kind", str),
            OpenApiParameter("status", str),
            OpenApiParameter("unit", str, description="Unit code; the unit and every unit below."),
            OpenApiParameter("topic", str, description="Topic code."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
    )
    def get(self, request: Request) -> Response:
        """The cases in the token owner's scope, newest first."""
        params = request.query_params
        form = CaseApiFilterForm(
            {name: params.get(name, "") for name in ("kind", "status", "unit")}
            | {"topic_code": params.get("topic", "")}
        )
        # A value that names nothing (an unknown kind, status or code) finds no case.
        cases = inbox_for(request.user, form.filters()) if form.is_valid() else Voice.objects.none()
        # Newest as received (the inbox's "newest" is by day), as this list always was.
        cases = cases.order_by("-received_at", "-id")
        paginator = CasePagination()
        page = paginator.paginate_queryset(cases, request, view=self)
        return paginator.get_paginated_response(s.CaseListSerializer(page, many=True).data)


class CaseDetailView(OfficerApiView):
    @documented(operation_id="case_detail", responses=s.CaseDetailSerializer)
    def get(self, request: Request, tracking_code: str) -> Response:
        """One case with its timeline and due dates. The submitter's contact only for users
        allowed to see personal data there, and each such read is audited."""
        voice = voice_by_code(
            officer_cases(request).prefetch_related(
                "deadlines", Prefetch("events", VoiceEvent.objects.select_related("actor", "body"))
            ),
            tracking_code,
        )
        voice.submitter = None  # type: ignore[attr-defined]
        shown = [
            f
            for f in ("submitter_name", "submitter_contact", "submitter_address")
            if getattr(voice, f)
        ]
        if shown and can(request.user, Capability.VIEW_PERSONAL_DATA, voice.unit):
            audit_sensitive_view(actor=actor_of(request), obj=voice, fields=shown, unit=voice.unit)
            voice.submitter = voice  # type: ignore[attr-defined]
        return Response(s.CaseDetailSerializer(voice).data)


CASE_ACTIONS = (
    "accept",
    "refuse",
    "assign",
    "forward",
    "coordinate",
    "coordination_reply",
    "extend",
    "answer",
    "publish",
    "close",
    "reopen",
    "second_complaint",
)


def _body(pk: Any, field: str = "body") -> Body:
    body = Body.objects.filter(pk=pk).select_related("unit").first() if pk else None
    if body is None:
        raise ValidationError({field: [_("Choose an existing body.")]})
    return body


class CaseActionView(OfficerApiView):
    @documented(
        operation_id="case_action",
        request=s.CaseActionSerializer,
        responses={200: s.CaseListSerializer, **IDEMPOTENCY_RESPONSES},
        parameters=[IDEMPOTENCY_HEADER],
        description=(
            "action is one of accept, refuse, assign, forward, coordinate, coordination_reply, "
            "extend, answer, publish, close, reopen, second_complaint (on a first complaint: "
            "creates the second and returns it). "
            "A stale version gets 409, a refused action 400, a case you may not act on 403. "
            "With an `Idempotency-Key`, a retry of an action that succeeded gets its first answer "
            "again (not 409 for the version it changed, nor 400 for a second complaint already "
            "filed)."
        ),
    )
    def post(self, request: Request, tracking_code: str, action: str) -> Response:
        if action not in CASE_ACTIONS:
            raise Http404
        voice = voice_by_code(officer_cases(request), tracking_code)
        form = s.CaseActionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        return answer_response(
            idempotency.idempotent(request, lambda: self.act(request, voice, action, data))
        )

    def act(
        self, request: Request, voice: Voice, action: str, data: dict[str, Any]
    ) -> idempotency.Answer:
        common: dict[str, Any] = {
            "actor": actor_of(request),
            "voice": voice,
            "expected_version": data["version"],
        }
        if action == "accept":
            voice = services_routing.case_accept(**common, accepted_on=data.get("accepted_on"))
        elif action == "refuse":
            voice = services_routing.case_refuse(**common, reason=data.get("reason", ""))
        elif action == "assign":
            voice = services_routing.case_assign(**common, body=_body(data.get("body")))
        elif action == "forward":
            voice = services_routing.case_forward(
                **common, body=_body(data.get("body")), reason=data.get("reason", "")
            )
        elif action == "coordinate":
            bodies = [_body(pk, "bodies") for pk in data.get("bodies", [])]
            voice = services_handling.case_coordinate(
                **common, bodies=bodies, request=data.get("request", "")
            )
        elif action == "coordination_reply":
            coordination = voice.coordinations.filter(pk=data.get("coordination") or 0).first()
            if coordination is None:
                raise ValidationError({"coordination": [_("No such coordination request.")]})
            voice = services_handling.coordination_reply(
                actor=common["actor"],
                coordination=coordination,
                expected_version=data["version"],
                reply=data.get("reply", ""),
            )
        elif action == "extend":
            voice = services_handling.case_extend(
                **common,
                step=data.get("step", ""),
                reason=data.get("reason", ""),
                complexity=data.get("complexity"),
            )
        elif action == "second_complaint":
            voice = services_citizen.complaint_file_second(
                actor=common["actor"],
                first=voice,
                expected_version=data["version"],
                text=data.get("text", ""),
                channel="api",
            )
        elif action == "answer":
            voice = services_answer.case_answer(**common, text=data.get("text", ""))
        elif action == "publish":
            voice = services_answer.case_publish(**common)
        elif action == "close":
            voice = services_answer.case_close(**common, note=data.get("note", ""))
        else:
            voice = services_answer.case_reopen(**common, reason=data.get("reason", ""))
        voice = officer_cases(request).get(pk=voice.pk)
        return idempotency.Answer(s.CaseListSerializer(voice).data, status.HTTP_200_OK)
