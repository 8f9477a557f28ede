"""Bad input for every form: a Chinese message beside the field, nothing written."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from changqing.core.models import ObjectChange
from changqing.members.models import Absence, Membership, MembershipEvent, Retiree, Transfer

from .helpers import id_number, person

D = dt.date


def retiree_data(tree, **overrides):
    data = {"name": "王建国", "id_number": id_number(D(1952, 6, 1), serial=40, region=433127), "gender": "", "birth_date": "",
            "ethnicity": "汉族", "retirement_kind": "tuixiu", "retired_on": "2012-06-01",
            "organization": tree.a.pk, "phone": "13912345678", "health": "good", "living": "with_family"}
    data.update(overrides)
    return data


def errors_of(response):
    return response.context["form"].errors


@pytest.fixture
def admin_client(client, bureau_admin):
    client.force_login(bureau_admin)
    return client


def test_create_derives_gender_and_birth_from_id(tree, admin_client):
    r = admin_client.post("/retirees/new/", retiree_data(tree, id_number="433127１９５２０６０１０８１５".lower()))
    assert r.status_code == 200  # wrong checksum on purpose first
    raw = id_number(D(1952, 6, 1), serial=40, region=433127)[:-1] + id_number(D(1952, 6, 1), serial=40, region=433127)[-1].lower()
    r = admin_client.post("/retirees/new/", retiree_data(tree, id_number=" " + raw.replace("1", "１") + " "))
    assert r.status_code == 302
    created = Retiree.objects.get(name="王建国")
    assert created.id_number == id_number(D(1952, 6, 1), serial=40, region=433127)
    assert created.birth_date == D(1952, 6, 1) and created.gender == "male"
    assert created.name_initials == "wjg"


@pytest.mark.parametrize("overrides, field, message", [
    ({"id_number": "43312719520601081"}, "id_number", "应为18位"),
    ({"id_number": "433127195206010813"}, "id_number", "校验位错误"),
    ({"id_number": "433127195302300817"}, "id_number", "不存在"),
    ({"id_number": "11010519491231002X"}, "id_number", "已在名册中登记"),
    ({"gender": "female"}, "gender", "性别与身份证号不一致"),
    ({"birth_date": "1952-06-02"}, "birth_date", "出生日期与身份证号不一致"),
    ({"birth_date": "1952-13-40"}, "birth_date", "请填写正确的日期"),
    ({"phone": "12345"}, "phone", "11位手机号"),
    ({"family_phone": "1391234567a"}, "family_phone", "11位手机号"),
    ({"retired_on": "1970-01-01"}, "retired_on", "不合常理"),
    ({"retired_on": "2099-01-01"}, "retired_on", "不能晚于今天"),
    ({"retirement_kind": "lixiu"}, "retirement_kind", "1949年10月1日"),
    ({"name": "王"}, "name", "至少两个字"),
    ({"name": "王建国1"}, "name", "不能包含数字"),
    ({"name": ""}, "name", "请填写姓名"),
    ({"organization": ""}, "organization", "请选择服务管理组织"),
])
def test_retiree_form_bad_input(tree, admin_client, overrides, field, message):
    before = (Retiree.objects.count(), ObjectChange.objects.count())
    r = admin_client.post("/retirees/new/", retiree_data(tree, **overrides))
    assert r.status_code == 200
    assert any(message in e for e in errors_of(r)[field]), errors_of(r)
    assert (Retiree.objects.count(), ObjectChange.objects.count()) == before
    assert 'role="alert"' in r.content.decode()


def test_retiree_form_only_offers_own_orgs(tree, client, secretary_a):
    client.force_login(secretary_a)
    r = client.post("/retirees/new/", retiree_data(tree, organization=tree.b.pk))
    assert "只能选择您有权管理的组织" in errors_of(r)["organization"][0]
    assert not Retiree.objects.filter(name="王建国").exists()


def _png(size=(40, 60), fmt="PNG"):
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


def test_photo_validation(tree, admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    not_image = SimpleUploadedFile("a.jpg", b"this is not an image", content_type="image/jpeg")
    r = admin_client.post("/retirees/new/", {**retiree_data(tree), "photo": not_image})
    assert "不是有效的图片" in errors_of(r)["photo"][0]
    gif = SimpleUploadedFile("a.gif", _png(fmt="GIF"), content_type="image/gif")
    r = admin_client.post("/retirees/new/", {**retiree_data(tree), "photo": gif})
    assert "JPG、PNG 或 WebP" in errors_of(r)["photo"][0]
    settings.CHANGQING = {**settings.CHANGQING, "PHOTO_MAX_MB": 0}
    r = admin_client.post("/retirees/new/", {**retiree_data(tree), "photo": SimpleUploadedFile("a.png", _png())})
    assert "不能超过" in errors_of(r)["photo"][0]
    assert not Retiree.objects.filter(name="王建国").exists()
    settings.CHANGQING = {**settings.CHANGQING, "PHOTO_MAX_MB": 5}
    r = admin_client.post("/retirees/new/", {**retiree_data(tree), "photo": SimpleUploadedFile("a.png", _png())})
    assert r.status_code == 302
    assert Retiree.objects.get(name="王建国").photo.name.endswith(".png")


def membership_data(tree, **overrides):
    data = {"organization": tree.a.pk, "status": "full", "joined_on": "1980-07-01", "full_on": "1981-07-01"}
    data.update(overrides)
    return data


@pytest.fixture
def nonmember(tree):
    return person(tree.a, "钱卫东", D(1955, 5, 5), 41, member=False)


@pytest.mark.parametrize("overrides, field, message", [
    ({"joined_on": "1970-01-01"}, "joined_on", "不满18周岁"),
    ({"joined_on": "1950-01-01", "full_on": ""}, "joined_on", "早于出生日期"),
    ({"joined_on": "2099-01-01", "full_on": ""}, "joined_on", "不能晚于今天"),
    ({"joined_on": ""}, "joined_on", "请填写入党日期"),
    ({"full_on": "1980-06-01"}, "full_on", "应晚于入党日期"),
    ({"full_on": ""}, "full_on", "正式党员需填写转正日期"),
    ({"status": "probationary"}, "full_on", "预备党员尚未转正"),
    ({"full_on": "1990-01-01"}, "full_on", "超过三年"),
    ({"registered_on": "1979-01-01"}, "registered_on", "不能早于入党日期"),
    ({"status": ""}, "status", "请选择正式党员或预备党员"),
])
def test_membership_form_bad_input(tree, admin_client, nonmember, overrides, field, message):
    r = admin_client.post(f"/retirees/{nonmember.pk}/membership/new/", membership_data(tree, **overrides))
    assert r.status_code == 200
    assert any(message in e for e in errors_of(r)[field]), errors_of(r)
    assert not Membership.objects.filter(retiree=nonmember).exists()


def test_membership_form_org_scope(tree, client, secretary_a, nonmember):
    client.force_login(secretary_a)
    r = client.post(f"/retirees/{nonmember.pk}/membership/new/", membership_data(tree, organization=tree.b.pk))
    assert "只能选择您有权管理的党组织" in errors_of(r)["organization"][0]
    r = client.post(f"/retirees/{nonmember.pk}/membership/new/", membership_data(tree))
    assert r.status_code == 302
    m = Membership.objects.get(retiree=nonmember)
    assert m.periods.count() == 1 and list(m.events.values_list("kind", flat=True)) == ["joined", "became_full"]


def test_membership_edit_bad_input(tree, admin_client):
    r = admin_client.post(f"/retirees/{tree.ra.pk}/membership/edit/",
                          {"joined_on": "1960-01-01", "full_on": "1976-07-01"})
    assert "不满18周岁" in errors_of(r)["joined_on"][0]
    tree.ra.membership.refresh_from_db()
    assert tree.ra.membership.joined_on == D(1975, 7, 1)


def absence_data(**overrides):
    data = {"start_on": "2026-01-05", "expected_end_on": "2026-04-01", "end_on": "", "place": "海南省三亚市",
            "reason": "冬季异地居住", "contact_phone": "", "host_org_name": "", "host_since": "", "last_report_on": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("overrides, field, message", [
    ({"place": ""}, "place", "请填写外出地点"),
    ({"start_on": ""}, "start_on", "请填写外出日期"),
    ({"end_on": "2026-01-01"}, "end_on", "不能早于外出日期"),
    ({"end_on": "2099-01-01"}, "end_on", "不能晚于今天"),
    ({"expected_end_on": "2025-12-01"}, "expected_end_on", "不能早于外出日期"),
    ({"host_since": "2026-02-01"}, "host_org_name", "请填写临时组织关系所在党组织"),
    ({"last_report_on": "2025-12-01"}, "last_report_on", "不能早于外出日期"),
    ({"contact_phone": "999"}, "contact_phone", "11位手机号"),
    ({"start_on": "1940-01-01", "expected_end_on": ""}, "start_on", "早于出生日期"),
])
def test_absence_form_bad_input(tree, admin_client, overrides, field, message):
    r = admin_client.post(f"/retirees/{tree.ra.pk}/absences/new/", absence_data(**overrides))
    assert r.status_code == 200
    assert any(message in e for e in errors_of(r)[field]), errors_of(r)
    assert not Absence.objects.exists()


def test_absence_overlap_rejected(tree, admin_client):
    assert admin_client.post(f"/retirees/{tree.ra.pk}/absences/new/", absence_data()).status_code == 302
    r = admin_client.post(f"/retirees/{tree.ra.pk}/absences/new/", absence_data(start_on="2026-02-01"))
    assert "时间重叠" in errors_of(r)["start_on"][0]
    assert Absence.objects.count() == 1


@pytest.mark.parametrize("url, data, field, message", [
    ("move", {"to_org": "", "on": "2026-01-01", "reason": "x"}, "to_org", "请选择转入的党组织"),
    ("move", {"to_org": "B", "on": "1960-01-01", "reason": "x"}, "on", "不能早于入党日期"),
    ("move", {"to_org": "B", "on": "2099-01-01", "reason": "x"}, "on", "不能晚于今天"),
    ("move", {"to_org": "B", "on": "2026-01-01", "reason": ""}, "reason", "请填写转接原因"),
    ("transfer-out", {"to_name": "", "on": "2026-01-01"}, "to_name", "请填写转往的党组织名称"),
    ("transfer-out", {"to_name": "外县", "on": "2026-01-01", "letter_on": "2026-02-01"}, "letter_on", "不能晚于转接日期"),
    ("full", {"on": "2026-01-01"}, "on", "已是正式党员"),
    ("leave", {"on": "2026-01-01", "note": ""}, "note", "支部党员大会的决定"),
])
def test_membership_actions_bad_input(tree, admin_client, url, data, field, message):
    data = {k: (tree.b.pk if v == "B" else v) for k, v in data.items()}
    before = (Transfer.objects.count(), MembershipEvent.objects.count())
    r = admin_client.post(f"/retirees/{tree.ra.pk}/membership/{url}/", data)
    assert r.status_code == 200
    assert any(message in e for e in errors_of(r)[field]), errors_of(r)
    assert (Transfer.objects.count(), MembershipEvent.objects.count()) == before
    tree.ra.membership.refresh_from_db()
    assert tree.ra.membership.organization == tree.a and tree.ra.membership.state == "active"


def test_transfer_in_bad_input(tree, admin_client, nonmember):
    url = f"/retirees/{nonmember.pk}/membership/transfer-in/"
    r = admin_client.post(url, {"to_org": tree.a.pk, "from_name": "", "on": "2026-01-01"})
    assert "请填写转出的党组织名称" in errors_of(r)["from_name"][0]
    r = admin_client.post(url, {"to_org": tree.a.pk, "from_name": "外县", "on": "2026-01-01", "status": "full"})
    assert "首次转入请填写入党日期" in errors_of(r)["joined_on"][0]
    r = admin_client.post(url, {"to_org": tree.a.pk, "from_name": "外县", "on": "2026-01-01", "status": "full",
                                "joined_on": "1960-01-01", "full_on": "1961-01-01"})
    assert "不满18周岁" in errors_of(r)["joined_on"][0]
    assert not Membership.objects.filter(retiree=nonmember).exists()
    r = admin_client.post(url, {"to_org": tree.a.pk, "from_name": "外县某支部", "on": "2026-01-01", "status": "full",
                                "joined_on": "1985-01-01", "full_on": "1986-01-01", "letter_no": "外组转〔2025〕8号"})
    assert r.status_code == 302
    assert Transfer.objects.get().letter_no == "外组转〔2025〕8号"


def test_death_bad_input(tree, admin_client):
    r = admin_client.post(f"/retirees/{tree.ra.pk}/death/", {"on": "1940-01-01"})
    assert "不能早于出生日期" in errors_of(r)["on"][0]
    r = admin_client.post(f"/retirees/{tree.ra.pk}/death/", {"on": ""})
    assert errors_of(r)["on"]
    tree.ra.refresh_from_db()
    assert tree.ra.status == "alive"
