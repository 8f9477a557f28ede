import io

import pytest
from django.urls import reverse

from changqing.appraisal import selectors, services
from changqing.appraisal.models import BallotCast, RoundStatus, SelfAppraisal, Tally
from changqing.core.documents import soffice
from changqing.core.models import OperationLog
from changqing.core.roles import Role
from tests.factories import make_user

TEXT = "一年来坚持参加组织生活，按时交纳党费，参加社区志愿服务；不足是学习还不够系统。"


def test_secretary_opens_a_round_from_the_list(client, tree, secretary, members):
    client.force_login(secretary)
    r = client.post(reverse("appraisal:rounds"), {"organization": tree.a.pk, "year": 2026})
    rnd = selectors.rounds_for(secretary).get()
    assert r.status_code == 302 and r["Location"] == rnd.get_absolute_url()
    r = client.post(reverse("appraisal:rounds"), {"organization": tree.a.pk, "year": 2026})
    assert "每年一次" in r.content.decode()


def test_bad_year_is_said_beside_the_field(client, tree, secretary, members):
    client.force_login(secretary)
    r = client.post(reverse("appraisal:rounds"), {"organization": tree.a.pk, "year": "abc"})
    assert "年度请填写四位数字" in r.content.decode()


def test_member_self_appraisal_and_ballot_pages(client, rnd, members, voters):
    client.force_login(voters[0])
    page = client.get(rnd.get_absolute_url()).content.decode()
    assert "写个人自评" in page and "填写民主测评票" in page
    r = client.post(reverse("appraisal:self", args=[rnd.pk]), {"text": TEXT})
    assert r.status_code == 302 and SelfAppraisal.objects.get().membership == members[0]
    page = client.get(reverse("appraisal:ballot", args=[rnd.pk])).content.decode()
    assert f"{members[1].retiree.name}</legend>" in page
    assert f"{members[0].retiree.name}</legend>" not in page  # not oneself
    data = {f"mark_{m.pk}": "qualified" for m in members[1:]}
    data[f"mark_{members[2].pk}"] = ""
    r = client.post(reverse("appraisal:ballot", args=[rnd.pk]), data)
    assert "请选择一个等次" in r.content.decode() and not BallotCast.objects.exists()
    data[f"mark_{members[2].pk}"] = "excellent"
    assert client.post(reverse("appraisal:ballot", args=[rnd.pk]), data).status_code == 302
    r = client.post(reverse("appraisal:ballot", args=[rnd.pk]), data)
    assert "只能投一次" in r.content.decode()
    assert Tally.objects.get(round=rnd, subject=members[2]).excellent == 1


def test_secretary_home_ballot_needs_the_home_box(client, rnd, members, secretary):
    client.force_login(secretary)
    url = reverse("appraisal:ballot_for", args=[rnd.pk, members[3].pk])
    data = {f"mark_{m.pk}": "qualified" for m in members[:3]}
    assert "请勾选“上门投票”" in client.post(url, data).content.decode()
    assert client.post(url, {**data, "at_home": "on"}).status_code == 302
    assert BallotCast.objects.get().at_home


def test_member_cannot_open_secretary_pages(client, rnd, members, voters):
    client.force_login(voters[0])
    assert client.get(reverse("appraisal:grades", args=[rnd.pk])).status_code == 403
    assert client.get(reverse("appraisal:ballot_for", args=[rnd.pk, members[1].pk])).status_code == 403
    assert client.get(reverse("appraisal:print", args=[rnd.pk, "summary"])).status_code == 403


def test_another_branch_gets_404(client, tree, rnd, members):
    other = make_user("appr_other", Role.BRANCH_SECRETARY, organization=tree.b)
    client.force_login(other)
    for url in (rnd.get_absolute_url(), reverse("appraisal:grades", args=[rnd.pk]),
                reverse("appraisal:ballot", args=[rnd.pk]), reverse("appraisal:print", args=[rnd.pk, "ballots"]),
                reverse("appraisal:step", args=[rnd.steps.first().pk])):
        assert client.get(url).status_code == 404, url


def test_grades_page_and_publish(client, rnd, members, secretary, voters):
    client.force_login(secretary)
    data = {f"grade_{m.pk}": "qualified" for m in members}
    data[f"grade_{members[1].pk}"] = "unqualified"
    r = client.post(reverse("appraisal:grades", args=[rnd.pk]), data)
    assert "请写明理由" in r.content.decode()
    data[f"reason_{members[1].pk}"] = "全年无故不参加组织生活，经多次提醒仍未改正"
    assert client.post(reverse("appraisal:grades", args=[rnd.pk]), data).status_code == 302
    client.post(reverse("appraisal:publish", args=[rnd.pk]))
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.PUBLISHED
    client.force_login(voters[1])
    page = client.get(rnd.get_absolute_url()).content.decode()
    assert "不合格" in page and "限期改正" in page


def _published(rnd, members, secretary, voters):
    for i in range(3):
        services.self_appraisal_save(user=voters[i], round=rnd, membership=members[i], text=TEXT)
        services.ballot_cast(user=voters[i], round=rnd, voter=members[i],
                             marks={m.pk: "excellent" for m in members if m.pk != members[i].pk})
    for m in members:
        services.grade_set(user=secretary, round=rnd, membership=m, grade="excellent" if m == members[0] else "qualified")
    services.round_publish(user=secretary, round=rnd)


def test_documents_open_and_are_logged(client, rnd, members, secretary, voters):
    from docx import Document

    _published(rnd, members, secretary, voters)
    client.force_login(secretary)
    for what, needle in (("ballots", "民主测评表"), ("summary", "结果汇总表")):
        r = client.get(reverse("appraisal:print", args=[rnd.pk, what]))
        assert r.status_code == 200
        doc = Document(io.BytesIO(r.content))
        text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
            c.text for t in doc.tables for row in t.rows for c in row.cells)
        assert needle in text and members[2].retiree.name in text
    summary = Document(io.BytesIO(client.get(reverse("appraisal:print", args=[rnd.pk, "summary"])).content))
    first = [c.text for c in summary.tables[0].rows[1].cells]
    assert first[-1] in ("优秀", "合格")
    assert len(Document(io.BytesIO(client.get(reverse("appraisal:print", args=[rnd.pk, "ballots"])).content))
               .tables) == len(members)  # one ballot per member
    assert OperationLog.objects.filter(detail__contains="民主测评表").exists()
    client.force_login(voters[0])  # a member downloads their own result sheet, not another's
    r = client.get(reverse("appraisal:result", args=[rnd.pk, members[0].pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "等次为：优秀" in text and TEXT in text
    assert client.get(reverse("appraisal:result", args=[rnd.pk, members[1].pk])).status_code == 403


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed here")
def test_documents_convert_to_pdf_in_libreoffice(client, rnd, members, secretary, voters):
    _published(rnd, members, secretary, voters)
    client.force_login(secretary)
    for url in (reverse("appraisal:print", args=[rnd.pk, "summary"]), reverse("appraisal:print", args=[rnd.pk, "ballots"]),
                reverse("appraisal:result", args=[rnd.pk, members[0].pk])):
        r = client.get(url + "?fmt=pdf")
        assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_record_section_shows_the_published_grade(client, tree, rnd, members, secretary, voters):
    _published(rnd, members, secretary, voters)
    client.force_login(secretary)
    page = client.get(reverse("members:retiree_detail", args=[members[0].retiree.pk])).content.decode()
    assert "2026年度民主评议" in page and "优秀" in page


def test_today_tasks(rf, rnd, members, secretary, voters):
    from changqing.appraisal.today import appraisal_tasks

    req = rf.get("/")
    req.user = secretary
    [task] = list(appraisal_tasks(req))
    assert "还有 4 位党员未完成自评" in task.sentence
    req.user = voters[0]
    [task] = list(appraisal_tasks(req))
    assert task.sentence == "请完成本年度民主评议"
    services.self_appraisal_save(user=voters[0], round=rnd, membership=members[0], text=TEXT)
    services.ballot_cast(user=voters[0], round=rnd, voter=members[0], marks={m.pk: "qualified" for m in members[1:]})
    assert list(appraisal_tasks(req)) == []


def test_round_page_query_count_does_not_grow(client, rnd, members, secretary, django_assert_max_num_queries):
    client.force_login(secretary)
    client.get(rnd.get_absolute_url())
    with django_assert_max_num_queries(30):
        assert client.get(rnd.get_absolute_url()).status_code == 200


def test_policy_page_sets_steps_and_follow_ups(client, tree):
    from changqing.appraisal.policy import APPRAISAL_RULES
    from changqing.policies.selectors import policy_for

    admin = make_user("appr_admin", Role.BUREAU_ADMIN, organization=tree.root)
    client.force_login(admin)
    url = reverse("policies:set", args=[APPRAISAL_RULES, tree.root.code])
    page = client.get(url).content.decode()
    assert "默认：谈话提醒、限期改正" in page and "默认 90 天" in page
    r = client.post(url, {"v-valid_from": "2026-12-01", "v-note": "按上级通知调整", "steps": "学习\n测评\n公示",
                          "basic": ["talk"], "unqualified": ["rectify"], "talk_days": "15", "rectify_days": "60"})
    assert r.status_code == 302
    import datetime as dt

    got = policy_for(APPRAISAL_RULES, tree.a, dt.date(2026, 12, 2))
    assert got["steps"] == ["学习", "测评", "公示"] and got["rectify_days"] == 60 and got["unqualified"] == ["rectify"]
    r = client.post(url, {"v-valid_from": "2027-01-01", "steps": "  ", "talk_days": "0", "rectify_days": "60"})
    assert "请至少填写一个评议步骤" in r.content.decode() and "至少 1 天" in r.content.decode()


def test_a_role_without_export_sees_no_file_links(client, tree, rnd, members, secretary, voters):
    _published(rnd, members, secretary, voters)
    liaison = make_user("appr_liaison", Role.LIAISON, organization=tree.a)  # may view and change, not export
    client.force_login(liaison)
    page = client.get(rnd.get_absolute_url()).content.decode()
    assert "打印结果汇总表" not in page and "结果通知</a>" not in page
    assert client.get(reverse("appraisal:print", args=[rnd.pk, "summary"])).status_code == 403
    assert client.get(reverse("appraisal:result", args=[rnd.pk, members[0].pk])).status_code == 403
