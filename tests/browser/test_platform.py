"""Jobs and notifications in a real browser: the progress bar polls, the bell counts."""

import pytest
from playwright.sync_api import expect
from django.core.cache import cache
from django.utils import timezone

from changqing.accounts.models import User
from changqing.core.jobs import job_progress
from changqing.core.models import Job
from changqing.core.notify import notify

from .conftest import committed, login, screenshot

pytestmark = pytest.mark.browser




@pytest.fixture
def shuji(demo):
    user = User.objects.get(username="shuji")
    yield user
    committed(lambda: (Job.objects.filter(owner=user).delete(), user.notifications.all().delete()))
    cache.clear()  # job progress lives in the cache; SQLite may hand the next test the same job id


@pytest.mark.parametrize("width", [1280, 375])
def test_job_page_polls_progress_until_done(shuji, page_factory, width):
    job = committed(lambda: Job.objects.create(
        kind="roster.import", title="导入党员名册", owner=shuji, func="x", status=Job.Status.RUNNING,
        progress=30, message="已导入 300 行", started_at=timezone.now()))
    page = page_factory(width=width)
    login(page, "shuji")
    page.goto(page.base_url + job.get_absolute_url())
    assert page.locator(".job-percent").inner_text() == "30%"
    committed(lambda: job_progress(job, 80, "已导入 800 行"))
    # A locator assertion, not wait_for_function: a string predicate is eval'd, which the CSP refuses.
    expect(page.locator(".job-percent")).to_have_text("80%", timeout=5000)
    assert "已导入 800 行" in page.locator("#job-status").inner_text()
    screenshot(page, f"job-running-{width}")

    committed(lambda: Job.objects.filter(pk=job.pk).update(
        status=Job.Status.SUCCEEDED, progress=100, message="已完成", finished_at=timezone.now(),
        result={"url": "/retirees/", "label": "查看导入的党员", "summary": "共导入 1,000 人。"},
    ))
    page.wait_for_selector(".job-result", timeout=5000)
    assert page.locator(".job-percent").inner_text() == "100%"
    link = page.locator(".job-result a.btn")
    assert link.inner_text() == "查看导入的党员" and link.bounding_box()["height"] >= 44
    assert page.locator("[hx-trigger]").count() == 0  # polling stopped
    screenshot(page, f"job-done-{width}")


def test_bell_and_notifications_page(shuji, page_factory):
    def send():
        notify(shuji, "第四季度支部党员大会待记录", "请在 12 月 31 日前补录会议记录。", "/life/", channels=["inapp"])
        notify(shuji, "11 月党费待收缴", "本支部还有 4 人未交。", "/dues/", channels=["inapp"])

    committed(send)
    page = page_factory(width=375)
    login(page, "shuji")
    bell = page.locator("#notify-bell")
    assert "2" in bell.inner_text() and bell.bounding_box()["height"] >= 44
    screenshot(page, "bell-375")
    bell.click()
    page.wait_for_url("**/notifications/")
    assert page.locator(".notes li.is-new").count() == 2
    screenshot(page, "notifications-375")
    page.reload()
    assert page.locator(".notes li.is-new").count() == 0
    assert "条未读" not in (page.locator("#notify-bell").get_attribute("aria-label") or "")
