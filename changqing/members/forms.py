"""Forms for the registry: Chinese messages beside the field, organisations limited to the user's change scope."""
from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from changqing.core.conflicts import VersionedFormMixin
from changqing.core.scope import can, restrict
from changqing.core import idcard
from changqing.orgs.models import Organization, OrgKind
from changqing.policies.forms import PolicyValuesForm

from . import rules
from .models import (
    Absence,
    Gender,
    Membership,
    MembershipStatus,
    Retiree,
    RetirementKind,
)

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")
PHONE_MESSAGE = "请填写11位手机号，或带区号的固定电话（如 0743-5221234）"
FOUNDING = dt.date(1949, 10, 1)
PHOTO_TYPES = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _date_field(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DateInput, help_text=help_text,
                           error_messages={"invalid": "请填写正确的日期，如 1975-07-01"})


def _not_future(value, label):
    if value and value > timezone.localdate():
        raise ValidationError(f"{label}不能晚于今天")
    return value


MASKED_EDITED = "带 * 号的是隐藏后的号码：不改请保持原样，要改请删去后填写完整号码"


def _clean_phone(value: str) -> str:
    if value and "*" in value:
        raise ValidationError(MASKED_EDITED)
    value = idcard.normalize(value).replace("－", "-") if value else ""
    if value and not PHONE_RE.match(value):
        raise ValidationError(PHONE_MESSAGE)
    return value


def holding_orgs(user, action="change"):
    """Organisations the user may change that can hold members' relationships."""
    return restrict(Organization.objects.active().filter(
        kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE]), user, action).order_by("path")


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


class RetireeForm(VersionedFormMixin, forms.ModelForm):
    birth_date = _date_field("出生日期", required=False, help_text="可不填，按身份证号自动生成")
    retired_on = _date_field("离退休日期", required=False)
    gender = forms.ChoiceField(label="性别", choices=[("", "按身份证号")] + Gender.choices, required=False)

    class Meta:
        model = Retiree
        fields = ["name", "id_number", "gender", "birth_date", "ethnicity", "retirement_kind", "retired_on",
                  "organization", "former_unit", "former_post", "rank", "phone", "address", "community", "health",
                  "mobility_impaired", "living", "family_contact", "family_relation", "family_phone", "specialties",
                  "service_needs", "photo", "note"]
        field_classes = {"organization": OrgChoiceField}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"id_number": "18位，末位可为X；全角数字和小写x会自动转换",
                      "specialties": "如：书法、摄影、文艺（学习台账）",
                      "service_needs": "如：助医、上门理发、送学上门"}
        error_messages = {
            "name": {"required": "请填写姓名"},
            "id_number": {"required": "请填写身份证号", "unique": "该身份证号已在名册中登记，请勿重复录入"},
            "retirement_kind": {"required": "请选择离休或退休"},
            "organization": {"required": "请选择服务管理组织", "invalid_choice": "只能选择您有权管理的组织"},
        }

    # Shown masked on an existing record until revealed (查看完整号码, logged); submitting the masked text
    # unchanged keeps the stored value, so the mask never overwrites the real number.
    MASKED_FIELDS = {"id_number": idcard.mask, "phone": idcard.mask_phone, "family_phone": idcard.mask_phone}

    def __init__(self, *args, user, reveal: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.revealed = reveal
        if self.instance.pk:
            # The birth date follows from the ID number (and would give back what its mask hides).
            del self.fields["birth_date"]
            if not can(user, "unmask", self.instance):
                # Nor is the retirement date shown to whoever may not reveal: it falls in the month after
                # a statutory birthday. Left out of the form, it keeps its stored value.
                del self.fields["retired_on"]
            if not reveal:
                for name, mask in self.MASKED_FIELDS.items():
                    if not getattr(self.instance, name):
                        continue
                    self.initial[name] = mask(getattr(self.instance, name))
                    self.fields[name].widget.attrs["data-masked"] = "1"
                    self.fields[name].help_text = "带 * 号的部分已隐藏：不改请保持原样；要改请删去后填写完整号码"
        self.fields["organization"].queryset = restrict(Organization.objects.active(), user, "change").order_by("path")
        self.fields["organization"].empty_label = "请选择"
        self.fields["retirement_kind"].choices = [("", "请选择")] + RetirementKind.choices
        self.fields["photo"].help_text = f"JPG、PNG 或 WebP，不超过 {self.photo_max_mb()} MB"
        self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        self.fields["photo"].error_messages["invalid_image"] = "请上传照片文件（JPG、PNG 或 WebP），该文件不是有效的图片"

    @staticmethod
    def photo_max_mb() -> int:
        return settings.CHANGQING.get("PHOTO_MAX_MB", 5)

    def clean_name(self):
        name = "".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise ValidationError("姓名至少两个字")
        if re.search(r"[0-9!@#$%^&*()_+=<>?/\\|]", name):
            raise ValidationError("姓名不能包含数字或符号")
        return name

    def _kept(self, name: str) -> str | None:
        """The stored value when the field came back as its own mask (not revealed, not changed)."""
        stored = getattr(self.instance, name, "") if self.instance.pk else ""
        submitted = "".join((self.cleaned_data.get(name) or "").split())
        if stored and submitted == self.MASKED_FIELDS[name](stored):
            return stored
        return None

    def clean_id_number(self):
        if (kept := self._kept("id_number")) is not None:
            self.parsed_id = idcard.parse(kept)
            return kept
        if "*" in self.cleaned_data["id_number"]:
            raise ValidationError(MASKED_EDITED)
        try:
            parsed = idcard.parse(self.cleaned_data["id_number"])
        except idcard.IdNumberError as exc:
            raise ValidationError(str(exc)) from None
        if parsed.birth_date > timezone.localdate():
            raise ValidationError("身份证号中的出生日期晚于今天")
        others = Retiree.objects.filter(id_number=parsed.value)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError("该身份证号已在名册中登记，请勿重复录入")
        self.parsed_id = parsed
        return parsed.value

    def clean_phone(self):
        kept = self._kept("phone")
        return kept if kept is not None else _clean_phone(self.cleaned_data.get("phone", ""))

    def clean_family_phone(self):
        kept = self._kept("family_phone")
        return kept if kept is not None else _clean_phone(self.cleaned_data.get("family_phone", ""))

    def clean_retired_on(self):
        return _not_future(self.cleaned_data.get("retired_on"), "离退休日期")

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or photo == getattr(self.instance, "photo", None):
            return photo
        limit = self.photo_max_mb()
        if photo.size > limit * 1024 * 1024:
            raise ValidationError(f"照片不能超过 {limit} MB（当前约 {photo.size / 1024 / 1024:.1f} MB）")
        image = getattr(photo, "image", None)
        fmt = getattr(image, "format", None)
        if fmt not in PHOTO_TYPES:
            raise ValidationError("照片只能是 JPG、PNG 或 WebP 格式")
        return photo

    def clean(self):
        data = super().clean()
        parsed = getattr(self, "parsed_id", None)
        if parsed is None:
            return data
        if not data.get("gender"):
            data["gender"] = parsed.gender
        elif data["gender"] != parsed.gender:
            self.add_error("gender", f"性别与身份证号不一致（身份证号第17位表示{'男' if parsed.gender == 'male' else '女'}）")
        if not data.get("birth_date") and "birth_date" not in self.errors:
            data["birth_date"] = parsed.birth_date
        elif data.get("birth_date") and data["birth_date"] != parsed.birth_date:
            self.add_error("birth_date", f"出生日期与身份证号不一致（身份证号为 {parsed.birth_date:%Y-%m-%d}）")
        birth = parsed.birth_date
        retired_on = data.get("retired_on")
        if retired_on and retired_on.year - birth.year < 30:
            self.add_error("retired_on", "离退休日期与出生日期不符：不满30岁离退休不合常理")
        if data.get("retirement_kind") == RetirementKind.LIXIU and birth >= FOUNDING:
            self.add_error("retirement_kind", "离休干部须在1949年10月1日前参加革命工作，此人出生于其后，应为退休")
        if self.instance.pk and self.instance.deceased_on and self.instance.deceased_on < birth:
            self.add_error("id_number", "出生日期晚于已登记的去世日期")
        return data

    def _post_clean(self):
        if self.errors:
            return  # already explained beside the fields; the model's clean would repeat it
        # gender and birth date may come from the ID number, after the field-level cleaning.
        for name in ("gender", "birth_date"):
            if name in self.cleaned_data:
                setattr(self.instance, name, self.cleaned_data[name])
        super()._post_clean()


class MembershipForm(forms.Form):
    """登记为党员: the branch, status and dates of a person's party membership."""

    organization = OrgChoiceField(label="所在党组织", queryset=Organization.objects.none(), empty_label="请选择",
                                  error_messages={"required": "请选择所在党组织",
                                                  "invalid_choice": "只能选择您有权管理的党组织"})
    status = forms.ChoiceField(label="党员类别", choices=MembershipStatus.choices,
                               error_messages={"required": "请选择正式党员或预备党员"})
    joined_on = _date_field("入党日期")
    full_on = _date_field("转正日期", required=False, help_text="正式党员必填；预备党员留空，转正时在台账中办理")
    registered_on = _date_field("在本组织登记日期", required=False, help_text="不填则按入党日期")
    joined_org_name = forms.CharField(label="入党时所在党组织", max_length=100, required=False)

    def __init__(self, *args, user, retiree: Retiree, **kwargs):
        super().__init__(*args, **kwargs)
        self.retiree = retiree
        self.fields["organization"].queryset = holding_orgs(user)
        self.fields["joined_on"].error_messages["required"] = "请填写入党日期"

    def clean(self):
        data = super().clean()
        check_party_dates(self, self.retiree, data.get("status"), data.get("joined_on"), data.get("full_on"))
        registered = data.get("registered_on")
        if registered and data.get("joined_on") and registered < data["joined_on"]:
            self.add_error("registered_on", "登记日期不能早于入党日期")
        elif registered:
            try:
                _not_future(registered, "登记日期")
            except ValidationError as exc:
                self.add_error("registered_on", exc)
        return data


def check_party_dates(form, retiree: Retiree, status, joined_on, full_on, joined_field="joined_on",
                      full_field="full_on"):
    """A party member's dates must be possible for that person (DOMAIN.md §2, issue 3).

    The messages name no birth date or age: a role that may not reveal the ID number edits these
    forms too (a liaison), and the birth date is what its mask hides (core.masking)."""
    today = timezone.localdate()
    birth = retiree.birth_date
    if joined_on:
        age = joined_on.year - birth.year - ((joined_on.month, joined_on.day) < (birth.month, birth.day))
        if joined_on > today:
            form.add_error(joined_field, "入党日期不能晚于今天")
        elif joined_on < birth:
            form.add_error(joined_field, "入党日期早于出生日期")
        elif age < 18:
            form.add_error(joined_field, "入党时不满18周岁（按身份证号上的出生日期）")
        elif joined_on < dt.date(1921, 7, 1):
            form.add_error(joined_field, "入党日期不能早于1921年7月1日")
        elif retiree.deceased_on and joined_on > retiree.deceased_on:
            form.add_error(joined_field, "入党日期晚于去世日期")
    if status == MembershipStatus.FULL and not full_on:
        form.add_error(full_field, "正式党员需填写转正日期")
    if status == MembershipStatus.PROBATIONARY and full_on:
        form.add_error(full_field, "预备党员尚未转正，转正日期请留空")
    if full_on and joined_on:
        if full_on <= joined_on:
            form.add_error(full_field, "转正日期应晚于入党日期")
        elif full_on > today:
            form.add_error(full_field, "转正日期不能晚于今天")
        elif (full_on - joined_on).days > 3 * 366:
            form.add_error(full_field, "预备期一般为一年，最长延长一年；转正日期距入党日期超过三年，请核对")


class MembershipEditForm(VersionedFormMixin, forms.ModelForm):
    """Correct the dates of a membership; status, branch and state change through their own actions."""

    joined_on = _date_field("入党日期")
    full_on = _date_field("转正日期", required=False)

    class Meta:
        model = Membership
        fields = ["joined_on", "full_on", "joined_org_name"]

    def clean(self):
        data = super().clean()
        check_party_dates(self, self.instance.retiree, self.instance.status, data.get("joined_on"), data.get("full_on"))
        return data

    def _post_clean(self):
        if self.errors:
            return  # the checks above already explain; the model's own clean would repeat them
        super()._post_clean()


class MakeFullForm(forms.Form):
    on = _date_field("转正日期", help_text="支部大会讨论通过、上级党组织批准的日期")


class DeathForm(forms.Form):
    on = _date_field("去世日期")
    note = forms.CharField(label="说明", max_length=200, required=False)


class LeaveForm(forms.Form):
    on = _date_field("日期")
    note = forms.CharField(label="支部党员大会决定", max_length=200,
                           error_messages={"required": "请写明支部党员大会的决定"})


class MoveForm(forms.Form):
    to_org = OrgChoiceField(label="转入党组织", queryset=Organization.objects.none(), empty_label="请选择",
                            error_messages={"required": "请选择转入的党组织",
                                            "invalid_choice": "只能选择您有权管理的党组织"})
    on = _date_field("转接日期")
    letter_no = forms.CharField(label="介绍信编号", max_length=50, required=False)
    reason = forms.CharField(label="转接原因", max_length=200, error_messages={"required": "请填写转接原因"},
                             help_text="如：居住地变化、支部合并")

    def __init__(self, *args, user, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = holding_orgs(user).exclude(pk=membership.organization_id)


class TransferOutForm(forms.Form):
    to_name = forms.CharField(label="转往党组织", max_length=100, error_messages={"required": "请填写转往的党组织名称"},
                              help_text="辖区外党组织的全称")
    on = _date_field("转出日期")
    letter_no = forms.CharField(label="介绍信编号", max_length=50, required=False)
    letter_on = _date_field("介绍信开具日期", required=False)
    reason = forms.CharField(label="转出原因", max_length=200, required=False)


class TransferInForm(forms.Form):
    to_org = OrgChoiceField(label="转入党组织", queryset=Organization.objects.none(), empty_label="请选择",
                            error_messages={"required": "请选择转入的党组织",
                                            "invalid_choice": "只能选择您有权管理的党组织"})
    from_name = forms.CharField(label="原所在党组织", max_length=100,
                                error_messages={"required": "请填写转出的党组织名称"})
    on = _date_field("转入日期")
    letter_no = forms.CharField(label="介绍信编号", max_length=50, required=False)
    letter_on = _date_field("介绍信开具日期", required=False)
    reason = forms.CharField(label="转入原因", max_length=200, required=False)
    status = forms.ChoiceField(label="党员类别", choices=MembershipStatus.choices, required=False,
                               help_text="首次转入辖区时填写")
    joined_on = _date_field("入党日期", required=False, help_text="首次转入辖区时填写")
    full_on = _date_field("转正日期", required=False)

    def __init__(self, *args, user, retiree: Retiree, **kwargs):
        super().__init__(*args, **kwargs)
        self.retiree = retiree
        self.fields["to_org"].queryset = holding_orgs(user)
        self.first_time = not Membership.objects.filter(retiree=retiree).exists()
        if not self.first_time:
            for name in ("status", "joined_on", "full_on"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.first_time:
            if not data.get("joined_on") and "joined_on" not in self.errors:
                self.add_error("joined_on", "首次转入请填写入党日期")
            if not data.get("status"):
                self.add_error("status", "首次转入请选择党员类别")
            check_party_dates(self, self.retiree, data.get("status"), data.get("joined_on"), data.get("full_on"))
        return data


class AbsenceForm(VersionedFormMixin, forms.ModelForm):
    start_on = _date_field("外出日期")
    expected_end_on = _date_field("预计返回日期", required=False, help_text="用于判断是否将超过规定期限")
    end_on = _date_field("返回日期", required=False, help_text="已返回时填写")
    host_since = _date_field("转临时组织关系日期", required=False)
    last_report_on = _date_field("最近向支部报告日期", required=False)

    class Meta:
        model = Absence
        fields = ["start_on", "expected_end_on", "end_on", "place", "reason", "contact_phone", "host_org_name",
                  "host_since", "last_report_on"]
        error_messages = {"place": {"required": "请填写外出地点"}}
        help_texts = {"place": "如：海南省三亚市", "host_org_name": "外出超过规定期限时，接收临时组织关系的党组织"}

    def __init__(self, *args, retiree: Retiree, **kwargs):
        super().__init__(*args, **kwargs)
        self.retiree = retiree
        self.instance.retiree = retiree
        self.fields["start_on"].error_messages["required"] = "请填写外出日期"

    def clean_contact_phone(self):
        return _clean_phone(self.cleaned_data.get("contact_phone", ""))

    def clean_end_on(self):
        return _not_future(self.cleaned_data.get("end_on"), "返回日期")

    def clean_last_report_on(self):
        return _not_future(self.cleaned_data.get("last_report_on"), "报告日期")

    def clean_host_since(self):
        return _not_future(self.cleaned_data.get("host_since"), "转临时组织关系日期")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_on"), data.get("end_on")
        if start:
            if start < self.retiree.birth_date:
                self.add_error("start_on", "外出日期早于出生日期")
            if self.retiree.deceased_on and start > self.retiree.deceased_on:
                self.add_error("start_on", "外出日期晚于去世日期")
            report = data.get("last_report_on")
            if report and report < start:
                self.add_error("last_report_on", "报告日期不能早于外出日期")
            overlapping = self.retiree.absences.exclude(pk=self.instance.pk).filter(start_on__lte=end or dt.date.max)
            for other in overlapping:
                other_end = other.end_on or dt.date.max
                if other_end >= start:
                    until = f"{other.end_on:%Y年%m月%d日}" if other.end_on else "尚未返回"
                    self.add_error("start_on", f"与已有外出记录（{other.start_on:%Y年%m月%d日}—{until}，{other.place}）时间重叠")
                    break
        return data


class AbsenceRuleForm(PolicyValuesForm):
    """Kind "members.absence": what a stay away needs (DOMAIN.md §6); defaults from seed 000 篇6."""

    limit_months = forms.IntegerField(
        label="长期外出的界限（月）", min_value=1, max_value=24,
        help_text="默认 6 个月（党章和组织部规定）",
        error_messages={"required": "请填写月数", "invalid": "请填写整数月数", "min_value": "至少1个月",
                        "max_value": "不超过24个月"})
    exact_limit_is_long = forms.BooleanField(
        label="正好满界限时算长期外出", required=False,
        help_text="默认：算（外出正好六个月即按长期外出办理，即“满六个月”）；不勾选则超过六个月才算")
    long_stay = forms.ChoiceField(label="长期外出应当", choices=list(rules.LONG_STAY_ACTIONS.items()),
                                  help_text="默认：转临时组织关系（篇6 离退休党员的做法）")
    short_stay = forms.ChoiceField(label="短期外出应当", choices=list(rules.SHORT_STAY_ACTIONS.items()),
                                   help_text="默认：向支部说明情况并按时报告")
    warn_before_days = forms.IntegerField(label="满界限前提前提醒（天）", min_value=0, max_value=180,
                                          error_messages={"required": "请填写天数", "invalid": "请填写整数天数",
                                                          "min_value": "不能为负数", "max_value": "不超过180天"})
    report_every_days = forms.IntegerField(label="外出期间每隔多少天报告一次", min_value=1, max_value=365,
                                           error_messages={"required": "请填写天数", "invalid": "请填写整数天数",
                                                           "min_value": "至少1天", "max_value": "不超过365天"})
