from django import forms
from django.db.models import Q
from django.utils import timezone

from changqing.core.conflicts import VersionedFormMixin
from changqing.members.picker import person_picker
from changqing.core.scope import restrict
from changqing.core.widgets import DateInput, MonthInput
from changqing.policies.forms import PolicyValuesForm

from .models import (
    AttendanceStatus, Meeting, MeetingKind, MeetingState, Period, Ruleset, StudyMode, StudyRecord, WorkList,
    WorkListKind,
)
from .services import AttendanceEntry, attendance_errors


class MeetingForm(VersionedFormMixin, forms.ModelForm):
    kind = forms.ModelChoiceField(MeetingKind.objects.all(), label="会议类型", empty_label=None,
                                  widget=forms.RadioSelect(attrs={"class": "kind-choice"}),
                                  error_messages={"required": "请选择会议类型", "invalid_choice": "请选择会议类型"})

    class Meta:
        model = Meeting
        fields = ["kind", "held_on", "start_time", "topic", "place", "host", "recorder", "minutes", "resolutions",
                  "votes_for", "votes_against", "votes_abstain"]
        widgets = {"held_on": DateInput(), "start_time": forms.TimeInput(attrs={"type": "time"}),
                   "minutes": forms.Textarea(attrs={"rows": 4}), "resolutions": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"held_on": {"required": "请填写会议日期", "invalid": "日期格式不对，例如 2026-11-24"},
                          "topic": {"required": "请填写会议主题"}}

    def __init__(self, *args, members=(), away=(), deliverer="", **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.fields["held_on"].initial = timezone.localdate()
        self.fields["held_on"].label = "会议日期"
        self.rows = []
        # Members who cannot come (immobile, bedridden) or are away (an open Absence) do not default to 出席:
        # they default to 请假 with the reason filled in, the form suggests 送学上门 for them, and saving one
        # of them as 出席 asks for a confirmation beside their name.
        self.flags = {}
        for m in self.members:
            if m.retiree.mobility_impaired or m.retiree.health == "bedridden":
                self.flags[m.pk] = "行动不便" if m.retiree.mobility_impaired else "卧床"
            elif m.pk in set(away):
                self.flags[m.pk] = "外出"
        for m in self.members:
            mid = m.pk
            flag = self.flags.get(mid)
            self.fields[f"att_{mid}"] = forms.ChoiceField(choices=AttendanceStatus.choices,
                                                          initial="excused" if flag else "present",
                                                          widget=forms.RadioSelect, required=False)
            for name, label, n in (("reason", "请假事由", 100), ("deliverer", "送学人", 50),
                                   ("material", "送学内容", 200), ("feedback", "党员反馈", 300)):
                self.fields[f"{name}_{mid}"] = forms.CharField(label=label, max_length=n, required=False)
            if flag:
                self.fields[f"reason_{mid}"].initial = flag
                self.fields[f"deliverer_{mid}"].initial = deliverer
                self.fields[f"confirm_{mid}"] = forms.BooleanField(label=f"确认{m.retiree.name}本人到会",
                                                                   required=False)

    def member_rows(self):
        """Per member: the status radios and the detail fields, for the template."""
        from django.urls import reverse

        out = []
        for m in self.members:
            mid = m.pk
            flag = self.flags.get(mid)
            out.append({"member": m, "status": self[f"att_{mid}"],
                        "reason": self[f"reason_{mid}"], "deliverer": self[f"deliverer_{mid}"],
                        "material": self[f"material_{mid}"], "feedback": self[f"feedback_{mid}"],
                        "immobile": m.retiree.mobility_impaired or m.retiree.health == "bedridden",
                        "flag": flag, "confirm": self[f"confirm_{mid}"] if flag else None,
                        "ask_confirm": bool(flag) and bool(self.errors.get(f"att_{mid}")) if self.is_bound else False,
                        "delivery_url": f"{reverse('life:study_create')}?membership={mid}&mode=home_delivery"
                        if flag else ""})
        return out

    def attendance(self) -> list[AttendanceEntry]:
        return self._entries

    def clean_held_on(self):
        d = self.cleaned_data["held_on"]
        if d and d > timezone.localdate():
            raise forms.ValidationError("会议日期不能晚于今天")
        return d

    def clean(self):
        data = super().clean()
        self._entries = []
        for m in self.members:
            mid = m.pk
            flag = self.flags.get(mid)
            status = data.get(f"att_{mid}") or ("excused" if flag else "present")
            material = data.get(f"material_{mid}", "")
            if status == AttendanceStatus.HOME_DELIVERY and not material.strip() and data.get("topic"):
                material = f"本次会议内容：{data['topic']}"[:200]  # one tap: what was delivered is the meeting
            reason, deliverer = data.get(f"reason_{mid}", ""), data.get(f"deliverer_{mid}", "")
            if flag:  # the pre-filled reason and deliverer belong only to the status they were filled for
                reason = reason if status == AttendanceStatus.EXCUSED else ""
                deliverer = deliverer if status == AttendanceStatus.HOME_DELIVERY else ""
            e = AttendanceEntry(membership_id=mid, status=status, reason=reason, deliverer=deliverer,
                                material=material, feedback=data.get(f"feedback_{mid}", ""))
            was_present = self.initial.get(f"att_{mid}") == AttendanceStatus.PRESENT  # an earlier record said so
            if flag and status == AttendanceStatus.PRESENT and not was_present and not data.get(f"confirm_{mid}"):
                self.add_error(f"att_{mid}", f"{m.retiree.name}登记为{flag}：确实本人到会了吗？如确实到会，请勾选下方"
                                             f"“确认{m.retiree.name}本人到会”后再保存；如是送到家中学习，请选“送学上门”。")
            for field, msg in attendance_errors(e).items():
                self.add_error(f"{'att' if field == 'status' else field}_{mid}", f"{m.retiree.name}：{msg}")
            self._entries.append(e)
        for f in ("votes_for", "votes_against", "votes_abstain"):
            if data.get(f) is not None and data[f] > len(self.members):
                self.add_error(f, f"票数不能超过党员人数（{len(self.members)}人）")
        return data


class PlanForm(VersionedFormMixin, forms.ModelForm):
    """A planned meeting: appears on the calendar, becomes a record when held."""

    class Meta:
        model = Meeting
        fields = ["kind", "held_on", "start_time", "topic", "place"]
        widgets = {"held_on": DateInput(), "start_time": forms.TimeInput(attrs={"type": "time"})}
        labels = {"held_on": "计划日期"}
        error_messages = {"held_on": {"required": "请填写计划日期"}, "topic": {"required": "请填写会议主题"}}

    def clean_held_on(self):
        d = self.cleaned_data["held_on"]
        if d and d < timezone.localdate():
            raise forms.ValidationError("计划日期不能早于今天；已开过的会请直接记录")
        return d

    def save(self, commit=True):
        self.instance.state = MeetingState.PLANNED
        return super().save(commit)


class AttachmentForm(forms.Form):
    file = forms.FileField(label="照片或 PDF（不超过 10 MB）", error_messages={"required": "请选择文件"})
    caption = forms.CharField(label="说明", max_length=100, required=False)


class RulesetCopyForm(forms.Form):
    code = forms.SlugField(label="新规则编码", max_length=40, error_messages={"invalid": "编码只能包含字母、数字、短横线"})
    name = forms.CharField(label="新规则名称", max_length=60)


class RulesetRuleForm(forms.Form):
    kind = forms.ModelChoiceField(MeetingKind.objects.all(), label="会议类型", widget=forms.HiddenInput)
    count = forms.IntegerField(label="至少次数", min_value=0, max_value=31, required=False,
                               error_messages={"min_value": "次数不能为负数", "max_value": "次数太大"})
    period = forms.ChoiceField(choices=Period.choices, label="周期")
    per_member = forms.BooleanField(label="对每名党员", required=False)


RuleFormSet = forms.formset_factory(RulesetRuleForm, extra=0)


class RulesetVersionForm(forms.Form):
    effective_from = forms.DateField(label="生效日期", widget=DateInput())
    due_soon_days = forms.IntegerField(label="提前提醒天数", min_value=0, max_value=90, initial=15)
    note = forms.CharField(label="修订说明", max_length=200, required=False)


class RulesetPolicyForm(PolicyValuesForm):
    """Kind "life.ruleset": the ruleset an organisation and everything under it follows."""

    ruleset = forms.ModelChoiceField(Ruleset.objects.none(), label="适用规则", empty_label=None,
                                     error_messages={"invalid_choice": "请从列表中选择规则"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ruleset"].queryset = visible_rulesets(self.user) if self.user else Ruleset.objects.all()

    @classmethod
    def initial_for(cls, values: dict) -> dict:
        return {"ruleset": values.get("ruleset") or Ruleset.objects.filter(is_fallback=True).values_list(
            "pk", flat=True).first()}

    @classmethod
    def describe(cls, values: dict) -> list[tuple[str, str]]:
        rs = Ruleset.objects.filter(pk=values.get("ruleset")).first() if values.get("ruleset") else None
        return [("适用规则", rs.name if rs else "系统默认规则")]


def visible_rulesets(user):
    """The shipped defaults and the rulesets of the user's jurisdiction."""
    mine = restrict(Ruleset.objects.all(), user).values("pk")
    return Ruleset.objects.filter(Q(owner__isnull=True) | Q(pk__in=mine))


class StudyRecordForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = StudyRecord
        fields = ["membership", "studied_on", "mode", "material_title", "deliverer", "notes", "reflection"]
        widgets = {"studied_on": DateInput()}
        error_messages = {"studied_on": {"required": "请填写学习日期"}, "membership": {"required": "请选择党员"}}

    def __init__(self, *args, memberships=None, **kwargs):
        super().__init__(*args, **kwargs)
        if memberships is not None:
            self.fields["membership"].queryset = memberships
        self.fields["membership"].label_from_instance = lambda m: m.retiree.name
        # 送学上门 is for those who cannot come: the immobile and the bedridden first.
        immobile = self.fields["membership"].queryset.filter(
            Q(retiree__mobility_impaired=True) | Q(retiree__health="bedridden")).values_list("pk", flat=True)
        person_picker(self.fields["membership"], concerned=list(immobile))
        self.fields["mode"].choices = StudyMode.choices

    def clean(self):
        data = super().clean()
        if data.get("mode") == StudyMode.HOME_DELIVERY and not (data.get("deliverer") or "").strip():
            self.add_error("deliverer", "送学上门需填写送学人")
        if data.get("studied_on") and data["studied_on"] > timezone.localdate():
            self.add_error("studied_on", "学习日期不能晚于今天")
        return data


class WorkListForm(VersionedFormMixin, forms.ModelForm):
    items = forms.CharField(label="事项（每行一项：事项｜完成日期，如 召开主题党日｜2026-12-20）", widget=forms.Textarea(attrs={"rows": 6}))

    class Meta:
        model = WorkList
        fields = ["kind", "month", "title"]
        widgets = {"month": MonthInput()}
        error_messages = {"month": {"invalid": "请选择月份"}, "title": {"required": "请填写标题"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = WorkListKind.choices
        self.fields["month"].input_formats = ["%Y-%m", "%Y-%m-%d"]

    def clean_items(self):
        import datetime as dt

        rows = []
        for n, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("|", "｜").split("｜")]
            if len(parts) != 2 or not parts[0]:
                raise forms.ValidationError(f"第{n}行格式不对：应为「事项｜完成日期」")
            try:
                due = dt.date.fromisoformat(parts[1])
            except ValueError:
                raise forms.ValidationError(f"第{n}行的完成日期「{parts[1]}」不是有效日期，例如 2026-12-20") from None
            rows.append((parts[0], due))
        if not rows:
            raise forms.ValidationError("至少填写一项")
        return rows

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)
