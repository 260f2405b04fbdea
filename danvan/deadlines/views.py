from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from danvan.deadlines.forms import DeadlineCalculatorForm


@login_required
def calculator(request: HttpRequest) -> HttpResponse:
    """The deadline calculator (máy tính thời hạn): every step's due date for one voice.

    A GET form, so that a result can be bookmarked or sent to a colleague.
    """
    bound = "kind" in request.GET
    form = DeadlineCalculatorForm(request.GET if bound else None)
    schedule = form.compute() if bound else None
    unit = form.cleaned_data.get("unit") if schedule is not None else None
    return render(
        request,
        "deadlines/calculator.html",
        {"form": form, "schedule": schedule, "unit": unit},
        status=400 if bound and schedule is None else 200,
    )
