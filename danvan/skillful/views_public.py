"""The public showcase of honored models (mô hình "Dân vận khéo" tiêu biểu), at ``/mo-hinh/``,
open to anyone without an account.

Only honored models are shown, and only what may be published: the person of an individual model
is named only when they agreed to it (``person_consents_to_publication``), and no officer's name
or contact is ever shown (not who registered it, reported it or scored it). The views hand the
templates plain ``ShowcaseModel`` records (built in ``selectors_public``), so that a template
cannot reach a field that is not meant to be public.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from danvan.skillful.selectors_public import honored_in, honored_per_province, province_by_code

#: Seconds a browser or proxy may keep a showcase page.
CACHE_SECONDS = 300


def _cached(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


@require_GET
def showcase(request: HttpRequest) -> HttpResponse:
    """The province picker, with the number of honored models in each province."""
    chosen = request.GET.get("tinh", "").strip()
    if chosen:
        return redirect("skillful_public:province", code=chosen)
    provinces = honored_per_province()
    return _cached(render(request, "skillful/public/showcase.html", {"provinces": provinces}))


@require_GET
def province_showcase(request: HttpRequest, code: str) -> HttpResponse:
    province = province_by_code(code)
    if province is None:
        raise Http404(_("No such province."))
    return _cached(
        render(
            request,
            "skillful/public/province.html",
            {"province": province, "models": honored_in(province)},
        )
    )
