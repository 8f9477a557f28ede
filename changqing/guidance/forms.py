from django import forms
from django.utils import timezone

from changqing.core.conflicts import VersionedFormMixin
from changqing.core.scope import restrict
from changqing.core.widgets import DateInput, MonthInput
from changqing.orgs.models import Organization

from .models import (
    GuidanceStation, Guide, GuideApplication, GuideEvaluation, GuideVisit, HelpRequest, ListItem, Material,
    MonthlyList, NewOrg, OrgSatisfaction, StandardEvidence,
)

DATE = DateInput()


class ScopedFormMixin:
    """Limit every foreign-key choice to what the user may change."""

    scoped_fields: dict[str, object] = {}

    def limit_choices(self, user):
        for name, model in self.scoped_fields.items():
            if name in self.fields:
                self.fields[name].queryset = restrict(model.objects.all(), user, "change")


class StationForm(VersionedFormMixin, ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = GuidanceStation
        fields = ["code", "name", "organization", "base", "area", "address", "established_on"]
        widgets = {"established_on": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = restrict(Organization.objects.filter(kind="committee"), user, "manage")


class NewOrgForm(VersionedFormMixin, ScopedFormMixin, forms.ModelForm):
    scoped_fields = {"station": GuidanceStation, "guide": Guide}

    class Meta:
        model = NewOrg
        fields = ["kind", "name", "credit_code", "station", "guide", "address", "area", "industry",
                  "person_in_charge", "party_contact", "party_contact_phone", "employees", "party_members",
                  "party_org_status", "party_org", "active"]
        help_texts = {"credit_code": "18位，系统会核对最后一位校验码（GB 32100-2015）"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(user)
        self.fields["party_org"].queryset = restrict(Organization.objects.exclude(kind="committee"), user, "view")
        self.fields["credit_code"].widget.attrs.update({"autocomplete": "off", "style": "text-transform:uppercase"})


class GuideForm(VersionedFormMixin, ScopedFormMixin, forms.ModelForm):
    scoped_fields = {"station": GuidanceStation}

    class Meta:
        model = Guide
        fields = ["station", "role", "name", "phone", "unit", "appointed_on", "status"]
        widgets = {"appointed_on": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(user)


class ApplicationForm(VersionedFormMixin, ScopedFormMixin, forms.ModelForm):
    scoped_fields = {"station": GuidanceStation}

    class Meta:
        model = GuideApplication
        fields = ["station", "name", "phone", "unit", "is_party_member", "experience", "motivation"]
        widgets = {"experience": forms.Textarea(attrs={"rows": 3}), "motivation": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(user)

    def clean_is_party_member(self):
        if not self.cleaned_data["is_party_member"]:
            raise forms.ValidationError("党建指导员须为中共党员")
        return True


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "通过"), ("reject", "不通过")],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label="审核意见", required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class VisitForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = GuideVisit
        fields = ["guide", "new_org", "visited_on", "content", "help_given"]
        widgets = {"visited_on": DATE, "content": forms.Textarea(attrs={"rows": 3}),
                   "help_given": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guide"].queryset = restrict(Guide.objects.filter(status="active"), user, "change")
        self.fields["new_org"].queryset = restrict(NewOrg.objects.filter(active=True), user, "change")
        self.fields["visited_on"].initial = timezone.localdate()

    def clean_visited_on(self):
        value = self.cleaned_data["visited_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("走访日期不能晚于今天")
        return value


class HelpRequestForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = HelpRequest
        fields = ["new_org", "title", "description", "raised_by", "raised_on"]
        widgets = {"raised_on": DATE, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_org"].queryset = restrict(NewOrg.objects.filter(active=True), user, "change")
        self.fields["raised_on"].initial = timezone.localdate()

    def clean_raised_on(self):
        value = self.cleaned_data["raised_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("提出日期不能晚于今天")
        return value


class AnswerForm(forms.Form):
    guide = forms.ModelChoiceField(label="答复指导员", queryset=Guide.objects.none())
    answer = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 4}))
    answered_on = forms.DateField(label="答复日期", widget=DATE)

    def __init__(self, *args, user=None, station=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = restrict(Guide.objects.filter(status="active"), user, "change")
        self.fields["guide"].queryset = qs.filter(station=station) if station else qs
        self.fields["answered_on"].initial = timezone.localdate()
        mine = getattr(user, "guide_profile", None)
        if mine is not None:
            self.fields["guide"].initial = mine.pk


class CloseForm(forms.Form):
    closed_on = forms.DateField(label="办结日期", widget=DATE)
    note = forms.CharField(label="办结说明", required=False, max_length=300)


class MeetingForm(forms.Form):
    station = forms.ModelChoiceField(label="指导站", queryset=GuidanceStation.objects.none())
    held_on = forms.DateField(label="会议日期", widget=DATE)
    topic = forms.CharField(label="会议主题", max_length=200)
    minutes = forms.CharField(label="会议纪要", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = restrict(GuidanceStation.objects.all(), user, "change")
        self.fields["held_on"].initial = timezone.localdate()

    def clean_held_on(self):
        value = self.cleaned_data["held_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("会议日期不能晚于今天；计划中的会议请在召开后记录")
        return value


class MonthlyListForm(VersionedFormMixin, ScopedFormMixin, forms.ModelForm):
    scoped_fields = {"station": GuidanceStation}
    month = forms.DateField(label="月份", widget=MonthInput(),
                            input_formats=["%Y-%m", "%Y-%m-%d"])

    class Meta:
        model = MonthlyList
        fields = ["station", "kind", "month", "title"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(user)

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)

    def clean(self):
        data = super().clean()
        station, month, kind = data.get("station"), data.get("month"), data.get("kind")
        if station and month and kind and MonthlyList.objects.filter(station=station, month=month, kind=kind).exists():
            self.add_error("month", f"{station.name}{month.year}年{month.month}月的该类清单已经发布")
        return data


class ListItemForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ListItem
        fields = ["title", "description", "due_on"]
        widgets = {"due_on": DATE, "description": forms.Textarea(attrs={"rows": 2})}


ListItemFormSet = forms.inlineformset_factory(MonthlyList, ListItem, form=ListItemForm, extra=3, min_num=1,
                                              validate_min=True, can_delete=False)


class MaterialForm(VersionedFormMixin, ScopedFormMixin, forms.ModelForm):
    scoped_fields = {"station": GuidanceStation}

    class Meta:
        model = Material
        fields = ["station", "title", "description", "file", "non_classified"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(user)


class EvidenceForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = StandardEvidence
        fields = ["photo", "caption"]


class EvaluationForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = GuideEvaluation
        fields = ["score", "comments", "recommended"]
        widgets = {"comments": forms.Textarea(attrs={"rows": 2})}


class SatisfactionForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = OrgSatisfaction
        fields = ["new_org", "rating", "comment"]

    def __init__(self, *args, guide=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_org"].queryset = NewOrg.objects.filter(guide=guide, active=True) if guide else NewOrg.objects.none()
