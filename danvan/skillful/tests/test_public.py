"""The public showcase: honored models per province, open to all, without personal data."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.skillful.models import (
    Commendation,
    Holder,
    Indicator,
    IndicatorReport,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.tests.test_checks import OTHER_CONTENT, make_model

pytestmark = pytest.mark.django_db

HIDDEN_PERSON = "Nguyễn Thị Không Đồng Ý"
NAMED_PERSON = "Lò Văn Đồng Ý"


def _commend(model: MobilizationModel, number: str = "123/QĐ-UBND") -> None:
    Commendation.objects.create(
        model=model,
        level="province",
        decision_number=number,
        decided_on=datetime.date(2026, 5, 19),
        issuer="UBND tỉnh Nghệ An",
        title="Bằng khen",
    )


@pytest.fixture
def showcase(world: Any, commune_officer: Any) -> dict[str, MobilizationModel]:
    honored = make_model(
        world.anh_son,
        world.anh_son_body,
        name="Đường xóm sáng xanh",
        status=ModelStatus.HONORED,
        created_by=commune_officer,
    )
    _commend(honored)
    indicator = Indicator.objects.create(
        model=honored, name="Đường bê tông", unit_of_measure="km", baseline=0, target=3
    )
    IndicatorReport.objects.create(
        indicator=indicator,
        period_label="2026",
        reported_on=datetime.date(2026, 6, 30),
        value=Decimal("2.5"),
        reported_by=commune_officer,
    )
    hidden = make_model(
        world.muong_xen_village,
        world.muong_xen_body,
        name="Già làng giữ rừng",
        holder=Holder.INDIVIDUAL,
        person_name=HIDDEN_PERSON,
        person_consents_to_publication=False,
        status=ModelStatus.HONORED,
        content=OTHER_CONTENT,
    )
    named = make_model(
        world.muong_xen,
        world.muong_xen_body,
        name="Người mẹ nuôi quân",
        holder=Holder.INDIVIDUAL,
        person_name=NAMED_PERSON,
        person_consents_to_publication=True,
        status=ModelStatus.HONORED,
        content=OTHER_CONTENT,
    )
    adopted = make_model(world.muong_xen, world.muong_xen_body, origin=honored, name="Nhân rộng")
    recognized = make_model(
        world.anh_son, world.anh_son_body, name="Chưa khen thưởng", status=ModelStatus.RECOGNIZED
    )
    elsewhere = make_model(
        world.hoan_kiem, world.hoan_kiem_body, name="Phố đi bộ văn minh", status="honored"
    )
    return {
        "honored": honored,
        "hidden": hidden,
        "named": named,
        "adopted": adopted,
        "recognized": recognized,
        "elsewhere": elsewhere,
    }


def _page(code: str) -> str:
    response = Client().get(reverse("skillful_public:province", args=[code]))
    assert response.status_code == 200
    return response.content.decode()


def test_anyone_sees_a_provinces_honored_models_with_commendations_results_and_spread(
    world: Any, showcase: dict[str, MobilizationModel]
) -> None:
    page = _page(world.nghe_an.code)
    assert page.count('data-testid="showcase-model"') == 3
    assert "Đường xóm sáng xanh" in page and "Xã Anh Sơn" in page
    assert "123/QĐ-UBND" in page and "Bằng khen" in page and "19/05/2026" in page
    assert "Đường bê tông: 2,5 km" in page
    assert "Xã Mường Xén" in page  # where it spread
    assert "Chưa khen thưởng" not in page  # recognized, not honored yet
    assert "Phố đi bộ văn minh" not in page  # another province


def test_a_non_consenting_individuals_name_never_appears(
    world: Any, showcase: dict[str, MobilizationModel]
) -> None:
    client = Client()
    pages = [
        client.get(reverse("skillful_public:showcase")).content.decode(),
        _page(world.nghe_an.code),
    ]
    for page in pages:
        assert HIDDEN_PERSON not in page
        assert "Không Đồng Ý" not in page
    assert "Già làng giữ rừng" in pages[1]  # the model is shown, its person is not
    assert NAMED_PERSON in pages[1]


def test_no_officer_personal_data_is_shown(
    world: Any, showcase: dict[str, MobilizationModel], commune_officer: Any
) -> None:
    page = _page(world.nghe_an.code)
    assert commune_officer.full_name not in page
    assert commune_officer.phone not in page and commune_officer.email not in page


def test_the_picker_lists_provinces_with_their_counts_and_leads_to_one(
    world: Any, showcase: dict[str, MobilizationModel]
) -> None:
    client = Client()
    response = client.get(reverse("skillful_public:showcase"))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age") or "public" in response["Cache-Control"]
    page = response.content.decode()
    assert "Nghệ An (3)" in page and "Thành phố Hà Nội (1)" in page
    picked = client.get(reverse("skillful_public:showcase"), {"tinh": world.nghe_an.code})
    assert picked.status_code == 302
    assert picked["Location"] == reverse("skillful_public:province", args=[world.nghe_an.code])


def test_a_commune_code_or_an_unknown_code_is_not_a_province(world: Any) -> None:
    client = Client()
    for code in (world.anh_son.code, "99999"):
        assert client.get(reverse("skillful_public:province", args=[code])).status_code == 404


def test_the_province_page_costs_the_same_queries_for_more_models(
    world: Any, showcase: dict[str, MobilizationModel]
) -> None:
    client = Client()
    url = reverse("skillful_public:province", args=[world.nghe_an.code])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(4):
        more = make_model(world.anh_son, world.anh_son_body, status=ModelStatus.HONORED)
        _commend(more, f"{i}/QĐ")
        make_model(world.muong_xen, world.muong_xen_body, origin=more)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
