from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from changqing.core import idcard
from changqing.core.conflicts import VersionedFormMixin
from changqing.core.scope import restrict
from changqing.core.widgets import DateInput
from changqing.members.forms import PHONE_MESSAGE, PHONE_RE
from changqing.members.models import Living, Retiree
from changqing.policies.forms import PolicyValuesForm

from . import rules
from .models import (
    codes, join_codes, Chronic, DeathCause, HealthProfile, HospitalStay, LivingElsewhere, SilverTalent, Specialty,
)

DATE_INVALID = {"invalid": "请填写正确的日期，如 2026-11-20"}


def _date(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, widget=DateInput, help_text=help_text,
                           error_messages={**DATE_INVALID, "required": f"请填写{label}"})


def clean_phone(value: str) -> str:
    value = idcard.normalize(value).replace("－", "-") if value else ""
    if value and not PHONE_RE.match(value):
        raise ValidationError(PHONE_MESSAGE)
    return value


def _retiree_field(user):
    field = forms.ModelChoiceField(label="老同志", queryset=restrict(
        Retiree.objects.filter(status="alive"), user, "change").select_related("organization"),
        error_messages={"required": "请选择老同志", "invalid_choice": "只能选择您负责的在世老同志"})
    field.label_from_instance = lambda r: f"{r.name}（{r.organization.name}）"
    return field


class StayForm(VersionedFormMixin, forms.ModelForm):
    admitted_on = _date("入院日期")
    discharged_on = _date("出院日期", required=False, help_text="尚未出院请留空，出院后再补填")

    class Meta:
        model = HospitalStay
        fields = ["retiree", "hospital", "ward", "reason", "admitted_on", "discharged_on", "note"]
        error_messages = {"hospital": {"required": "请填写医院"}}
        help_texts = {"hospital": "如：县人民医院", "ward": "如：心内科3病区"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["retiree"]
        else:
            self.fields["retiree"] = _retiree_field(user)

    def clean_admitted_on(self):
        value = self.cleaned_data.get("admitted_on")
        if value and value > timezone.localdate():
            raise ValidationError("入院日期不能晚于今天")
        return value


class DeathForm(forms.Form):
    died_on = _date("去世日期")
    cause = forms.ChoiceField(label="原因类别（可不填）", choices=[("", "不填")] + DeathCause.choices, required=False)
    reported_by = forms.CharField(label="报告人", max_length=50, help_text="谁告知的去世消息，如：儿子王某、社区",
                                  error_messages={"required": "请填写报告人（谁告知的去世消息）"})
    note = forms.CharField(label="说明", max_length=200, required=False)


class ReverseForm(forms.Form):
    reason = forms.CharField(label="撤销原因", max_length=200, help_text="如：误报，本人健在",
                             error_messages={"required": "请写明撤销原因（如：误报）"})


class ChecklistDoneForm(forms.Form):
    done_on = _date("完成日期")
    note = forms.CharField(label="办理情况", max_length=200, required=False)


class ProfileForm(VersionedFormMixin, forms.ModelForm):
    chronic = forms.MultipleChoiceField(label="慢性病类别", choices=Chronic.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple, help_text="只记类别，不记诊断",
                                        error_messages={"invalid_choice": "请从列出的类别中选择"})
    living = forms.ChoiceField(label="居住情况", choices=Living.choices,
                               error_messages={"invalid_choice": "请选择居住情况"})

    class Meta:
        model = HealthProfile
        fields = ["contract_hospital", "mobility", "chronic", "emergency_name", "emergency_relation",
                  "emergency_phone"]
        help_texts = {"contract_hospital": "医保定点的合同医院", "emergency_relation": "如：儿子、女儿、侄子"}

    def __init__(self, *args, retiree: Retiree, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.retiree = retiree
        self.fields["living"].initial = retiree.living
        self.initial["chronic"] = codes(self.instance.chronic)
        order = ["contract_hospital", "mobility", "chronic", "living"]
        self.order_fields(order)

    def clean_chronic(self):
        return join_codes(self.cleaned_data.get("chronic"))

    def clean_emergency_phone(self):
        return clean_phone(self.cleaned_data.get("emergency_phone", ""))

    def clean(self):
        data = super().clean()
        if data.get("emergency_phone") and not data.get("emergency_name"):
            self.add_error("emergency_name", "填写了紧急联系人电话，请同时填写联系人姓名")
        return data


class TalentForm(VersionedFormMixin, forms.ModelForm):
    specialties = forms.MultipleChoiceField(label="专长类别", choices=Specialty.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple,
                                            error_messages={"invalid_choice": "请从列出的专长中选择"})

    class Meta:
        model = SilverTalent
        fields = ["retiree", "specialties", "specialty_note", "past_profession", "willing", "availability"]
        help_texts = {"specialty_note": "如：擅长楷书、能讲解党史", "past_profession": "如：中学语文教师、内科医生"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["retiree"]
        else:
            self.fields["retiree"] = _retiree_field(user)
        self.initial["specialties"] = codes(self.instance.specialties)

    def clean_specialties(self):
        return join_codes(self.cleaned_data.get("specialties"))

    def clean_retiree(self):
        retiree = self.cleaned_data["retiree"]
        if SilverTalent.objects.filter(retiree=retiree).exists():
            raise ValidationError(f"{retiree.name}已在人才库中，请在人才库列表中修改")
        return retiree


class ElsewhereForm(VersionedFormMixin, forms.ModelForm):
    start_on = _date("起始日期")
    end_on = _date("结束日期", required=False, help_text="长期居住可不填")

    class Meta:
        model = LivingElsewhere
        fields = ["retiree", "start_on", "end_on", "place", "host_org_name", "host_contact", "host_phone",
                  "arrangement", "host_confirms", "note"]
        error_messages = {"place": {"required": "请填写居住地"}}
        help_texts = {"place": "如：广东省深圳市南山区（随子女居住）",
                      "host_org_name": "当地接收或联系的党组织、社区", "arrangement": "转临时组织关系，或定期向本支部报告"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["retiree"]
        else:
            self.fields["retiree"] = _retiree_field(user)

    def clean_host_phone(self):
        return clean_phone(self.cleaned_data.get("host_phone", ""))


class LifeEventsPolicyForm(PolicyValuesForm):
    """The values of the `lifeevents` policy kind, with the defaults named in the help texts."""

    visit_days = forms.IntegerField(label="住院后几天内探望", min_value=0, max_value=30,
                                    help_text="默认 3 天", error_messages={"required": "请填写天数"})
    long_stay_days = forms.IntegerField(label="住院超过几天提高关怀等级", min_value=1, max_value=365,
                                        help_text="默认 30 天", error_messages={"required": "请填写天数"})
    repeat_count = forms.IntegerField(label="一段时间内第几次住院提高关怀等级", min_value=2, max_value=20,
                                      help_text="默认 3 次", error_messages={"required": "请填写次数"})
    repeat_months = forms.IntegerField(label="统计住院次数的月数", min_value=1, max_value=36,
                                       help_text="默认 12 个月", error_messages={"required": "请填写月数"})
    steps = forms.CharField(label="去世后支部办理事项", widget=forms.Textarea(attrs={"rows": 5}),
                            help_text="每行一项：事项|几天内办|负责角色（支部书记、服务专员、老干部局）。"
                                      "默认：慰问家属|3|支部书记；送别/追思|7|支部书记；抚恤金与遗属补助申请|30|老干部局；档案移交|60|老干部局",
                            error_messages={"required": "请至少填写一个事项"})

    def clean_steps(self):
        try:
            return rules.parse_steps(self.cleaned_data["steps"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    @classmethod
    def initial_for(cls, values: dict) -> dict:
        v = {**rules.DEFAULTS, **(values or {})}
        return {**v, "steps": rules.steps_text(v["steps"])}

    @classmethod
    def describe(cls, values: dict) -> list[tuple[str, str]]:
        v = {**rules.DEFAULTS, **(values or {})}
        return [("住院后探望期限", f"{v['visit_days']} 天内"),
                ("提高关怀等级", f"住院超过 {v['long_stay_days']} 天，或 {v['repeat_months']} 个月内第 {v['repeat_count']} 次住院"),
                ("去世后办理事项", "；".join(f"{s[0]}（{s[1]}天内，{rules.ROLE_LABELS.get(s[2], s[2])}）"
                                           for s in v["steps"]))]
