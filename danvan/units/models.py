"""Administrative units (đơn vị hành chính): provinces, communes and the villages below them.

A unit's ``code`` is the General Statistics Office code as a zero-padded string: two digits for a
province ("40"), five for a commune ("17329"). Villages and residential groups are not in any
national list; they get a local code under their commune ("17329-001").

``path`` holds the codes from the province down ("/40/17329/17329-001/") so that "this unit and
everything below it" is one indexed prefix lookup on every database.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from danvan.lib.scoping import ScopedQuerySet


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CENTRAL_CITY = "central_city", _("Centrally-run city")
    DISTRICT = "district", _("District (before 1 July 2025)")
    COMMUNE = "commune", _("Commune")
    WARD = "ward", _("Ward")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    VILLAGE = "village", _("Village")
    RESIDENTIAL_GROUP = "residential_group", _("Residential group")


class UnitTier(models.TextChoices):
    """Where a unit sits in today's two-level structure (plus villages below communes)."""

    PROVINCE = "province", _("Province level")
    DISTRICT = "district", _("District level (abolished)")
    COMMUNE = "commune", _("Commune level")
    VILLAGE = "village", _("Village level")


TIER_OF_KIND: dict[str, str] = {
    UnitKind.PROVINCE: UnitTier.PROVINCE,
    UnitKind.CENTRAL_CITY: UnitTier.PROVINCE,
    UnitKind.DISTRICT: UnitTier.DISTRICT,
    UnitKind.COMMUNE: UnitTier.COMMUNE,
    UnitKind.WARD: UnitTier.COMMUNE,
    UnitKind.SPECIAL_ZONE: UnitTier.COMMUNE,
    UnitKind.VILLAGE: UnitTier.VILLAGE,
    UnitKind.RESIDENTIAL_GROUP: UnitTier.VILLAGE,
}

VILLAGE_KINDS = (UnitKind.VILLAGE, UnitKind.RESIDENTIAL_GROUP)
COMMUNE_KINDS = (UnitKind.COMMUNE, UnitKind.WARD, UnitKind.SPECIAL_ZONE)


class AdministrativeUnitQuerySet(ScopedQuerySet):
    scope_path_lookup = "path"

    def current(self) -> AdministrativeUnitQuerySet:
        return self.filter(valid_to__isnull=True)

    def provinces(self) -> AdministrativeUnitQuerySet:
        return self.filter(tier=UnitTier.PROVINCE)

    def communes(self) -> AdministrativeUnitQuerySet:
        return self.filter(tier=UnitTier.COMMUNE)

    def villages(self) -> AdministrativeUnitQuerySet:
        return self.filter(tier=UnitTier.VILLAGE)

    def below(
        self, unit: AdministrativeUnit, *, include_self: bool = True
    ) -> AdministrativeUnitQuerySet:
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class AdministrativeUnit(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_folded = models.CharField(max_length=120, db_index=True, editable=False)
    name_key = models.CharField(max_length=120, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    tier = models.CharField(_("tier"), max_length=10, choices=UnitTier.choices, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    is_remote = models.BooleanField(
        _("remote area"),
        default=False,
        help_text=_("Remote, mountainous or especially difficult area: longer legal time limits."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successors: models.ManyToManyField[AdministrativeUnit, UnitSuccession] = models.ManyToManyField(
        "self",
        through="UnitSuccession",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                "parent",
                "name_key",
                condition=models.Q(valid_to__isnull=True),
                name="unit_unique_current_name_under_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def is_village(self) -> bool:
        return self.tier == UnitTier.VILLAGE

    @property
    def is_commune(self) -> bool:
        return self.tier == UnitTier.COMMUNE

    @property
    def is_province(self) -> bool:
        return self.tier == UnitTier.PROVINCE

    def ancestors(self) -> list[AdministrativeUnit]:
        """Units above this one, the province first (one query)."""
        codes = [c for c in self.path.strip("/").split("/")][:-1]
        by_code = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]


class UnitSuccession(models.Model):
    """A merger or split: records filed under ``predecessor`` roll up into ``successor``."""

    predecessor = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="succession_as_predecessor"
    )
    successor = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="succession_as_successor"
    )
    effective_date = models.DateField(_("effective date"))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        constraints = [
            models.UniqueConstraint("predecessor", "successor", name="unit_succession_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("successor")),
                name="unit_succession_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
