from django import forms
from django.db.models import Q
from django.utils import timezone

from changqing.core.conflicts import RecordVersionMixin, VersionedFormMixin
from changqing.members.picker import person_picker
from changqing.core.forms import default_own_organization
from changqing.core.scope import restrict
from changqing.core.widgets import DateInput
from changqing.orgs.models import Organization, OrgKind

from . import selectors
from .models import Category, NomineeRule


class CampaignForm(RecordVersionMixin, forms.Form):
    organization = forms.ModelChoiceField(label="组织单位（范围含下级）", queryset=Organization.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="评选名称", max_length=100)
    nomination_ends_on = forms.DateField(label="提名截止日期", widget=DateInput())
    review_ends_on = forms.DateField(label="审核截止日期", widget=DateInput())
    voting_starts_on = forms.DateField(label="投票开始日期", widget=DateInput())
    voting_ends_on = forms.DateField(label="投票截止日期", widget=DateInput())
    quota = forms.IntegerField(label="每类评选名额", min_value=1, max_value=50, initial=3,
                               help_text="默认设“四个最美”四个类别，创建后可以逐类修改名额、增加类别")
    note = forms.CharField(label="评选说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, campaign=None, **kwargs):
        super().__init__(*args, versioned=campaign, **kwargs)
        if campaign is not None:  # editing: organisation, year and the default categories are fixed
            for name in ("organization", "year", "quota"):
                del self.fields[name]
        else:
            self.fields["organization"].queryset = restrict(
                Organization.objects.filter(kind__in=[OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH],
                                            dissolved_on__isnull=True), user, "manage").order_by("path")
            default_own_organization(self.fields["organization"], user)
            year = timezone.localdate().year
            self.fields["year"].initial = year
            self.fields["title"].initial = f"{year}年度“四个最美”评选"


class CategoryForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "nominee_rule", "quota", "max_choices", "order"]

    def clean(self):
        data = super().clean()
        quota, choices = data.get("quota"), data.get("max_choices")
        if quota is not None and choices is not None and choices > quota:
            self.add_error("max_choices", f"每人最多可选人数不能超过评选名额（{quota} 名）")
        return data


class NominationForm(forms.Form):
    category = forms.ModelChoiceField(label="评选类别", queryset=Category.objects.none())
    retiree = forms.ModelChoiceField(label="被提名人", queryset=None, required=False,
                                     help_text="评选个人的类别填写此项")
    nominee_org = forms.ModelChoiceField(label="被提名的党组织", queryset=Organization.objects.none(), required=False,
                                         help_text="评选党组织的类别填写此项")
    reasons = forms.CharField(label="事迹材料", widget=forms.Textarea(attrs={"rows": 8}),
                              help_text="写明主要事迹，至少 20 个字")
    attachment = forms.FileField(label="事迹材料附件（可选）", required=False,
                                 help_text="PDF、Word 文档或照片，不超过 10 MB")

    LONG_LIST = 500  # above this many people, the list is narrowed by name first

    def __init__(self, *args, user=None, campaign=None, q="", **kwargs):
        super().__init__(*args, **kwargs)
        cats = campaign.categories.all()
        self.fields["category"].queryset = cats
        retirees = selectors.nominee_retirees(user, campaign).filter(status="alive").select_related("organization")
        q = q.strip()
        if q:
            retirees = retirees.filter(Q(name__icontains=q) | Q(name_pinyin__startswith=q.lower())
                                       | Q(name_initials__startswith=q.lower()))
        self.total_people = retirees.count()
        self.needs_search = not q and self.total_people > self.LONG_LIST
        if self.needs_search:
            retirees = retirees.none()
            self.fields["retiree"].help_text = f"您的范围内共有 {self.total_people} 人，请先在上方按姓名查找"
        elif q:
            self.fields["retiree"].help_text = f"姓名含“{q}”的共 {self.total_people} 人"
        self.fields["retiree"].queryset = retirees.order_by("organization__path", "name_pinyin")
        self.fields["retiree"].label_from_instance = lambda r: f"{r.name}（{r.organization.name}）"
        person_picker(self.fields["retiree"])
        has_orgs = any(c.nominee_rule == NomineeRule.ORGANIZATION for c in cats)
        if has_orgs:
            self.fields["nominee_org"].queryset = selectors.nominee_orgs(user, campaign).order_by("path")
        else:
            del self.fields["nominee_org"]
        if not any(c.nominee_rule != NomineeRule.ORGANIZATION for c in cats):
            del self.fields["retiree"]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "通过"), ("reject", "不通过")],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label="审核意见", max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="通过或不通过都请写明意见，记入变更记录")


class TieForm(forms.Form):
    winners = forms.MultipleChoiceField(label="确定当选的候选人", widget=forms.CheckboxSelectMultiple, required=False)
    reason = forms.CharField(label="决定依据", max_length=300, required=False,
                             help_text="例如：2026年12月2日党工委会议研究决定")

    def __init__(self, *args, tied=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["winners"].choices = [(str(r.nomination.pk), f"{r.nomination.nominee_name}（{r.nomination.total_votes} 票）")
                                          for r in tied]


class OfflineVotesForm(forms.Form):
    """线下计票 for one category: ballots collected and each candidate's paper votes."""

    ballots = forms.IntegerField(label="收回选票（张）", min_value=0)

    def __init__(self, *args, category=None, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        self.fields["ballots"].initial = category.offline_ballots
        for n in self.candidates:
            self.fields[f"votes_{n.pk}"] = forms.IntegerField(
                label=f"{n.nominee_name}（{n.nominee_unit}）", min_value=0, initial=n.offline_votes)

    def votes(self) -> dict[int, int]:
        return {n.pk: self.cleaned_data[f"votes_{n.pk}"] for n in self.candidates}
