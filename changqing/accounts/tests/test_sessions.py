"""Session policy (accounts/sessions.py): idle timeout, absolute lifetime, other sessions end on a password change."""
import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from changqing.core.models import OperationLog

pytestmark = pytest.mark.today

RIGHT = "pw-for-tests-1"


def logged_in(username="sec_a", password=RIGHT) -> Client:
    c = Client()
    assert c.post("/accounts/login/", {"username": username, "password": password}).status_code == 302
    return c


def at(minutes: float):
    return time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False)


@pytest.fixture(autouse=True)
def _start(today):
    global START
    START = timezone.now()


def test_thirty_idle_minutes_end_the_session(secretary_a):
    c = logged_in()
    with at(29):
        assert c.get("/").status_code == 200
    with at(29 + 29):  # counted from the last request, not from login
        assert c.get("/").status_code == 200
    with at(29 + 29 + 31):
        response = c.get("/orgs/")
        assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Forgs%2F"
        assert "_auth_user_id" not in c.session
        page = c.get(response["Location"]).content.decode()
        assert "您已超过 30 分钟没有操作" in page
    assert OperationLog.objects.filter(event=OperationLog.Event.LOGOUT, detail__contains="没有操作").exists()


def test_asking_how_long_is_left_is_not_activity(secretary_a):
    c = logged_in()
    with at(20):
        assert c.get("/accounts/session/").json() == {"authenticated": True, "seconds_left": 600}
    with at(29):
        assert c.get("/accounts/session/").json()["seconds_left"] == 60
    with at(31):
        assert c.get("/accounts/session/").json()["authenticated"] is False


def test_continuing_pings_the_server_and_keeps_the_session(secretary_a):
    c = logged_in()
    with at(29):
        response = c.post("/accounts/session/ping/")
        assert response.json() == {"authenticated": True, "seconds_left": 1800}
    with at(29 + 29):
        assert c.get("/").status_code == 200


def test_an_idle_htmx_request_is_told_to_go_to_the_login_page(secretary_a):
    c = logged_in()
    with at(31):
        response = c.get("/orgs/", HTTP_HX_REQUEST="true")
        assert response.status_code == 401 and response["HX-Redirect"] == "/accounts/login/"


@override_settings(SESSION_ABSOLUTE_LIFETIME=2 * 3600)
def test_the_absolute_lifetime_ends_even_an_active_session(secretary_a):
    c = logged_in()
    for minutes in range(20, 120, 20):
        with at(minutes):
            assert c.get("/").status_code == 200, minutes
    with at(121):
        response = c.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert "登录时间已满" in c.get(response["Location"]).content.decode()


@override_settings(SESSION_IDLE_TIMEOUT=300)
def test_the_idle_timeout_is_a_setting_and_the_page_knows_it(secretary_a):
    c = logged_in()
    page = c.get("/").content.decode()
    assert 'data-timeout="300"' in page and "继续使用" in page and "js/idle.js" in page
    with at(6):
        assert c.get("/")["Location"].startswith("/accounts/login/")


def test_the_idle_warning_is_not_on_the_login_page():
    assert "idle-dialog" not in Client().get("/accounts/login/").content.decode()


def test_changing_the_password_ends_the_other_sessions(secretary_a):
    phone, desk = logged_in(), logged_in()
    assert phone.get("/").status_code == 200 and desk.get("/").status_code == 200
    response = phone.post("/accounts/password/", {"old_password": RIGHT, "new_password1": "Songbai#1949",
                                                  "new_password2": "Songbai#1949"})
    assert response.status_code == 302
    assert phone.get("/").status_code == 200  # the session that changed it goes on
    gone = desk.get("/orgs/")
    assert gone.status_code == 302 and gone["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in desk.session
    # The old password no longer works; the new one does.
    assert Client().post("/accounts/login/", {"username": "sec_a", "password": RIGHT}).status_code == 200
    logged_in(password="Songbai#1949")


def test_an_admin_reset_ends_the_users_sessions(secretary_a, bureau_admin):
    user = logged_in()
    admin = Client()
    admin.force_login(bureau_admin)
    admin.post(f"/accounts/users/{secretary_a.pk}/reset-password/")
    assert user.get("/")["Location"].startswith("/accounts/login/")
