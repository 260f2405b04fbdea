from __future__ import annotations

from typing import Any

from django.db import models

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry


def audit_record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    unit: Any | None = None,
    changes: dict[str, Any] | None = None,
    sensitive_view: bool = False,
) -> AuditEntry:
    """Append one audit row. Call it inside the transaction of the change it records."""
    return AuditEntry.objects.create(
        actor=actor.user,
        actor_label=actor.name[:150],
        ip_address=actor.ip,
        user_agent=actor.user_agent[:255],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        unit=unit,
        changes=changes or {},
        is_sensitive_view=sensitive_view,
    )


def audit_sensitive_view(
    *, actor: Actor, obj: models.Model, fields: list[str], unit: Any | None = None
) -> AuditEntry:
    """Record that ``actor`` was shown the ``fields`` of ``obj`` that are marked sensitive."""
    return audit_record(
        actor=actor,
        action="sensitive.view",
        obj=obj,
        unit=unit,
        changes={"fields": fields},
        sensitive_view=True,
    )


def audit_export(
    *,
    actor: Actor,
    action: str,
    rows: int,
    filters: str = "",
    personal_data: bool = False,
    unit: Any | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one download of a workbook or export: which one (``action``), with what filters
    (the query string, cut to 500 characters), how many rows, and whether it held personal data
    (then it is also a look at personal data). Every export calls it, immediate or background."""
    return audit_record(
        actor=actor,
        action=action,
        unit=unit,
        changes={
            "rows": rows,
            "filters": filters[:500],
            "personal_data": personal_data,
            **(changes or {}),
        },
        sensitive_view=personal_data,
    )


def model_changes(
    instance: models.Model, fields: list[str], before: dict[str, Any]
) -> dict[str, Any]:
    """The fields whose value differs from ``before``, as {field: [old, new]}."""
    result: dict[str, Any] = {}
    for name in fields:
        new = getattr(instance, name)
        old = before.get(name)
        if old != new:
            result[name] = [_plain(old), _plain(new)]
    return result


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
