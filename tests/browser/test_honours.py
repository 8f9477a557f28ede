"""评选表彰 in the browser: a party member votes in the open demo campaign, once."""
from changqing.accounts.models import User
from changqing.honours.models import Ballot, Campaign, Phase

from .conftest import login, screenshot


def test_member_votes_once_in_the_open_campaign(page_factory):
    campaign = Campaign.objects.get(phase=Phase.VOTING)
    voter = User.objects.get(username="dangyuan")
    categories = campaign.categories.count()
    before = Ballot.objects.filter(voter=voter).count()
    assert before == 0

    page = page_factory(1280, 900)
    login(page, "dangyuan")
    page.locator("li.today-task[data-key^='honours:'] a.today-action").first.click()  # 今天要办 → 去投票
    page.wait_for_selector("h1:has-text('投票')")
    assert page.locator("text=已投票（").count() == 0
    screenshot(page, "honours_ballot_1280")

    stale = page_factory(375, 800)  # a second window with the same ballot, left open
    login(stale, "dangyuan")
    stale.goto(page.url)
    screenshot(stale, "honours_ballot_375")

    for fieldset in page.locator("fieldset.honours-ballot").all():
        fieldset.locator("label.honours-choice").first.click()
    page.click("button:has-text('投票（投出后不能修改）')")
    page.wait_for_selector("text=投票成功")
    assert page.locator(".honours-voted").count() == categories
    assert page.locator("input[name^=category_]").count() == 0
    assert page.locator("text=您已在全部类别投票").is_visible()
    screenshot(page, "honours_voted_1280")
    assert Ballot.objects.filter(voter=voter).count() == categories

    # The old window still shows the choices; sending them again is refused in words, beside the category.
    stale.locator("fieldset.honours-ballot").first.locator("label.honours-choice").nth(1).click()
    stale.click("button:has-text('投票（投出后不能修改）')")
    stale.wait_for_selector("text=每人每类只能投一次")
    screenshot(stale, "honours_second_vote_375")
    assert Ballot.objects.filter(voter=voter).count() == categories
    width = stale.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"页面在 375 像素宽时出现横向滚动：{width}"
