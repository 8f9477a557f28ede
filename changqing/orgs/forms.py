from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from changqing.core.conflicts import VersionedFormMixin
from changqing.core.scope import restrict
from changqing.core.widgets import DateInput
from changqing.policies.forms import PolicyValuesForm
from changqing.core.tree import in_subtree

from .models import MAX_JOINT_UNITS, CommitteeForm, JointUnitKind, LiaisonContact, Organization, OrgKind, Zone
from .rules import WIN_BASIS_LABELS, current_rules
from .selectors import rules_for


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError beside the fields it names; the rest above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _today():
    return timezone.localdate()


class OrganizationForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "setup_kind", "nature", "parent", "zone", "established_on",
                  "address", "contact_phone", "term_years"]
        widgets = {"established_on": DateInput()}
        help_texts = {
            "code": "字母、数字、短横线，如 YS-B053；保存时转为大写",
            "parent": "党小组的上级是党支部；党支部的上级是党工委/党委或党总支",
            "term_years": "社区党支部一般5年，其他一般3年",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = restrict(Organization.objects.filter(dissolved_on__isnull=True), user, "manage").exclude(
            kind=OrgKind.GROUP)
        if self.instance.pk:
            parents = parents.exclude(in_subtree(self.instance.path))
            # The parent is changed through 调整隶属关系 so the move is recorded.
            self.fields["parent"].disabled = True
            self.fields["parent"].help_text = "调整上级组织请使用「调整隶属关系」，以便留下记录"
        self.fields["parent"].queryset = parents
        self.fields["parent"].required = not (user is not None and user.is_superuser)
        self.fields["parent"].error_messages["required"] = "请选择上级组织（您管理范围内的组织）"
        self.fields["parent"].error_messages["invalid_choice"] = "所选上级组织不在您的管理范围内或已撤销"
        self.fields["zone"].queryset = restrict(Zone.objects.all(), user, "view")
        if not self.instance.pk:
            # DOMAIN.md §3 rule 4: 5 years for community branches, 3 for the others, unless chosen.
            self.fields["term_years"] = forms.TypedChoiceField(
                label="委员会任期", coerce=int, required=False, empty_value=None,
                choices=[("", "按组建方式（社区5年，其他3年）"), (3, "3年"), (5, "5年")])
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "编码创建后不能修改"

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not self.instance.pk and Organization.objects.filter(code=code).exists():
            raise ValidationError(f"编码 {code} 已被其他组织使用")
        return code

    def clean_term_years(self):
        years = self.cleaned_data.get("term_years")
        if years is None:
            # The term the rules in force above it give (DOMAIN.md §3 rule 4: community 5, others 3, by default).
            parent = self.cleaned_data.get("parent")
            rules = rules_for(parent) if parent is not None else current_rules()
            years = rules.default_term_years(self.data.get(self.add_prefix("setup_kind"), ""))
        return years

    def clean_contact_phone(self):
        phone = self.cleaned_data.get("contact_phone", "").strip()
        if phone and not phone.replace("-", "").isdigit():
            raise ValidationError("电话只能包含数字和短横线")
        return phone

    def clean(self):
        data = super().clean()
        kind, zone = data.get("kind"), data.get("zone")
        if zone is not None and kind not in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH):
            self.add_error("zone", "只有党支部、党总支编入片组")
        parent = data.get("parent")
        if zone is not None and parent is not None and not parent.path.startswith(zone.organization.path):
            self.add_error("zone", f"「{zone.name}」属于{zone.organization.name}，与上级组织不在同一党工委")
        return data


class JointUnitForm(forms.Form):
    name = forms.CharField(label="单位/系统/社区名称", required=False, max_length=100)
    kind = forms.ChoiceField(label="类别", choices=JointUnitKind.choices, required=False)


# One row more than the rule allows, so a sixth unit is refused with the rule's words rather than hidden.
JointUnitFormSet = forms.formset_factory(JointUnitForm, extra=MAX_JOINT_UNITS + 1, max_num=MAX_JOINT_UNITS + 1)


class ZoneForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Zone
        fields = ["code", "name", "organization", "lead_org", "deputy_org"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        manageable = restrict(Organization.objects.filter(dissolved_on__isnull=True), user, "manage")
        self.fields["organization"].queryset = manageable.filter(kind=OrgKind.COMMITTEE)
        branches = manageable.filter(kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH])
        if self.instance.pk:
            branches = branches.filter(zone=self.instance)
            self.fields["code"].disabled = True
        self.fields["lead_org"].queryset = branches
        self.fields["deputy_org"].queryset = branches
        self.fields["lead_org"].help_text = "片组长单位负责召集片组会议，应是本片组的支部"

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not self.instance.pk and Zone.objects.filter(code=code).exists():
            raise ValidationError(f"编码 {code} 已被其他片组使用")
        return code

    def clean(self):
        data = super().clean()
        lead, deputy, root = data.get("lead_org"), data.get("deputy_org"), data.get("organization")
        if lead and deputy and lead == deputy:
            self.add_error("deputy_org", "副片组长单位不能与片组长单位相同")
        for field in ("lead_org", "deputy_org"):
            org = data.get(field)
            if org and root and not org.path.startswith(root.path):
                self.add_error(field, f"「{org.name}」不在{root.name}之下")
        return data


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.retiree.name


class MembershipMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.retiree.name}（{obj.get_status_display()}）"


def _branch_memberships(org):
    from changqing.members.models import Membership

    return Membership.objects.filter(organization=org, state="active").select_related("retiree").order_by(
        "retiree__name_pinyin")


class TermForm(forms.Form):
    start_on = forms.DateField(label="任期开始日期", widget=DateInput())
    years = forms.TypedChoiceField(label="任期", choices=[(3, "3年"), (5, "5年")], coerce=int)
    form = forms.ChoiceField(label="班子形式", choices=CommitteeForm.choices)
    number = forms.IntegerField(label="届次", required=False, min_value=1, max_value=99)
    secretary = MembershipChoiceField(label="书记", queryset=None, empty_label="请选择")
    deputy = MembershipChoiceField(label="副书记", queryset=None, required=False, empty_label="（不设）")
    members = MembershipMultipleField(label="委员", queryset=None, required=False,
                                      widget=forms.CheckboxSelectMultiple, help_text="书记、副书记以外的委员")

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        qs = _branch_memberships(org).filter(status="full")
        for name in ("secretary", "deputy", "members"):
            self.fields[name].queryset = qs
        self.initial.setdefault("years", org.term_years)

    def clean_start_on(self):
        day = self.cleaned_data["start_on"]
        if day > _today():
            raise ValidationError("任期开始日期不能晚于今天")
        return day

    def posts(self):
        from .models import Post

        d = self.cleaned_data
        out = [(d["secretary"], Post.SECRETARY, "")]
        if d.get("deputy"):
            out.append((d["deputy"], Post.DEPUTY, ""))
        out += [(m, Post.MEMBER, "") for m in d.get("members") or []]
        return out


class ElectionForm(forms.Form):
    held_on = forms.DateField(label="选举日期", widget=DateInput())
    seats = forms.IntegerField(label="应选名额", min_value=1, max_value=15)
    due_to_attend = forms.IntegerField(label="应到会人数", min_value=1,
                                       help_text="有选举权的正式党员；经批准不参加的年老体弱、卧床党员可不计入")
    present = forms.IntegerField(label="实到会人数", min_value=0)
    win_basis = forms.ChoiceField(label="当选票数基数", choices=list(WIN_BASIS_LABELS.items()))
    excused_note = forms.CharField(label="经批准不计入应到会的党员", required=False, max_length=200)
    approval_no = forms.CharField(label="上级批复文号", required=False, max_length=50,
                                  help_text="提前或延期换届须经上级党组织批准，填写批复文号和日期")
    approval_on = forms.DateField(label="上级批复日期", required=False, widget=DateInput())
    secretary = MembershipChoiceField(label="书记（当选人中）", queryset=None, required=False, empty_label="请选择")
    deputy = MembershipChoiceField(label="副书记（当选人中）", queryset=None, required=False, empty_label="（不设）")
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        qs = _branch_memberships(org)
        self.fields["secretary"].queryset = qs
        self.fields["deputy"].queryset = qs
        self.initial.setdefault("win_basis", rules_for(org).win_basis)

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day > _today():
            raise ValidationError("选举日期不能晚于今天")
        return day

    BOTTOM = ("secretary", "deputy", "notes")

    def top_fields(self):
        return [self[name] for name in self.fields if name not in self.BOTTOM]

    def bottom_fields(self):
        return [self[name] for name in self.BOTTOM]


class ElectionCorrectForm(forms.Form):
    """Correct a recorded election: the date, head counts, every candidate's votes, with a reason."""

    held_on = forms.DateField(label="选举日期", widget=DateInput())
    due_to_attend = forms.IntegerField(label="应到会人数", min_value=1)
    present = forms.IntegerField(label="实到会人数", min_value=0)
    excused_note = forms.CharField(label="经批准不计入应到会的党员", required=False, max_length=200)
    approval_no = forms.CharField(label="上级批复文号", required=False, max_length=50)
    approval_on = forms.DateField(label="上级批复日期", required=False, widget=DateInput())
    notes = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label="更正原因（必填）", max_length=200, required=False,
                             help_text="必填；写明依据，例如“以选举报告原件为准”。会记入更正记录和变更历史")

    def __init__(self, *args, election, **kwargs):
        self.candidates = list(election.candidates.select_related("membership__retiree").order_by("id"))
        initial = {"held_on": election.held_on, "due_to_attend": election.due_to_attend,
                   "present": election.present, "excused_note": election.excused_note,
                   "approval_no": election.approval_no, "approval_on": election.approval_on,
                   "notes": election.notes}
        initial.update({f"votes_{c.pk}": c.votes for c in self.candidates})
        super().__init__(*args, initial=initial, **kwargs)
        for c in self.candidates:
            self.fields[f"votes_{c.pk}"] = forms.IntegerField(
                label=f"{c.membership.retiree.name} 得票数", min_value=0,
                help_text="当选" if c.elected else "未当选")

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day > _today():
            raise ValidationError("选举日期不能晚于今天")
        return day

    def votes(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"votes_{c.pk}"] for c in self.candidates}


class CandidateForm(forms.Form):
    membership = MembershipChoiceField(label="候选人", queryset=None, required=False, empty_label="—")
    votes = forms.IntegerField(label="得票数", min_value=0, required=False)

    def __init__(self, *args, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = _branch_memberships(org)

    def clean(self):
        d = super().clean()
        if d.get("membership") and d.get("votes") is None:
            self.add_error("votes", "请填写得票数")
        if d.get("votes") is not None and not d.get("membership"):
            self.add_error("membership", "请选择候选人")
        return d


CandidateFormSet = forms.formset_factory(CandidateForm, extra=9, max_num=30)


class LiaisonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    unit = forms.CharField(label="工作单位", max_length=100, help_text="联络员是在职干部")
    post = forms.CharField(label="职务", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20)
    start_on = forms.DateField(label="起始日期", widget=DateInput())
    user = forms.ModelChoiceField(label="系统账号（可选）", queryset=None, required=False, empty_label="（无账号）",
                                  help_text="选择后自动授予该账号本支部的「联络员」角色")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from changqing.accounts.models import User

        self.fields["user"].queryset = restrict(User.objects.filter(is_active=True), user, "manage").order_by("username")
        self.initial.setdefault("start_on", _today())

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone.replace("-", "").isdigit() or len(phone.replace("-", "")) < 7:
            raise ValidationError("请填写有效的电话号码（数字，至少7位）")
        return phone


class LiaisonContactForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = LiaisonContact
        fields = ["contacted_on", "way", "notes"]
        widgets = {"contacted_on": DateInput()}

    def clean_contacted_on(self):
        day = self.cleaned_data["contacted_on"]
        if day > _today():
            raise ValidationError("联系日期不能晚于今天")
        return day


class AssignmentForm(forms.Form):
    name = forms.CharField(label="党工委委员姓名", max_length=50)
    post = forms.CharField(label="党工委职务", max_length=50, required=False, help_text="如 书记、副书记、委员")
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    start_on = forms.DateField(label="起始日期", widget=DateInput())
    user = forms.ModelChoiceField(label="系统账号（可选）", queryset=None, required=False, empty_label="（无账号）",
                                  help_text="选择后自动授予该账号本支部的「党工委委员」角色")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from changqing.accounts.models import User

        self.fields["user"].queryset = restrict(User.objects.filter(is_active=True), user, "manage").order_by("username")
        self.initial.setdefault("start_on", _today())


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="指导日期", widget=DateInput())
    visitor = forms.CharField(label="指导人", max_length=50, required=False, help_text="留空即为联系该支部的党工委委员")
    notes = forms.CharField(label="指导内容", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > _today():
            raise ValidationError("指导日期不能晚于今天")
        return day


class RestructureBase(forms.Form):
    on = forms.DateField(label="调整日期", widget=DateInput())
    reason = forms.CharField(label="原因", max_length=200)
    letter_no = forms.CharField(label="批复文号", max_length=50, required=False)

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day > _today():
            raise ValidationError("调整日期不能晚于今天")
        return day


class MergeForm(RestructureBase):
    field_order = ["sources", "on", "reason", "letter_no"]
    sources = forms.ModelMultipleChoiceField(label="并入本支部的党支部", queryset=None,
                                             widget=forms.CheckboxSelectMultiple,
                                             help_text="所选支部的党员转入本支部，原支部标记为撤销（记录保留）")

    def __init__(self, *args, org, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sources"].queryset = restrict(
            Organization.objects.filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True), user, "manage").exclude(
            pk=org.pk).order_by("path")
        self.fields["sources"].error_messages["invalid_choice"] = "所选支部不在您的管理范围内或已撤销"


class SplitForm(RestructureBase):
    field_order = ["code", "name", "setup_kind", "memberships", "on", "reason", "letter_no"]
    code = forms.CharField(label="新支部编码", max_length=32)
    name = forms.CharField(label="新支部名称", max_length=100)
    setup_kind = forms.ChoiceField(label="组建方式", choices=Organization._meta.get_field("setup_kind").choices)
    memberships = MembershipMultipleField(label="转入新支部的党员", queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["memberships"].queryset = _branch_memberships(org)
        self.initial.setdefault("setup_kind", org.setup_kind)

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if Organization.objects.filter(code=code).exists():
            raise ValidationError(f"编码 {code} 已被其他组织使用")
        return code


class MoveForm(RestructureBase):
    field_order = ["new_parent", "on", "reason", "letter_no"]
    new_parent = forms.ModelChoiceField(label="新上级组织", queryset=None)

    def __init__(self, *args, org, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = restrict(
            Organization.objects.filter(dissolved_on__isnull=True), user, "manage").exclude(
            in_subtree(org.path)).exclude(kind=OrgKind.GROUP).order_by("path")
        self.fields["new_parent"].error_messages["invalid_choice"] = "所选组织不在您的管理范围内或已撤销"


def _count(label, low=0, high=1000, **kw):
    return forms.IntegerField(label=label, min_value=low, max_value=high, error_messages={
        "required": "请填写人数或次数", "invalid": "请填写整数",
        "min_value": f"不能小于{low}", "max_value": f"不能大于{high}"}, **kw)


class OrgRulesForm(PolicyValuesForm):
    """Kind "orgs.thresholds": branch size, committee size, term length, election and contact rules."""

    min_full_members = _count("支部至少正式党员（人）", 1, 50, help_text="《支部工作条例》第四条：3人以上")
    max_members = _count("支部党员一般不超过（人）", 3, 500)
    committee_from_full_members = _count("正式党员达到多少人应设支部委员会", 1, 100)
    committee_min_size = _count("支部委员会至少（人）", 1, 15)
    committee_usual_max_size = _count("支部委员会一般不超过（人）", 1, 15,
                                      help_text="《支部工作条例》：一般3至5人，最多不超过7人；超过此数保存时提醒")
    committee_max_size = _count("支部委员会至多（人）", 1, 15)
    term_years = forms.TypedChoiceField(label="委员会任期（年）", coerce=int, choices=[(3, "3年"), (5, "5年")])
    community_term_years = forms.TypedChoiceField(label="社区党支部委员会任期（年）", coerce=int,
                                                  choices=[(3, "3年"), (5, "5年")])
    term_alert_days = forms.CharField(label="任期届满前提醒（天）", help_text="用逗号分隔，如 90,30")
    candidate_ratio = forms.DecimalField(label="候选人数不少于应选人数的（倍）", min_value=1, max_value=3,
                                         decimal_places=2, error_messages={"invalid": "请填写数字，如 1.2",
                                                                           "min_value": "不能小于1倍",
                                                                           "max_value": "不能大于3倍"})
    quorum_numerator = _count("选举有效：到会超过应到会的（分子）", 1, 10)
    quorum_denominator = _count("选举有效：到会超过应到会的（分母）", 1, 10)
    win_basis = forms.ChoiceField(label="当选票数基数", choices=list(WIN_BASIS_LABELS.items()))
    election_grace_days = _count("换届日期与任期届满日相差几天内不算提前或延期", 0, 90,
                                 help_text="《选举工作条例》第三条：届满按期换届，默认0天；超过即须上级批复")
    election_helper_months = _count("任期届满前几个月起提示换届选举助手", 1, 24, help_text="默认6个月")
    liaison_contacts_per_month = _count("联络员每月至少联系（次）", 0, 31)
    committee_visits_per_year = _count("党工委委员每年至少到支部（次）", 0, 52)

    def clean_term_alert_days(self):
        try:
            days = sorted({int(x) for x in self.cleaned_data["term_alert_days"].replace("，", ",").split(",")
                           if x.strip()}, reverse=True)
        except ValueError:
            raise ValidationError("请填写整数天数，用逗号分隔，如 90,30") from None
        if not days or days[-1] < 1 or days[0] > 365:
            raise ValidationError("提醒天数应在1到365之间")
        return days

    def clean(self):
        data = super().clean()
        low, high = data.get("committee_min_size"), data.get("committee_max_size")
        if low and high and low > high:
            self.add_error("committee_max_size", "至多人数不能少于至少人数")
        usual = data.get("committee_usual_max_size")
        if usual and high and low and not low <= usual <= high:
            self.add_error("committee_usual_max_size", "一般人数应在至少人数和至多人数之间")
        num, den = data.get("quorum_numerator"), data.get("quorum_denominator")
        if num and den and num >= den:
            self.add_error("quorum_denominator", "分母应大于分子，如 4/5")
        return data

    @classmethod
    def initial_for(cls, values: dict) -> dict:
        return {**values, "term_alert_days": ",".join(str(d) for d in values.get("term_alert_days", []))}
