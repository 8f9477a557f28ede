"""The suite's clock, its fast password hasher, and shared fixtures (a small two-branch tree, users).

The clock: a test that depends on "today" is marked ``@pytest.mark.today`` (or asks for the ``today``
fixture) and runs with the clock pinned to 10:00 Beijing time of ``TEST_TODAY`` -- the day the demo data
is dated -- or of the day given to the marker. Every other test runs on the real clock, which
``CHANGQING_TEST_CLOCK_SHIFT`` (e.g. ``+61d`` or ``+365d11h``) moves for the whole run: ``.ci/run``
runs the suite again under two such shifts to prove that no test reads the real calendar unpinned.
"""
import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from changqing.core.roles import Role
from changqing.demo.generator import TODAY as TEST_TODAY
from changqing.orgs.models import Organization, OrgKind, SetupKind, Zone
from tests.factories import make_retiree, make_user

BEIJING = ZoneInfo("Asia/Shanghai")
PINNED_HOUR = dt.time(10, 0)


def pinned_moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, PINNED_HOUR, tzinfo=BEIJING)


def _clock_shift(text: str) -> dt.timedelta:
    match = re.fullmatch(r"([+-])(?:(\d+)d)?(?:(\d+)h)?", text.strip())
    if not match or not (match[2] or match[3]):
        raise pytest.UsageError(f"CHANGQING_TEST_CLOCK_SHIFT={text!r}: expected e.g. +61d, +365d11h or -3h")
    delta = dt.timedelta(days=int(match[2] or 0), hours=int(match[3] or 0))
    return -delta if match[1] == "-" else delta


def pytest_configure(config):
    config.addinivalue_line("markers", "today(day=TEST_TODAY): pin the clock to 10:00 Beijing time of that day")
    if not config.pluginmanager.hasplugin("xdist"):  # xdist registers it; the shared demo's tests carry it
        config.addinivalue_line("markers", "xdist_group(name): tests sent to one xdist worker together")
    shift = os.environ.get("CHANGQING_TEST_CLOCK_SHIFT")
    if shift:
        # Ticks on from the shifted moment; a test's own pin (below) nests inside this travel.
        config._changqing_clock = time_machine.travel(dt.datetime.now(dt.timezone.utc) + _clock_shift(shift))
        config._changqing_clock.start()


def pytest_report_header(config):
    shift = os.environ.get("CHANGQING_TEST_CLOCK_SHIFT")
    return f"clock: shifted {shift} (now {dt.datetime.now(BEIJING):%Y-%m-%d %H:%M} Beijing)" if shift else None


def pytest_unconfigure(config):
    clock = getattr(config, "_changqing_clock", None)
    if clock is not None:
        clock.stop()


@pytest.fixture(autouse=True)
def _pinned_clock(request):
    """Pins the clock for tests marked ``today`` or asking for ``today``, before the test's own fixtures run."""
    marker = request.node.get_closest_marker("today")
    if marker is None and "today" not in request.fixturenames:
        yield None
        return
    day = marker.args[0] if marker is not None and marker.args else TEST_TODAY
    with time_machine.travel(pinned_moment(day), tick=False):
        yield day


@pytest.fixture
def today(_pinned_clock):
    """The pinned day (TEST_TODAY unless the test's ``today`` marker names another)."""
    return _pinned_clock


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher(django_test_environment):
    """PBKDF2's deliberate slowness is for production; tests hash hundreds of passwords."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def tree(db):
    """A jurisdiction with two branches A and B in different zones, each with people."""
    root = Organization.objects.create(code="T", name="测试党工委", kind=OrgKind.COMMITTEE)
    zone_a = Zone.objects.create(code="T-ZA", name="甲片组", organization=root)
    zone_b = Zone.objects.create(code="T-ZB", name="乙片组", organization=root)
    a = Organization.objects.create(code="T-A", name="甲支部", kind=OrgKind.BRANCH, parent=root, zone=zone_a,
                                    setup_kind=SetupKind.ALONE)
    b = Organization.objects.create(code="T-B", name="乙支部专有名称", kind=OrgKind.BRANCH, parent=root, zone=zone_b,
                                    setup_kind=SetupKind.COMMUNITY)
    ra = make_retiree(a, "张宏伟", "11010519491231002X", gender="female", birth=dt.date(1949, 12, 31))
    rb = make_retiree(b, "乙支部专有人", "440524188001010014", birth=dt.date(1880, 1, 1))
    return type("Tree", (), {"root": root, "a": a, "b": b, "zone_a": zone_a, "zone_b": zone_b, "ra": ra, "rb": rb})


@pytest.fixture
def secretary_a(tree):
    return make_user("sec_a", Role.BRANCH_SECRETARY, organization=tree.a)


@pytest.fixture
def bureau_admin(tree):
    return make_user("bureau", Role.BUREAU_ADMIN, organization=tree.root)


# ---------------------------------------------------------------------------
# The shared county demo (seed 1)
# ---------------------------------------------------------------------------
SHARED_DEMO_SEED = 1


class SharedDemo:
    """The county demo, committed once into the test database and shared by every test that asks for it.

    Generating it takes many seconds, so it is loaded on the first test that needs it and kept while
    the next tests need it too (collection puts them together, and under xdist they form one group
    sent to one worker). Before a test that does not use it, and at the end of the session, it is
    flushed and the rows the migrations wrote are restored, so every other test starts from the
    usual empty database. A test's own writes are rolled back as usual.
    """

    def __init__(self, blocker):
        self.blocker = blocker
        self.loaded = False
        self.snapshot = None

    def ensure(self):
        if self.loaded:
            return
        from django.core.management import call_command
        from django.db import connections

        with self.blocker.unblock():
            connection = connections["default"]
            name = str(connection.settings_dict["NAME"])
            # Never seed or flush a real database.
            assert "test" in name or "memorydb" in name, f"共享演示数据没有使用测试数据库：{name}"
            if Organization.objects.exists():
                pytest.exit(f"测试数据库 {name} 里留有上次中断的运行写下的数据：请加 --create-db 重新运行。", returncode=3)
            self.snapshot = connection.creation.serialize_db_to_string()
            with time_machine.travel(pinned_moment(TEST_TODAY), tick=False):
                call_command("seed_demo", "--scale", "county", "--seed", str(SHARED_DEMO_SEED),
                             stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
        self.loaded = True

    def release(self):
        if not self.loaded:
            return
        from django.core.management import call_command
        from django.db import connections

        with self.blocker.unblock():
            connection = connections["default"]
            call_command("flush", "--noinput", verbosity=0, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(self.snapshot)
            _reset_sequences(connection)  # flush restarted them; the restored rows keep their ids
        self.loaded = False


def _reset_sequences(connection):
    from django.apps import apps
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)


_shared: list[SharedDemo] = []  # the session's SharedDemo, once a test has asked for it


@pytest.fixture(scope="session")
def county_demo(django_db_setup, django_db_blocker):
    """The shared county demo (seed 1), for tests that only read it (their own writes roll back).

    A module- or package-scoped fixture that reads it calls ``county_demo.ensure()`` first.
    """
    demo = SharedDemo(django_db_blocker)
    _shared.append(demo)
    demo.ensure()
    yield demo
    demo.release()
    _shared.clear()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Loads the shared demo again for a test that needs it, or flushes it before one that does not.

    A hook, not a fixture: it must run before the test's module-scoped fixtures, some of which generate
    their own demo (an xdist worker may run such a module after the shared demo's group).
    """
    if _shared:
        if _uses_demo(item):
            _shared[0].ensure()
        else:
            _shared[0].release()


def _uses_demo(item) -> bool:
    return "county_demo" in getattr(item, "fixturenames", ())


def pytest_itemcollected(item):
    """A test of the shared demo is pinned to the demo's day and goes to the demo's xdist worker."""
    if _uses_demo(item):
        if item.get_closest_marker("today") is None:
            item.add_marker(pytest.mark.today)
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)
        item.add_marker(pytest.mark.xdist_group("county_demo"))


@pytest.hookimpl(trylast=True)  # after pytest-django's ordering by kind of database use
def pytest_collection_modifyitems(config, items):
    """Tests of the shared demo run together and last, the browser tests (whose live server commits) at the end."""
    first_of_module = {}
    for i, item in enumerate(items):
        first_of_module.setdefault(item.nodeid.split("::")[0], i)

    def key(item):
        if not _uses_demo(item):
            return (False, False, 0)
        return (True, "tests/browser/" in item.nodeid, first_of_module[item.nodeid.split("::")[0]])

    items.sort(key=key)
    if getattr(config.option, "loadgroup", False):  # set in xdist's workers under --dist loadgroup
        _suffix_demo_group(items)


def _suffix_demo_group(items):
    """Give the shared demo's tests the ``@county_demo`` node-id suffix by which xdist groups them.

    xdist 3.8 writes the suffix to ``item._nodeid``, which pytest 9.2 no longer reads (its node ids are
    structured), so the group is silently lost (pytest-dev/pytest-xdist#1386, fix pending in #1388).
    """
    from _pytest.nodeid import NodeId

    for item in items:
        if _uses_demo(item) and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@county_demo")
