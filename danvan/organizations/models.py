"""Bodies (cơ quan, tổ chức) of the political system, anchored to a unit, and their officers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from danvan.lib.roles import Capability, Role, role_has
from danvan.lib.scoping import ScopedQuerySet
from danvan.units.models import UnitTier


class BodyKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    PROPAGANDA_MASS_MOBILIZATION_COMMISSION = (
        "propaganda_mass_mobilization_commission",
        _("Propaganda and Mass Mobilization Commission"),
    )
    PARTY_BUILDING_COMMISSION = "party_building_commission", _("Party Building Commission")
    FRONT_COMMITTEE = "front_committee", _("Fatherland Front committee")
    FRONT_MEMBER_ORGANIZATION = "front_member_organization", _("Front member organization")
    PEOPLES_COUNCIL = "peoples_council", _("People's Council")
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
    PEOPLES_COMMITTEE_DEPARTMENT = (
        "peoples_committee_department",
        _("Department of the People's Committee"),
    )
    MASS_MOBILIZATION_BLOC = "mass_mobilization_bloc", _("Mass mobilization bloc")
    MASS_MOBILIZATION_GROUP = "mass_mobilization_group", _("Mass mobilization group")
    FRONT_WORK_BOARD = "front_work_board", _("Front work board")


class MemberOrganization(models.TextChoices):
    """The socio-political organizations that sit under the Front since Law 97/2025."""

    WOMEN = "women", _("Women's Union")
    YOUTH = "youth", _("Ho Chi Minh Communist Youth Union")
    FARMERS = "farmers", _("Farmers' Association")
    VETERANS = "veterans", _("Veterans' Association")
    TRADE_UNION = "trade_union", _("Trade Union")
    OTHER = "other", _("Other member organization")


class PoliticalSystem(models.TextChoices):
    """Which document rules a body's reports follow: Party (36-HD/VPTW) or State (30/2020)."""

    PARTY = "party", _("Party")
    STATE = "state", _("State")
    FRONT = "front", _("Fatherland Front and mass organizations")


#: Where each kind of body exists since 1 July 2025 (see shared/domain/glossary.md).
BODY_KIND_TIERS: dict[str, frozenset[str]] = {
    BodyKind.PARTY_COMMITTEE: frozenset({UnitTier.PROVINCE, UnitTier.COMMUNE}),
    BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION: frozenset({UnitTier.PROVINCE}),
    BodyKind.PARTY_BUILDING_COMMISSION: frozenset({UnitTier.COMMUNE}),
    BodyKind.FRONT_COMMITTEE: frozenset({UnitTier.PROVINCE, UnitTier.COMMUNE}),
    BodyKind.FRONT_MEMBER_ORGANIZATION: frozenset({UnitTier.PROVINCE, UnitTier.COMMUNE}),
    BodyKind.PEOPLES_COUNCIL: frozenset({UnitTier.PROVINCE, UnitTier.COMMUNE}),
    BodyKind.PEOPLES_COMMITTEE: frozenset({UnitTier.PROVINCE, UnitTier.COMMUNE}),
    BodyKind.PEOPLES_COMMITTEE_DEPARTMENT: frozenset({UnitTier.PROVINCE, UnitTier.COMMUNE}),
    BodyKind.MASS_MOBILIZATION_BLOC: frozenset({UnitTier.COMMUNE}),
    BodyKind.MASS_MOBILIZATION_GROUP: frozenset({UnitTier.VILLAGE}),
    BodyKind.FRONT_WORK_BOARD: frozenset({UnitTier.VILLAGE}),
}

SYSTEM_OF_KIND: dict[str, str] = {
    BodyKind.PARTY_COMMITTEE: PoliticalSystem.PARTY,
    BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION: PoliticalSystem.PARTY,
    BodyKind.PARTY_BUILDING_COMMISSION: PoliticalSystem.PARTY,
    BodyKind.MASS_MOBILIZATION_BLOC: PoliticalSystem.PARTY,
    BodyKind.MASS_MOBILIZATION_GROUP: PoliticalSystem.PARTY,
    BodyKind.FRONT_COMMITTEE: PoliticalSystem.FRONT,
    BodyKind.FRONT_MEMBER_ORGANIZATION: PoliticalSystem.FRONT,
    BodyKind.FRONT_WORK_BOARD: PoliticalSystem.FRONT,
    BodyKind.PEOPLES_COUNCIL: PoliticalSystem.STATE,
    BodyKind.PEOPLES_COMMITTEE: PoliticalSystem.STATE,
    BodyKind.PEOPLES_COMMITTEE_DEPARTMENT: PoliticalSystem.STATE,
}


class BodyQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"

    def active(self) -> BodyQuerySet:
        return self.filter(is_active=True)


class Body(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_folded = models.CharField(max_length=200, editable=False, default="")
    short_name = models.CharField(
        _("symbol"),
        max_length=30,
        blank=True,
        help_text=_("Abbreviation used in document numbers, e.g. BTGDVTU or UBND."),
    )
    kind = models.CharField(_("kind"), max_length=50, choices=BodyKind.choices)
    member_organization = models.CharField(
        _("member organization"), max_length=20, choices=MemberOrganization.choices, blank=True
    )
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="bodies",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("superior body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["unit__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint("unit", "name", name="body_unique_name_in_unit"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def political_system(self) -> str:
        return SYSTEM_OF_KIND[self.kind]


class MembershipQuerySet(ScopedQuerySet):
    scope_path_lookup = "body__unit__path"

    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, body__is_active=True, user__is_active=True)

    def holding(self, capability: Capability) -> MembershipQuerySet:
        """The memberships whose role grants ``capability`` (e.g. the officers who may act)."""
        return self.filter(role__in=[r for r in Role.values if role_has(r, capability)])


class Membership(models.Model):
    """An officer's place in a body, with the role that sets what they may do and where."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    position = models.CharField(_("position"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["body__unit__path", "body__name", "user__username"]
        constraints = [
            models.UniqueConstraint("user", "body", name="membership_unique_user_body"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.body} ({self.get_role_display()})"
