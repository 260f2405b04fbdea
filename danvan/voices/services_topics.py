"""A province's own topics (chủ đề, lĩnh vực) beside the ten built-in ones.

Provincial staff (``Capability.MANAGE_BODIES`` over the whole province) add topics their province
needs, e.g. "Xây dựng nông thôn mới", rename them, reorder them, and retire them. A retired topic
keeps its voices but is no longer offered for new ones. Built-in topics cannot be changed here:
their codes are stable for every province and for the API. The pages are in ``views_topics.py``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.text import clean_name, fold
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.models import Topic


def _require(actor: Actor, province: AdministrativeUnit) -> None:
    if province.tier != UnitTier.PROVINCE:
        raise ValidationError(_("Topics are added for a province."))
    if actor.user is not None and not can(actor.user, Capability.MANAGE_BODIES, province):
        raise PermissionDenied(
            _("You may not manage the topics of %(unit)s.") % {"unit": province.name}
        )


def _check_unique(
    province: AdministrativeUnit, *, code: str, name: str, exclude: int | None
) -> None:
    others = Topic.objects.filter(province__isnull=True) | Topic.objects.filter(province=province)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    for other in others:
        if other.code == code:
            raise ValidationError(
                _("The code “%(code)s” is already used by the topic “%(name)s”.")
                % {"code": code, "name": other.name}
            )
        if fold(other.name) == fold(name):
            raise ValidationError(
                _("A topic named “%(name)s” already exists.") % {"name": other.name}
            )


@transaction.atomic
def topic_create(
    *, actor: Actor, province: AdministrativeUnit, name: str, code: str = "", order: int = 100
) -> Topic:
    _require(actor, province)
    name = clean_name(name)
    if not name:
        raise ValidationError(_("Give the topic a name."))
    code = slugify(code or fold(name))[:40].strip("-")
    if not code:
        raise ValidationError(_("The code must contain letters or digits."))
    _check_unique(province, code=code, name=name, exclude=None)
    topic = Topic.objects.create(province=province, code=code, name=name, order=order)
    audit_record(
        actor=actor,
        action="topic.create",
        obj=topic,
        unit=province,
        changes={"code": code, "name": name},
    )
    return topic


@transaction.atomic
def topic_update(*, actor: Actor, topic: Topic, name: str, order: int, is_active: bool) -> Topic:
    locked = (
        Topic.objects.select_for_update(of=("self",)).select_related("province").get(pk=topic.pk)
    )
    if locked.province is None:
        raise ValidationError(_("The built-in topics cannot be changed."))
    _require(actor, locked.province)
    name = clean_name(name)
    if not name:
        raise ValidationError(_("Give the topic a name."))
    _check_unique(locked.province, code=locked.code, name=name, exclude=locked.pk)
    changes = {
        field: [getattr(locked, field), value]
        for field, value in (("name", name), ("order", order), ("is_active", is_active))
        if getattr(locked, field) != value
    }
    locked.name, locked.order, locked.is_active = name, order, is_active
    locked.save(update_fields=["name", "order", "is_active"])
    audit_record(
        actor=actor, action="topic.update", obj=locked, unit=locked.province, changes=changes
    )
    return locked
