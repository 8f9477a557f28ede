"""The election helper (换届选举助手): the whole flow through the test client, the 请示 and the ballots
opened with python-docx, bad input refused in Chinese, and the demo branch's secretary using it."""
import datetime as dt
import io

import pytest
from django.urls import reverse

from changqing.core import documents
from changqing.members.models import Absence, Health
from changqing.orgs import services
from changqing.orgs.models import CommitteeForm, CommitteeTerm, Election, ElectionPlan, Organization, Post

from .helpers import members

D = dt.date


def _docx_text(body: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(body))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


@pytest.fixture
def branch(tree):
    people = members(tree.a, 9)  # 10 full members with the fixture's
    services.term_register(organization=tree.a, start_on=D(2023, 12, 20), form=CommitteeForm.COMMITTEE,
                           posts=[(people[0], Post.SECRETARY, ""), (people[1], Post.MEMBER, ""),
                                  (people[2], Post.MEMBER, "")])  # ends 2026-12-20, within 6 months
    bedridden = people[3].retiree
    bedridden.health = Health.BEDRIDDEN
    bedridden.save()
    Absence.objects.create(retiree=people[4].retiree, start_on=D(2026, 10, 1), place="海南三亚")
    return tree.a, people


def _step1(client, org, people, **extra):
    data = {"seats": "3", "planned_on": "2026-12-18"}
    data.update(extra)
    return client.post(reverse("orgs:election_helper", args=[org.code]), data)


def test_whole_flow_produces_request_ballots_and_the_new_term(client, secretary_a, branch):
    org, people = branch
    client.force_login(secretary_a)
    page = client.get(reverse("orgs:election_helper", args=[org.code])).content.decode()
    assert "2026年12月20日届满" in page and "有选举权的正式党员<strong>10人" in page
    assert "提示：健康状况：卧床" in page and "提示：外出：海南三亚" in page  # suggestions from the records
    # An exclusion without its approval is refused beside the field.
    response = _step1(client, org, people, **{f"ex_{people[3].pk}": "bedridden"})
    assert response.status_code == 200 and "须经批准" in response.content.decode()
    assert not ElectionPlan.objects.exists()
    # Seats that do not fit the size (10 full members: a committee of 3–5, at most 7).
    response = _step1(client, org, people, seats="8")
    assert "最多7人" in response.content.decode()
    response = _step1(client, org, people, **{f"ex_{people[3].pk}": "bedridden",
                                              f"ap_{people[3].pk}": "经党工委2026年11月20日同意"})
    assert response.status_code == 302
    plan = ElectionPlan.objects.get()
    assert plan.seats == 3 and plan.excused[0]["reason"] == "bedridden"
    step2 = reverse("orgs:election_helper_candidates", args=[org.code])
    page = client.get(step2).content.decode()
    assert "候选人至少<strong>4名" in page  # ceil(3 × 1.2)
    response = client.post(step2, {"candidates": [people[0].pk, people[1].pk, people[2].pk]})
    assert "候选人应不少于4名" in response.content.decode()
    cands = [people[0], people[1], people[2], people[5]]
    assert client.post(step2, {"candidates": [m.pk for m in cands]}).status_code == 302
    step3 = reverse("orgs:election_helper_documents", args=[org.code])
    assert "下载选票" in client.get(step3).content.decode()
    request_doc = client.get(step3 + "?doc=request")
    assert request_doc["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _docx_text(request_doc.content)
    assert "关于甲支部换届选举的请示" in text and "测试党工委：" in text and "2026年12月20日届满" in text
    assert "应到会9人" in text and "至少8人" in text and "卧床" in text and "妥否，请批示" in text
    for m in cands:
        assert m.retiree.name in text
    ballots = _docx_text(client.get(step3 + "?doc=ballots").content)
    assert ballots.count("甲支部换届选举选票") == 9 and "应选3名" in ballots and "第9张 / 共9张" in ballots
    assert all(m.retiree.name in ballots for m in cands) and people[8].retiree.name not in ballots
    # Step 4: bad counts refused in Chinese, then a preview, then the record.
    step4 = reverse("orgs:election_helper_result", args=[org.code])
    votes = {f"votes_{m.pk}": v for m, v in zip(cands, (9, 8, 4, 6))}  # 27 = 9 present × 3 seats
    base = {"held_on": "2026-11-24", "present": "9", "approval_no": "", "secretary": str(cands[0].pk),
            "deputy": str(cands[1].pk), **votes}
    response = client.post(step4, {**base, "present": "7"})  # 7 of 9 is not more than 4/5
    assert "选举无效" in response.content.decode()
    response = client.post(step4, {**base, **{f"votes_{cands[2].pk}": "9", f"votes_{cands[3].pk}": "9"}})
    assert "每位选举人对每个名额至多投一票" in response.content.decode()  # 36 > 9 × 3
    response = client.post(step4, base)
    assert "计票结果（尚未保存）" in response.content.decode(), (response.context["form"].errors,
                                                            response.context["candidate_errors"])
    assert not Election.objects.exists()
    preview = response.context["preview"]
    assert preview["check"].votes_to_win == 5 and {r["name"] for r in preview["rows"] if r["elected"]} == {
        cands[0].retiree.name, cands[1].retiree.name, cands[3].retiree.name}
    response = client.post(step4, {**base, "confirm": "1"})
    election = Election.objects.get()
    assert response.status_code == 302 and response["Location"] == election.get_absolute_url()
    assert election.due_to_attend == 9 and "卧床" in election.excused_note
    term = CommitteeTerm.objects.get(organization=org, ended_on__isnull=True)
    assert term.election == election and term.start_on == D(2026, 11, 24)
    assert ElectionPlan.objects.get().election == election


def test_helper_is_linked_for_those_who_may_use_it(client, secretary_a, branch, tree):
    from changqing.core.roles import Role
    from tests.factories import make_user

    org, _ = branch
    client.force_login(secretary_a)
    url = reverse("orgs:election_helper", args=[org.code])
    assert url in client.get(org.get_absolute_url()).content.decode()
    assert url in client.get(reverse("orgs:committee", args=[org.code])).content.decode()
    viewer = make_user("gw-view", Role.COMMITTEE_MEMBER, organization=tree.root)  # may view, not change
    client.force_login(viewer)
    assert url not in client.get(org.get_absolute_url()).content.decode()
    assert client.get(url).status_code in (403, 404)


def test_later_steps_wait_for_the_first(client, secretary_a, branch):
    org, _ = branch
    client.force_login(secretary_a)
    for name in ("orgs:election_helper_candidates", "orgs:election_helper_documents", "orgs:election_helper_result"):
        response = client.get(reverse(name, args=[org.code]))
        assert response.status_code == 302 and response["Location"] == reverse("orgs:election_helper",
                                                                               args=[org.code])


@pytest.mark.skipif(documents.soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_ballots_convert_to_pdf(branch):
    from changqing.orgs import helper

    org, people = branch
    plan = services.election_plan_prepare(organization=org, seats=3, excused=[])
    services.election_plan_candidates(plan=plan, membership_ids=[m.pk for m in people[:4]])
    roll = helper.roll_for(org, plan, D(2026, 11, 24))
    pdf = documents.docx_to_pdf(helper.ballots_docx(org, plan, roll))
    assert pdf and pdf.startswith(b"%PDF")


def test_demo_branch_secretary_gets_request_and_ballots(client, county_demo):
    """On the county demo: the demo secretary's own branch, steps 1–3, both documents."""
    from changqing.accounts.models import User
    from changqing.orgs import helper

    user = User.objects.get(username="shuji")
    org = Organization.objects.get(pk=user.role_assignments.filter(organization__kind="branch")
                                   .values_list("organization_id", flat=True).first())
    client.force_login(user)
    assert client.get(reverse("orgs:election_helper", args=[org.code])).status_code == 200
    roll = helper.roll_for(org, None, D(2026, 11, 24))
    seats = roll.default_seats()
    response = client.post(reverse("orgs:election_helper", args=[org.code]), {"seats": str(seats)})
    assert response.status_code == 302, response.context["form"].errors
    ids = [a.membership.pk for a in roll.attendees][: roll.rules.candidates_needed(seats)]
    response = client.post(reverse("orgs:election_helper_candidates", args=[org.code]), {"candidates": ids})
    assert response.status_code == 302
    step3 = reverse("orgs:election_helper_documents", args=[org.code])
    text = _docx_text(client.get(step3 + "?doc=request").content)
    assert f"关于{org.name}换届选举的请示" in text and "妥否，请批示" in text
    ballots = _docx_text(client.get(step3 + "?doc=ballots").content)
    assert ballots.count(f"{org.name}换届选举选票") == roll.due
