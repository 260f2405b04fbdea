"""People's voices (ý kiến, phản ánh, kiến nghị, khiếu nại, tố cáo) and their handling as cases.

A ``Voice`` is one thing a citizen (or voter, or a reception session) raised. It is handled as a
case: accepted or refused, assigned to the body that must act, answered, published, closed. The
current status is copied onto the voice and changed only by the services, each of which writes a
``VoiceEvent`` (the timeline) and an audit row. ``version`` is bumped on every change so that two
officers acting on one case never silently overwrite each other.

The submitter's identity is personal data, encrypted at rest. A denouncer's identity is kept apart
from the case (``DenouncerIdentity``), as the Law on Denunciations Art. 9 and 56 require.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from danvan.deadlines.models import Complexity, VoiceKind
from danvan.lib.crypto import EncryptedTextField
from danvan.lib.scoping import ScopedQuerySet
from danvan.voices.public_ids import new_public_id

__all__ = [
    "Channel",
    "Coordination",
    "Topic",
    "Voice",
    "VoiceDeadline",
    "VoiceEvent",
    "VoiceKind",
    "VoiceStatus",
]


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    OFFICER = "officer", _("Entered by an officer")
    RECEPTION = "reception", _("Citizen reception session")
    VOTER_CONTACT = "voter_contact", _("Voter contact session")
    HOTLINE = "hotline", _("Hotline")
    LETTER = "letter", _("Letter")
    SOCIAL_MEDIA = "social_media", _("Social media")
    API = "api", _("API")
    IMPORT = "import", _("Spreadsheet import")


class VoiceStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    ASSIGNED = "assigned", _("Assigned")
    FORWARDED = "forwarded", _("Forwarded to the competent body")
    ANSWERED = "answered", _("Answered")
    PUBLISHED = "published", _("Answer published")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    VoiceStatus.RECEIVED,
    VoiceStatus.ACCEPTED,
    VoiceStatus.ASSIGNED,
    VoiceStatus.FORWARDED,
)


class TopicQuerySet(models.QuerySet["Topic"]):
    def for_province(self, province_id: int | None) -> TopicQuerySet:
        """The built-in topics and the province's own."""
        return self.filter(
            models.Q(province__isnull=True) | models.Q(province_id=province_id), is_active=True
        )


class Topic(models.Model):
    """A topic of the taxonomy. Built-in topics have stable codes; a province may add its own."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    province = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the built-in topics used everywhere."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                "code", condition=models.Q(province__isnull=True), name="topic_unique_builtin_code"
            ),
            models.UniqueConstraint("province", "code", name="topic_unique_code_in_province"),
        ]

    def __str__(self) -> str:
        return self.name


class VoiceQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"

    def open(self) -> VoiceQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Voice(models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True)
    #: The id Open311 publishes (``public_ids``): the tracking code stays the citizen's secret.
    public_id = models.CharField(
        _("public id"), max_length=16, unique=True, default=new_public_id, editable=False
    )
    kind = models.CharField(_("kind"), max_length=30, choices=VoiceKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("where it arose"),
        on_delete=models.PROTECT,
        related_name="voices",
    )
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT)
    text = models.TextField(_("content"))
    received_on = models.DateField(_("received on"), db_index=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    submitter_name = EncryptedTextField(_("name"), blank=True)
    submitter_contact = EncryptedTextField(_("phone or email"), blank=True)
    submitter_address = EncryptedTextField(_("address"), blank=True)

    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=VoiceStatus.choices, default=VoiceStatus.RECEIVED
    )
    receiving_body = models.ForeignKey(
        "organizations.Body",
        verbose_name=_("receiving body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        "organizations.Body",
        verbose_name=_("responsible body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_voices",
    )
    is_remote = models.BooleanField(_("remote area"), default=False)
    complexity = models.CharField(
        _("complexity"), max_length=20, choices=Complexity.choices, default=Complexity.NORMAL
    )
    is_joint = models.BooleanField(
        _("lead agency of a joint answer"),
        default=False,
        help_text=_("Voter recommendations answered jointly: 50 days instead of 40."),
    )
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    rule_set = models.ForeignKey(
        "deadlines.RuleSet", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: The earliest due date among the steps still to do; what the inbox sorts and filters on.
    due_on = models.DateField(_("due on"), null=True, blank=True, db_index=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    answer_text = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    #: The day the answer or first-time decision was issued to the citizen (published): a second
    #: complaint is counted from it (Law on Complaints Art. 33).
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    satisfaction_comment = models.TextField(_("comment on the answer"), blank=True)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("first complaint"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_complaints",
    )
    #: The issue (same matter, same place) this voice belongs to: set by ``insight.grouping``.
    issue = models.ForeignKey(
        "insight.Issue",
        verbose_name=_("issue"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="voices",
    )
    #: How close the voice was to its issue when matched (1.0 for an officer's decision).
    issue_score = models.FloatField(null=True, blank=True)
    #: The topic the classifier suggested, and how sure it was (0–1).
    suggested_topic = models.ForeignKey(
        Topic,
        verbose_name=_("suggested topic"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    topic_confidence = models.FloatField(_("confidence of the suggestion"), null=True, blank=True)
    #: A key the server made for one submission (the citizens' form's one-time token, hashed; the
    #: demo data's names): a retry with it returns the first voice. Never a client's own key: the
    #: API keeps those per client (``api.IdempotencyRecord``). It was ``idempotency_key``, global
    #: to every client and answered by the public API for any voice.
    submission_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    #: What makes a spreadsheet row the same voice as an earlier one (``fingerprint.py``):
    #: an HMAC, with a secret derived from ``SECRET_KEY``, of the import's scope, kind, unit, topic,
    #: text and date; never of the sender, and unreadable without the server's secret.
    import_fingerprint = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = VoiceQuerySet.as_manager()

    #: Set by ``voice_submit`` on the voice it returns for a retried submission (not stored).
    replayed: bool = False

    class Meta:
        verbose_name = _("voice")
        verbose_name_plural = _("voices")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["unit", "-received_at"]),
            # The inbox's order (due date, nulls last, as PostgreSQL sorts them ascending; then
            # the oldest received): its first page is read off this index instead of sorting
            # every voice in the user's scope.
            models.Index(fields=["due_on", "received_on", "id"], name="voice_inbox_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="voice_satisfaction_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class VoiceDeadline(models.Model):
    """One step's due date, computed by the deadline engine and stored on the case."""

    voice = models.ForeignKey(Voice, on_delete=models.CASCADE, related_name="deadlines")
    step = models.CharField(_("step"), max_length=40)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    counts_from = models.CharField(max_length=20)
    citation = models.CharField(_("legal basis"), max_length=255, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    #: Extensions granted so far; the engine checks them against what the law allows.
    extensions = models.PositiveSmallIntegerField(_("extensions"), default=0)

    class Meta:
        verbose_name = _("due date")
        verbose_name_plural = _("due dates")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint("voice", "step", name="voice_deadline_unique_step")]

    def __str__(self) -> str:
        return f"{self.voice} {self.step} {self.due_on}"


class VoiceEvent(models.Model):
    """The case's timeline. ``is_public`` events are shown to the citizen with the tracking code."""

    voice = models.ForeignKey(Voice, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    body = models.ForeignKey(
        "organizations.Body", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.voice} {self.action}"


class Coordination(models.Model):
    """A request to another body to coordinate on a case, and that body's reply.

    Decision 33/2017/QĐ-TTg Art. 12: the lead agency asks within 5 working days; the coordinating
    body replies within 15 days. ``due_on`` is the reply's due date, fixed when asked.
    """

    voice = models.ForeignKey(Voice, on_delete=models.CASCADE, related_name="coordinations")
    body = models.ForeignKey(
        "organizations.Body",
        verbose_name=_("coordinating body"),
        on_delete=models.PROTECT,
        related_name="coordinations",
    )
    request = models.TextField(_("what is asked"))
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("reply due on"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("coordination request")
        verbose_name_plural = _("coordination requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                "voice",
                "body",
                condition=models.Q(replied_at__isnull=True),
                name="coordination_one_open_request_per_body",
            )
        ]

    def __str__(self) -> str:
        return f"{self.voice} → {self.body}"


class DenouncerIdentity(models.Model):
    """Who denounced, kept apart from the case and encrypted (Law on Denunciations Art. 9, 56).

    Never reachable through ``Voice`` fields, serializers or exports: only
    ``selectors.denouncer_identity`` returns it, to roles the law permits, with an audit row.
    """

    voice = models.OneToOneField(Voice, on_delete=models.CASCADE, related_name="+")
    name = EncryptedTextField()
    contact = EncryptedTextField(blank=True)
    address = EncryptedTextField(blank=True)
    id_number = EncryptedTextField(blank=True)

    def __str__(self) -> str:
        return f"identity of {self.voice_id}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # ``filename`` is already the random name chosen by ``attachments.attachment_add``.
    return f"voices/attachments/{filename}"


class Attachment(models.Model):
    """A photo or document sent with a voice (tệp đính kèm).

    Only JPEG, PNG, WebP and PDF, recognised by their content. Images are re-encoded so that no
    metadata (EXIF GPS position, camera, author) survives; the stored name is random, and the
    citizen's own file name is kept only as ``original_name``. Written only by
    ``attachments.attachment_add``.
    """

    voice = models.ForeignKey(Voice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=255)
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")


class BackgroundJob(models.Model):
    """What a spreadsheet import and an export run in the background share: who asked for it and
    from where, in which language its messages are written, its status and progress."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    #: The officer's language when starting it: the job's messages are written in it.
    language = models.CharField(max_length=10, default="vi")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    #: Why the whole job failed, for the officer.
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)


def _import_path(instance: VoiceImportJob, filename: str) -> str:
    # ``filename`` is already random (``importing.jobs.voice_import_job_start``).
    return f"voices/imports/{filename}"


class VoiceImportJob(BackgroundJob):
    """A large spreadsheet of voices imported in the background, with its progress and report.

    The file is kept under ``MEDIA_ROOT`` (never served); only the officer who started the job, or
    one whose scope covers theirs, sees the job. Written only by ``importing``.
    """

    file = models.FileField(_("file"), upload_to=_import_path, max_length=255)
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    only_valid = models.BooleanField(_("import only the rows without errors"), default=False)
    imported = models.PositiveIntegerField(_("voices imported"), default=0)
    #: The rows with errors: [{"line", "unit_code", "text", "errors": [...]}, ...].
    report = models.JSONField(default=list, blank=True)
    # ``error``: why the whole job failed (an unreadable file, a crash); while the job is queued
    # again after its worker stopped, the notice saying so.
    #: Written every ``importing.jobs.HEARTBEAT_SECONDS`` while a worker runs the job: a running
    #: job whose heartbeat has stopped is retried or failed
    #: (``importing.jobs.voice_import_jobs_reap``).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    #: How many times a worker has started the job.
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("voice import")
        verbose_name_plural = _("voice imports")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"


def _export_path(instance: VoiceExportJob, filename: str) -> str:
    # ``filename`` is already random (``exports.voice_export_job_start``).
    return f"voices/exports/{filename}"


class VoiceExportJob(BackgroundJob):
    """A large export of the inbox written in the background, with its progress and its file.

    The request is frozen when it is made: the inbox's filters, the day, and the requester's scopes
    (what they may see, and where they may see personal data), so the file holds what the
    requester could have downloaded at that moment. The file is kept under ``MEDIA_ROOT`` (never
    served) for the requester alone until ``expires_at``. Written only by ``exports``.
    """

    #: The inbox's filters, as the query string of the export's address.
    query = models.CharField(max_length=2000, blank=True)
    #: The day the urgency is computed against: the day of the request.
    as_of = models.DateField()
    #: The requester's scopes at the request: {"view": {...}, "personal_data": {...}}, each
    #: {"global": bool, "prefixes": [unit paths]}.
    scopes = models.JSONField(default=dict)
    #: Rows written with the sender's name and contacts.
    personal_rows = models.PositiveIntegerField(default=0)
    file = models.FileField(_("file"), upload_to=_export_path, max_length=255, blank=True)
    #: After this the file is deleted and the download refused.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("case export")
        verbose_name_plural = _("case exports")

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"
