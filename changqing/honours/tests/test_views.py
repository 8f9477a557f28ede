import datetime as dt
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from changqing.core.roles import Role
from changqing.honours import services
from changqing.honours.models import Ballot, Nomination, NominationStatus, Phase
from tests.factories import make_retiree, make_user

from .conftest import REASONS, TODAY, nominate


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def field_errors(html: str, field_id: str) -> str:
    m = re.search(rf'<ul class="errorlist" id="{field_id}_errors"[^>]*>(.*?)</ul>', html, re.S)
    return m.group(1) if m else ""


def test_campaign_visible_down_the_tree_and_to_members(tree, campaign, secretary_a):
    member = make_user("member_a", Role.MEMBER)
    member.retiree = tree.ra
    member.save()
    for user in (secretary_a, member):
        c = client_for(user)
        page = c.get(reverse("honours:campaigns")).content.decode()
        assert campaign.title in page
        assert c.get(campaign.get_absolute_url()).status_code == 200


def test_create_campaign_form_errors_beside_fields(tree, admin):
    c = client_for(admin)
    r = c.post(reverse("honours:campaign_create"), {
        "organization": tree.root.pk, "year": 2026, "title": "测试评选", "nomination_ends_on": "2026-10-01",
        "review_ends_on": "2026-09-01", "voting_starts_on": "2026-10-02", "voting_ends_on": "2026-10-30", "quota": 3})
    assert r.status_code == 200
    assert "审核截止日期不能早于提名截止日期" in field_errors(r.content.decode(), "id_review_ends_on")
    r = c.post(reverse("honours:campaign_create"), {
        "organization": tree.root.pk, "year": 2026, "title": "测试评选", "nomination_ends_on": "2026-10-01",
        "review_ends_on": "2026-10-10", "voting_starts_on": "2026-10-12", "voting_ends_on": "2026-10-30", "quota": 2})
    assert r.status_code == 302
    assert client_for(make_user("sec_x", Role.BRANCH_SECRETARY, organization=tree.a)).get(
        reverse("honours:campaign_create")).status_code == 403


def test_nominate_page_duplicate_beside_the_field_and_attachment(tree, admin, campaign, secretary_a):
    c = client_for(secretary_a)
    cat = campaign.categories.get(name="最美老党员")
    url = reverse("honours:nomination_create", args=[campaign.pk])
    page = c.get(url).content.decode()
    assert tree.ra.name in page and tree.rb.name not in page  # only the secretary's own people are offered
    from pypdf import PdfWriter

    pdf = PdfWriter()
    pdf.add_blank_page(width=100, height=100)
    buf = io.BytesIO()
    pdf.write(buf)
    fake = SimpleUploadedFile("事迹.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = c.post(url, {"category": cat.pk, "retiree": tree.ra.pk, "reasons": REASONS, "attachment": fake})
    assert "PDF 文件已损坏或不是真正的 PDF" in field_errors(r.content.decode(), "id_attachment")  # parsed, not sniffed
    upload = SimpleUploadedFile("事迹.pdf", buf.getvalue(), content_type="application/pdf")
    r = c.post(url, {"category": cat.pk, "retiree": tree.ra.pk, "reasons": REASONS, "attachment": upload})
    assert r.status_code == 302
    n = Nomination.objects.get()
    assert n.attachment and n.nominated_by == secretary_a
    r = c.post(url, {"category": cat.pk, "retiree": tree.ra.pk, "reasons": REASONS})
    assert "不能重复提名" in field_errors(r.content.decode(), "id_retiree")
    r = c.post(url, {"category": cat.pk, "retiree": tree.ra.pk, "reasons": "好"})
    assert "至少写 20 个字" in field_errors(r.content.decode(), "id_reasons")
    bad = SimpleUploadedFile("a.exe", b"MZ", content_type="application/octet-stream")
    r = c.post(url, {"category": campaign.categories.get(name="最美志愿者").pk, "retiree": tree.ra.pk,
                     "reasons": REASONS, "attachment": bad})
    assert "附件只接受" in field_errors(r.content.decode(), "id_attachment")
    assert Nomination.objects.count() == 1
    assert c.get(reverse("honours:nomination_attachment", args=[n.pk])).status_code == 200
    sec_b = make_user("sec_b", Role.BRANCH_SECRETARY, organization=tree.b)
    cb = client_for(sec_b)
    assert cb.get(n.get_absolute_url()).status_code == 404
    assert cb.get(reverse("honours:nomination_attachment", args=[n.pk])).status_code == 404
    assert cb.post(n.get_absolute_url(), {"withdraw": "1"}).status_code == 404
    assert Nomination.objects.filter(pk=n.pk).exists()


def test_nomination_list_is_scoped(tree, admin, campaign, secretary_a):
    nominate(campaign, "最美老党员", tree.ra, admin)
    nominate(campaign, "最美老党员", tree.rb, admin)
    page = client_for(secretary_a).get(reverse("honours:nominations")).content.decode()
    assert tree.ra.name in page and tree.rb.name not in page and "共 1 条" in page
    page = client_for(admin).get(reverse("honours:nominations")).content.decode()
    assert "共 2 条" in page


def test_review_page(tree, admin, campaign, secretary_a):
    n = nominate(campaign, "最美老党员", tree.ra, admin)
    services.campaign_advance(user=admin, campaign=campaign, today=TODAY)
    c = client_for(admin)
    r = c.post(n.get_absolute_url(), {"review": "1", "decision": "reject", "reason": ""})
    assert "请填写审核意见" in field_errors(r.content.decode(), "id_reason")
    r = c.post(n.get_absolute_url(), {"review": "1", "decision": "approve", "reason": "事迹突出"})
    assert r.status_code == 302
    assert Nomination.objects.get(pk=n.pk).status == NominationStatus.APPROVED
    assert client_for(secretary_a).post(n.get_absolute_url(), {"review": "1", "decision": "reject",
                                                              "reason": "x"}).status_code == 403


def test_phase_button_shows_why_not(tree, admin, campaign):
    c = client_for(admin)
    page = c.get(campaign.get_absolute_url()).content.decode()
    assert "还没有任何提名，不能进入审核" in page
    nominate(campaign, "最美老党员", tree.ra, admin)
    r = c.post(campaign.get_absolute_url(), {"phase": "nomination"})
    assert r.status_code == 302
    campaign.refresh_from_db()
    assert campaign.phase == Phase.REVIEW


def test_ballot_page_votes_once(tree, voting, secretary_a):
    c = client_for(secretary_a)
    url = reverse("honours:ballot", args=[voting.campaign.pk])
    name = f"category_{voting.category.pk}"
    page = c.get(url).content.decode()
    assert f'name="{name}"' in page and "已投票" not in page
    assert voting.rejected.retiree.name not in page
    r = c.post(url, {name: [voting.noms[0].pk]})
    assert r.status_code == 302
    page = c.get(url).content.decode()
    assert "已投票" in page and f'name="{name}"' not in page
    r = c.post(url, {name: [voting.noms[1].pk]})
    assert "投过票" in r.content.decode()
    assert Ballot.objects.filter(voter=secretary_a).count() == 1
    assert Nomination.objects.get(pk=voting.noms[1].pk).votes == 0
    # Counts are not shown while voting, not even to the organiser.
    admin_page = client_for(voting.campaign.created_by).get(voting.campaign.get_absolute_url()).content.decode()
    assert "网上得票" not in admin_page and "已投票人数" in admin_page


def test_ballot_errors_beside_the_category_and_nothing_written(tree, voting, secretary_a):
    c = client_for(secretary_a)
    url = reverse("honours:ballot", args=[voting.campaign.pk])
    r = c.post(url, {f"category_{voting.category.pk}": [voting.noms[0].pk, voting.noms[1].pk]})
    html = r.content.decode()
    assert re.search(r'id="category-%d".*?最多选 1 名' % voting.category.pk, html, re.S)
    assert not Ballot.objects.exists()
    outsider = make_user("nobody", Role.CARER)
    assert client_for(outsider).get(url).status_code == 404


def test_ballot_page_queries_do_not_grow_with_candidates(tree, admin, voting, secretary_a, django_assert_max_num_queries):
    c = client_for(secretary_a)
    url = reverse("honours:ballot", args=[voting.campaign.pk])
    c.get(url)
    with django_assert_max_num_queries(20):
        c.get(url)
    cat = voting.category
    for i in range(8):
        r = make_retiree(tree.a, f"加测{i}", f"44052418800102{i:03d}X")
        Nomination.objects.create(campaign=voting.campaign, category=cat, retiree=r, reasons=REASONS,
                                  status=NominationStatus.APPROVED)
    with django_assert_max_num_queries(20):
        assert "加测7" in c.get(url).content.decode()


def publish(admin, voting, votes):
    services.campaign_advance(user=admin, campaign=voting.campaign, today=TODAY)
    services.offline_votes_record(user=admin, category=voting.category, ballots=30,
                                  votes=dict(zip([n.pk for n in voting.noms], votes)))
    services.campaign_advance(user=admin, campaign=voting.campaign, today=TODAY)


def test_results_hidden_until_published_then_export_matches_the_page(tree, admin, voting, secretary_a):
    c_sec, c_admin = client_for(secretary_a), client_for(admin)
    results = reverse("honours:results", args=[voting.campaign.pk])
    assert c_sec.get(results).status_code == 404
    services.campaign_advance(user=admin, campaign=voting.campaign, today=TODAY)
    assert c_sec.get(results).status_code == 404
    assert "结果尚未公布" in c_admin.get(results).content.decode()
    services.offline_votes_record(user=admin, category=voting.category, ballots=30,
                                  votes=dict(zip([n.pk for n in voting.noms], [7, 12, 9])))
    services.campaign_advance(user=admin, campaign=voting.campaign, today=TODAY)
    html = c_sec.get(results).content.decode()
    page_rows = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td data-label=[^>]*>(.*?)</td>", row, re.S)]
                 for row in re.findall(r"<tr>\s*<td data-label=\"名次\">.*?</tr>", html, re.S)]
    # The organiser's export is the page; a secretary's holds only the candidates they may export, ranks unchanged.
    export = c_admin.get(results, {"export": "xlsx"})
    wb = load_workbook(io.BytesIO(export.content))
    rows = [list(r) for r in wb.active.iter_rows(min_row=3, values_only=True)]
    assert [[str(v) for v in r[1:7]] for r in rows if r[0] == voting.category.name] == [r[:6] for r in page_rows]
    assert [r[2] for r in rows if r[0] == voting.category.name] == ["甲支部二号", "乙支部专有人", "张宏伟"]
    wb = load_workbook(io.BytesIO(c_sec.get(results, {"export": "xlsx"}).content))
    rows = [list(r) for r in wb.active.iter_rows(min_row=3, values_only=True)]
    assert [[str(v) for v in r[1:7]] for r in rows if r[0] == voting.category.name] == [
        r[:6] for r in page_rows if r[1] != "乙支部专有人"]
    assert "★ 当选" in html
    assert client_for(secretary_a).get(reverse("honours:results_print", args=[voting.campaign.pk])).status_code == 200
    # The winner's one-page record shows the honour.
    winner = Nomination.objects.get(is_winner=True, category=voting.category)
    assert winner.retiree.name == "甲支部二号"
    record = c_admin.get(winner.retiree.get_absolute_url()).content.decode()
    assert "评选表彰" in record and "最美老党员" in record


def test_counting_page_paper_votes_errors_beside_fields(tree, admin, voting):
    services.campaign_advance(user=admin, campaign=voting.campaign, today=TODAY)
    c = client_for(admin)
    url = reverse("honours:counting", args=[voting.campaign.pk])
    a = voting.noms[0]
    data = {"category": voting.category.pk, "offline": "1", f"c{voting.category.pk}-ballots": 5}
    data.update({f"c{voting.category.pk}-votes_{n.pk}": 0 for n in voting.noms})
    data[f"c{voting.category.pk}-votes_{a.pk}"] = 9
    r = c.post(url, data)
    assert "不能多于收回的选票" in field_errors(r.content.decode(), f"id_c{voting.category.pk}-votes_{a.pk}")
    data[f"c{voting.category.pk}-votes_{a.pk}"] = 4
    assert c.post(url, data).status_code == 302
    assert Nomination.objects.get(pk=a.pk).offline_votes == 4


def test_category_and_campaign_edit_forms(tree, admin, campaign, secretary_a):
    c = client_for(admin)
    cat = campaign.categories.get(name="最美志愿者")
    url = reverse("honours:category_edit", args=[cat.pk])
    data = {"name": "最美志愿者", "nominee_rule": "any", "quota": 2, "max_choices": 3, "order": 40}
    r = c.post(url, data)
    assert "不能超过评选名额（2 名）" in field_errors(r.content.decode(), "id_max_choices")
    data.update(max_choices=2, name="最美老党员")
    r = c.post(url, data)
    assert "已有" in r.content.decode()
    data.update(name="最美银发志愿者")
    assert c.post(url, data).status_code == 302
    cat.refresh_from_db()
    assert (cat.name, cat.quota, cat.max_choices) == ("最美银发志愿者", 2, 2)
    assert client_for(secretary_a).post(url, data).status_code == 403
    edit = reverse("honours:campaign_edit", args=[campaign.pk])
    r = c.post(edit, {"title": campaign.title, "nomination_ends_on": "2026-10-01", "review_ends_on": "2026-10-15",
                      "voting_starts_on": "2026-10-10", "voting_ends_on": "2026-11-30"})
    assert "投票开始日期不能早于审核截止日期" in field_errors(r.content.decode(), "id_voting_starts_on")
    assert client_for(secretary_a).get(edit).status_code == 403


def test_results_and_list_queries_do_not_grow(tree, admin, voting, django_assert_max_num_queries):
    publish(admin, voting, [3, 2, 1])
    c = client_for(admin)
    urls = [reverse("honours:results", args=[voting.campaign.pk]), reverse("honours:nominations"),
            reverse("honours:campaigns"), voting.campaign.get_absolute_url()]
    for url in urls:
        c.get(url)
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(25) as q:
            c.get(url)
        counts[url] = len(q.captured_queries)
    for i in range(10):
        r = make_retiree(tree.a, f"加{i}", f"44052418800104{i:03d}X")
        Nomination.objects.create(campaign=voting.campaign, category=voting.category, retiree=r, reasons=REASONS,
                                  status=NominationStatus.APPROVED, offline_votes=i)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            c.get(url)


def test_nominate_long_list_is_searched_by_name(tree, admin, campaign, monkeypatch):
    from changqing.honours.forms import NominationForm

    monkeypatch.setattr(NominationForm, "LONG_LIST", 1)
    c = client_for(admin)
    url = reverse("honours:nomination_create", args=[campaign.pk])
    page = c.get(url).content.decode()
    assert "请先在上方按姓名查找" in page and f">{tree.ra.name}（" not in page
    page = c.get(url, {"q": "zhw"}).content.decode()  # 张宏伟 by initials
    assert f">{tree.ra.name}（" in page and f">{tree.rb.name}（" not in page
    cat = campaign.categories.get(name="最美老党员")
    r = c.post(url + "?q=zhw", {"category": cat.pk, "retiree": tree.ra.pk, "reasons": REASONS})
    assert r.status_code == 302 and Nomination.objects.filter(retiree=tree.ra).exists()


def test_daily_digest_reminds_a_voter_until_they_have_voted(tree, voting, secretary_a):
    from changqing.core.notify import send_digests
    from changqing.core.models import Notification
    from changqing.honours.panels import digest

    lines = [i.title for i in digest(secretary_a, TODAY)]
    # Only 最美老党员 has candidates: the three empty categories are not counted as unvoted.
    assert lines == [f"{voting.campaign.title}：还有1个类别未投票，11月30日截止"]
    report = send_digests(today=TODAY, users=[secretary_a])
    assert report.users_sent == 1
    note = Notification.objects.get(user=secretary_a, kind="digest")
    assert "还有1个类别未投票" in note.body
    services.ballot_cast(user=secretary_a, campaign=voting.campaign, category=voting.category,
                         nomination_ids=[voting.noms[0].pk], today=TODAY)
    assert digest(secretary_a, TODAY) == []
    assert digest(secretary_a, voting.campaign.voting_ends_on + dt.timedelta(days=1)) == []


def test_daily_digest_tells_the_organiser_what_waits_for_review(tree, admin, campaign):
    from changqing.honours.panels import digest

    nominate(campaign, "最美老党员", tree.ra, admin)
    assert [i.title for i in digest(admin, dt.date(2026, 9, 1))] == []  # a month before the deadline: no message
    assert [i.title for i in digest(admin, dt.date(2026, 9, 29))] == [f"{campaign.title}：提名还有2天截止"]
    services.campaign_advance(user=admin, campaign=campaign, today=dt.date(2026, 10, 2))
    assert [i.title for i in digest(admin, dt.date(2026, 10, 2))] == [f"{campaign.title}：1条提名待审核"]
