"""A proposed model is shown as waiting for the councils that evaluate it (in "my evaluations" and
on its page, both from ``skillful.selectors.councils_for``), and a model recorded as evaluated
before Dân Vận says so instead of "no council has evaluated it"."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from danvan.audit.context import Actor
from danvan.skillful.models import Level, ModelStatus
from danvan.skillful.selectors import awaiting_council, councils_for
from danvan.skillful.services_evaluation import evaluation_open, model_propose
from danvan.skillful.tests.test_evaluation_services import make_model, make_period, setup

pytestmark = pytest.mark.django_db

__all__ = ["setup"]  # the evaluation tests' fixture, used here too


def test_a_proposed_model_waits_in_my_evaluations_until_a_council_has_it(
    setup: dict[str, Any], commune_officer: Any, provincial_staff: Any, login: Any
) -> None:
    member = setup["members"][0]
    actor = Actor.of_user(commune_officer)
    model = model_propose(actor=actor, model=setup["model"], to_level=Level.COMMUNE)
    assert list(councils_for(model)) == [setup["council"]]

    page = login(member).get(reverse("skillful:my_evaluations"))
    assert [a.model for a in page.context["awaiting"]] == [model]
    assert model.name in page.content.decode()
    # Whoever may put it before the council sees it too; the model's page says it is waiting.
    assert [a.model for a in awaiting_council(provincial_staff)] == [model]
    panel = login(provincial_staff).get(reverse("skillful:model_evaluation", args=[model.pk]))
    assert "waiting to be put before a council" in panel.content.decode()

    evaluation_open(actor=actor, model=model, council=setup["council"])
    page = login(member).get(reverse("skillful:my_evaluations"))
    assert page.context["awaiting"] == []
    assert [e.model_id for e in page.context["mine"]] == [model.pk]


def test_a_model_recorded_as_evaluated_does_not_say_no_council_evaluated_it(
    world: Any, provincial_staff: Any, login: Any
) -> None:
    model = make_model(world, make_period(world), status=ModelStatus.EVALUATED)
    html = (
        login(provincial_staff)
        .get(reverse("skillful:model_evaluation", args=[model.pk]))
        .content.decode()
    )
    assert "Evaluated before it was recorded" in html
    assert "No council has evaluated this model yet." not in html
