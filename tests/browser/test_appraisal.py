"""民主评议党员 end to end on a phone (375 px): the secretary opens the round, three members write their
self-appraisal and cast a secret ballot, the committee grades, the result is published, a member sees it."""
from changqing.accounts.models import RoleAssignment, User
from changqing.appraisal.models import AppraisalRound, BallotCast, RoundStatus, SelfAppraisal, Tally
from changqing.core.roles import Role
from changqing.members.models import Membership, MembershipState

from .conftest import DEMO_PASSWORD, committed, login, screenshot

PHONE = (375, 800)
TEXT = "一年来坚持参加支部组织生活和集中学习日，按时交纳党费，参加社区志愿服务。不足是学习不够系统。"


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"页面在 375 像素宽时出现横向滚动：{width}"


def _three_members():
    """dangyuan and two more members of the same branch, each with a login of their own."""
    dangyuan = User.objects.get(username="dangyuan")
    own = Membership.objects.get(retiree_id=dangyuan.retiree_id)
    others = list(Membership.objects.filter(organization=own.organization, state=MembershipState.ACTIVE)
                  .exclude(pk=own.pk).select_related("retiree").order_by("id")[:2])

    def make():
        users = []
        for i, m in enumerate(others, start=1):
            u, _ = User.objects.get_or_create(username=f"pingyi{i}", defaults={"full_name": m.retiree.name})
            u.retiree = m.retiree
            u.set_password(DEMO_PASSWORD)
            u.save()
            RoleAssignment.objects.get_or_create(user=u, role=Role.MEMBER)
            users.append(u.username)
        return users

    return own.organization, ["dangyuan"] + committed(make)


def test_appraisal_end_to_end_on_a_phone(page_factory):
    branch, usernames = _three_members()
    year = 2026
    assert not AppraisalRound.objects.filter(organization=branch, year=year).exists()

    # 1. The secretary opens this year's round.
    sec = page_factory(*PHONE)
    login(sec, "shuji")
    sec.goto(sec.base_url + "/appraisal/")
    sec.select_option("#id_organization", str(branch.pk))
    sec.fill("#id_year", str(year))
    screenshot(sec, "appraisal_open_375")
    sec.click("button:has-text('开启')")
    sec.wait_for_selector("text=已开启")
    rnd = AppraisalRound.objects.get(organization=branch, year=year)
    assert rnd.steps.count() == 6
    _no_sideways_scroll(sec)
    screenshot(sec, "appraisal_round_secretary_375")

    # 2. Three members, each on their own phone: self-appraisal, then the secret ballot.
    for username in usernames:
        page = page_factory(*PHONE)
        login(page, username)
        page.goto(page.base_url + rnd.get_absolute_url())
        page.click("a:has-text('写个人自评')")
        page.fill("#id_text", TEXT)
        page.click("button:has-text('保存自评')")
        page.wait_for_selector("text=✓ 已写个人自评")
        page.click("a:has-text('填写民主测评票')")
        page.wait_for_selector("h1:has-text('民主测评票')")
        if username == usernames[0]:
            screenshot(page, "appraisal_ballot_375")
            _no_sideways_scroll(page)
        for fieldset in page.locator("fieldset.appraisal-mark").all():
            fieldset.locator("label.appraisal-choice", has_text="合格").first.click()
        page.click("button:has-text('投票（投出后不能修改）')")
        page.wait_for_selector("text=投票成功")
        page.wait_for_selector("text=✓ 已投测评票")
        if username == usernames[0]:
            # a second ballot from the same member is refused in words
            page.goto(page.base_url + f"/appraisal/{rnd.pk}/ballot/")
            assert page.locator("text=已经投过票").count() == 1
            assert page.locator("input[name^=mark_]").count() == 0
    assert BallotCast.objects.filter(round=rnd).count() == 3
    assert SelfAppraisal.objects.filter(round=rnd).count() == 3
    total = sum(sum(t.counts()) for t in Tally.objects.filter(round=rnd))
    roster = Tally.objects.filter(round=rnd).count()
    assert total == 3 * (roster - 1)  # each ballot marks every other member once

    # 3. The committee grades everyone (one 基本合格 with its reason), then publishes.
    sec.goto(sec.base_url + rnd.get_absolute_url())
    sec.click("a:has-text('支部委员会评定')")
    selects = sec.locator("select[name^=grade_]")
    for i in range(selects.count()):
        selects.nth(i).select_option("qualified")
    selects.nth(selects.count() - 1).select_option("basic")
    sec.click("button:has-text('保存评定')")
    sec.wait_for_selector("text=请写明理由")  # 基本合格 without a reason is refused beside the field
    screenshot(sec, "appraisal_grades_error_375")
    sec.locator("textarea[name^=reason_]").nth(selects.count() - 1).fill("全年多次未参加组织生活")
    sec.click("button:has-text('保存评定')")
    sec.wait_for_selector("text=已保存")
    sec.click("button:has-text('公示评议结果')")
    sec.wait_for_selector("text=评议结果已公示")
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.PUBLISHED and rnd.follow_ups.count() == 1
    _no_sideways_scroll(sec)
    screenshot(sec, "appraisal_published_secretary_375")

    # 4. A member sees the published result.
    member = page_factory(*PHONE)
    login(member, usernames[1])
    member.goto(member.base_url + rnd.get_absolute_url())
    member.wait_for_selector(".appraisal-result:has-text('合格')")
    assert member.locator("a:has-text('下载结果通知')").count() == 1
    _no_sideways_scroll(member)
    screenshot(member, "appraisal_result_member_375")
