"""Project-wide fixtures: the national units, a small world in two provinces, one user per role.

Everything is built through the real services, as the application builds it. The users are:

=================  ==========================================  ===============================
fixture            membership                                  sees
=================  ==========================================  ===============================
system_admin       system_admin at the province body (40)      everything
provincial_staff   provincial_staff at the province body (40)  Nghệ An and everything below
commune_officer    commune_officer at Đảng ủy xã Anh Sơn       Xã Anh Sơn and its villages
village_member     village_member at Tổ dân vận Xóm 1          Xóm 1
leader             leader at the province body (40)            Nghệ An (and the audit log)
observer           observer at the province body (40)          Nghệ An, read only
nobody             none                                        nothing
=================  ==========================================  ===============================

A test module that looks these users up by name (``request.getfixturevalue``) must carry
``pytestmark = pytest.mark.django_db``: pytest-django creates the test database only when a
collected test asks for it up front, and otherwise the lookup would reach the real database.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.lib.roles import Role
from danvan.organizations.models import Body, BodyKind
from danvan.organizations.services import body_create, membership_add
from danvan.units.models import AdministrativeUnit, UnitKind
from danvan.units.services import unit_create_historic, units_load_national, village_create


def pytest_configure(config: pytest.Config) -> None:
    # WhiteNoise warns on every request that ``collectstatic`` has not been run; tests serve
    # static files from the apps through the finders instead.
    config.addinivalue_line(
        "filterwarnings", "ignore:No directory at:UserWarning:django.core.handlers.base"
    )


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: rate limits and throttles count per test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english() -> Iterator[None]:
    """Messages asserted on their English source text, which does not move with the catalogue."""
    from django.utils import translation

    with translation.override("en"):
        yield


# --- Invalid template variables fail the test -------------------------------------------------


class InvalidTemplateVariableError(AssertionError):
    """A template used a variable that does not exist in its context."""


class _FailOnInvalidVariable(str):
    """``string_if_invalid`` that raises instead of rendering "" for an undefined variable.

    Django renders ``string_if_invalid % name`` when the setting contains "%s"; ``{% if %}``
    conditions never reach it, so only variables that are printed or passed to tags fail.
    """

    def __new__(cls) -> _FailOnInvalidVariable:
        return super().__new__(cls, "%s")

    def __mod__(self, variable: object) -> str:
        raise InvalidTemplateVariableError(f"Undefined template variable: {variable}")


@pytest.fixture(autouse=True)
def _invalid_template_variables_fail(settings: Any) -> None:
    templates = []
    for engine in settings.TEMPLATES:
        options = {**engine.get("OPTIONS", {}), "string_if_invalid": _FailOnInvalidVariable()}
        templates.append({**engine, "OPTIONS": options})
    settings.TEMPLATES = templates


# --- The append-only audit table and transactional tests ---------------------------------------
#
# Tests that need committed data (the live server of the browser tests, ``transactional_db``)
# empty the database after each test with Django's ``flush``: DELETE on SQLite, TRUNCATE on
# PostgreSQL, both of which the audit table's triggers refuse by design. In the test process
# ``flush`` lifts the triggers for the time it runs and puts them back at once, so every test
# (including the next one) runs against them.


def _audit_triggers(connection: BaseDatabaseWrapper, *, install: bool) -> None:
    migration = import_module("danvan.audit.migrations.0002_append_only")
    with connection.schema_editor() as editor:
        migration.backwards(None, editor)  # first, so that installing is idempotent
        if install:
            migration.forwards(None, editor)


@pytest.fixture(scope="session", autouse=True)
def _flush_lifts_the_audit_triggers() -> Iterator[None]:
    from django.core.management.commands import flush
    from django.db import connections

    original = flush.Command.handle

    def handle(self: flush.Command, *args: Any, **options: Any) -> Any:
        connection = connections[options["database"]]
        _audit_triggers(connection, install=False)
        try:
            return original(self, *args, **options)
        finally:
            _audit_triggers(connection, install=True)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flush.Command, "handle", handle)
        yield


# --- Units and the small world ------------------------------------------------------------------


@dataclass
class World:
    """Two provinces, three communes, two villages and bodies at every level."""

    nghe_an: AdministrativeUnit
    anh_son: AdministrativeUnit  # 17329, Xã Anh Sơn
    muong_xen: AdministrativeUnit  # 16813, Xã Mường Xén
    anh_son_village: AdministrativeUnit  # 17329-001, Xóm 1
    muong_xen_village: AdministrativeUnit  # 16813-001, Bản Na Xái
    ha_noi: AdministrativeUnit  # 01
    hoan_kiem: AdministrativeUnit  # 00070, Phường Hoàn Kiếm
    province_body: Body
    anh_son_body: Body
    muong_xen_body: Body
    village_body: Body
    ha_noi_body: Body
    hoan_kiem_body: Body


@pytest.fixture
def system_actor() -> Actor:
    return Actor.system("test")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The test database starts with the national units loaded once: 3,355 rows that 900 tests
    need took 0.6-0.9 s to load in each of them. Every test runs in a transaction rolled back
    after it, so the units are there for each; tests that want an empty table delete them in
    their own transaction (``units/tests/test_load_national.py``)."""
    from django.db import connection

    from danvan.audit.models import AuditEntry

    with django_db_blocker.unblock():
        units_load_national(actor=Actor.system("tests"))
        # Each test starts with an empty audit log, as it did when it loaded the units itself.
        _audit_triggers(connection, install=False)
        try:
            AuditEntry.objects.all().delete()
        finally:
            _audit_triggers(connection, install=True)


@pytest.fixture
def units(db: None, system_actor: Actor) -> None:
    """The 34 provinces and 3,321 communes of the 2025 structure: loaded once for the session,
    and again after a test that empties the database (the browser tests' ``flush``)."""
    if not AdministrativeUnit.objects.filter(code="40").exists():
        units_load_national(actor=system_actor)


@pytest.fixture
def world(units: None, system_actor: Actor) -> World:
    unit = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(code__in=["40", "17329", "16813", "01", "00070"])
    }
    anh_son_village = village_create(actor=system_actor, commune=unit["17329"], name="Xóm 1")
    muong_xen_village = village_create(actor=system_actor, commune=unit["16813"], name="Bản Na Xái")

    def body(at: AdministrativeUnit, kind: str, name: str, parent: Body | None = None) -> Body:
        return body_create(actor=system_actor, unit=at, kind=kind, name=name, parent=parent)

    province_body = body(
        unit["40"],
        BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION,
        "Ban Tuyên giáo và Dân vận Tỉnh ủy Nghệ An",
    )
    anh_son_body = body(unit["17329"], BodyKind.PARTY_COMMITTEE, "Đảng ủy xã Anh Sơn")
    return World(
        nghe_an=unit["40"],
        anh_son=unit["17329"],
        muong_xen=unit["16813"],
        anh_son_village=anh_son_village,
        muong_xen_village=muong_xen_village,
        ha_noi=unit["01"],
        hoan_kiem=unit["00070"],
        province_body=province_body,
        anh_son_body=anh_son_body,
        muong_xen_body=body(unit["16813"], BodyKind.PARTY_COMMITTEE, "Đảng ủy xã Mường Xén"),
        village_body=body(
            anh_son_village, BodyKind.MASS_MOBILIZATION_GROUP, "Tổ dân vận Xóm 1", anh_son_body
        ),
        ha_noi_body=body(
            unit["01"],
            BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION,
            "Ban Tuyên giáo và Dân vận Thành ủy Hà Nội",
        ),
        hoan_kiem_body=body(
            unit["00070"], BodyKind.PEOPLES_COMMITTEE, "Ủy ban nhân dân phường Hoàn Kiếm"
        ),
    )


@pytest.fixture
def merged_commune(world: World, system_actor: Actor) -> tuple[AdministrativeUnit, Body]:
    """A pre-2025 commune with a body of its own, merged into Xã Anh Sơn on 1 July 2025."""
    from danvan.units.services import unit_record_succession

    old = unit_create_historic(
        actor=system_actor,
        code="17332",
        name="Xã Thạch Sơn",
        kind=UnitKind.COMMUNE,
        parent=world.nghe_an,
        valid_from=datetime.date(1990, 1, 1),
    )
    old_body = body_create(
        actor=system_actor, unit=old, kind=BodyKind.PARTY_COMMITTEE, name="Đảng ủy xã Thạch Sơn"
    )
    unit_record_succession(
        actor=system_actor,
        predecessors=[old],
        successor=world.anh_son,
        effective_date=datetime.date(2025, 7, 1),
        legal_basis="Nghị quyết 1678/NQ-UBTVQH15",
    )
    old.refresh_from_db()
    return old, old_body


# --- One user per role ----------------------------------------------------------------------------


def _user(username: str, full_name: str, **extra: Any) -> User:
    from django.contrib.auth import get_user_model

    # No password: hashing with Argon2 for every test would be slow. Tests that log in through
    # the form set one with ``set_password``.
    return get_user_model().objects.create_user(
        username=username,
        password=None,
        full_name=full_name,
        email=f"{username}@danvan.example",
        **extra,
    )


def _member(user: User, body: Body, role: str, position: str = "") -> User:
    membership_add(actor=Actor.system("test"), user=user, body=body, role=role, position=position)
    return user


@pytest.fixture
def system_admin(world: World) -> User:
    user = _user("quantri", "Nguyễn Văn Quản", is_staff=True, is_superuser=True)
    return _member(user, world.province_body, Role.SYSTEM_ADMIN, "Quản trị hệ thống")


@pytest.fixture
def provincial_staff(world: World) -> User:
    user = _user("tinh", "Trần Thị Hương", phone="0912000001")
    return _member(user, world.province_body, Role.PROVINCIAL_STAFF, "Chuyên viên")


@pytest.fixture
def commune_officer(world: World) -> User:
    user = _user("xa", "Lê Văn Bình", phone="0912345678")
    return _member(user, world.anh_son_body, Role.COMMUNE_OFFICER, "Chuyên viên")


@pytest.fixture
def village_member(world: World) -> User:
    user = _user("thon", "Phạm Thị Lan", phone="0912000003")
    return _member(user, world.village_body, Role.VILLAGE_MEMBER, "Tổ trưởng")


@pytest.fixture
def leader(world: World) -> User:
    user = _user("lanhdao", "Hoàng Văn Minh")
    return _member(user, world.province_body, Role.LEADER, "Phó Trưởng ban")


@pytest.fixture
def observer(world: World) -> User:
    user = _user("quansat", "Đặng Thị Thu")
    return _member(user, world.province_body, Role.OBSERVER, "Cán bộ")


@pytest.fixture
def nobody(world: World) -> User:
    """An account with no membership: charlie, who should have no access."""
    return _user("chuaco", "Võ Văn Chưa")


@pytest.fixture
def login(db: None) -> Callable[[User], Client]:
    """``login(user)``: a test client logged in as ``user``.

    A user whose role requires two-factor authentication gets an authenticator set up through
    the account services and a verified session, as after typing the code at login.
    """

    def log_in(user: User) -> Client:
        from django_otp import DEVICE_ID_SESSION_KEY

        from danvan.accounts.services import otp_confirm, otp_pending_device
        from danvan.accounts.twofactor import two_factor_required

        client = Client()
        client.force_login(user)
        if two_factor_required(user):
            device = otp_pending_device(user=user)
            otp_confirm(actor=Actor.of_user(user), device=device)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return log_in


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    """Background tasks run inside the test, as soon as they are enqueued (no worker)."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASKS["default"]["QUEUES"],
        }
    }


# --- Browser tests (Playwright, headless Chromium) -------------------------------------------------
# Shared by every ``*browser*`` test module; those modules skip themselves when Chromium is missing
# (see danvan/web/tests/test_browser.py), so nothing here imports Playwright unless one runs.

#: The password the browser tests type into the login form.
BROWSER_PASSWORD = "mat-khau-thu-nghiem-2025"  # noqa: S105 - test accounts only


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (the system's), one per test module."""
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(Path("/usr/bin/chromium")),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """``new_page(**context_options)``: a fresh tab with its own cookies, in Vietnamese."""
    contexts: list[Any] = []

    def open_page(**options: Any) -> Any:
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def with_password(request: pytest.FixtureRequest) -> Callable[[str], Any]:
    """``with_password("leader")``: the role user above, able to log in with BROWSER_PASSWORD."""

    def user_for(who: str) -> Any:
        user = request.getfixturevalue(who)
        user.set_password(BROWSER_PASSWORD)
        user.save(update_fields=["password"])
        return user

    return user_for


def load_reference_data() -> None:
    """The topics and legal rule sets that migrations load, if a flush removed them."""
    from django.apps import apps

    from danvan.deadlines.models import RuleSet
    from danvan.voices.models import Topic

    if not Topic.objects.exists():
        import_module("danvan.voices.migrations.0002_builtin_topics").create(apps, None)
    if not RuleSet.objects.exists():
        import_module("danvan.deadlines.migrations.0002_load_rule_sets").load(apps, None)


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """Live-server tests run on committed data, and each one (in any app) ends with a flush that
    removes what the migrations loaded. ``serialized_rollback`` cannot bring it back here: while
    Playwright's sync API runs its event loop in this thread, Django keeps database connections
    per context rather than per thread, and the serialized copy stays on a connection the test
    no longer uses. So the migrations' own functions load it again. A module uses it with
    ``pytest.mark.usefixtures("reference_data", "reference_data_left_in_place")``."""
    load_reference_data()


@pytest.fixture(scope="module")
def reference_data_left_in_place(django_db_blocker: Any) -> Iterator[None]:
    """Put the migrations' data back after the module's last flush, for the tests that follow."""
    yield
    with django_db_blocker.unblock():
        load_reference_data()
