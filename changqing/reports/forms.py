from django import forms
from django.utils import timezone

from changqing.core.scope import home_path, restrict
from changqing.orgs.models import Organization, OrgKind

from .models import ReportKind
from .services import FIRST_YEAR


class GenerateForm(forms.Form):
    organization = forms.ModelChoiceField(label="单位", queryset=Organization.objects.none(), empty_label=None,
                                          help_text="报告统计该单位及其全部下级组织")
    year = forms.TypedChoiceField(label="年度", coerce=int)
    kind = forms.ChoiceField(label="报告类型", choices=ReportKind.choices, widget=forms.RadioSelect,
                             initial=ReportKind.SUMMARY)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = restrict(
            Organization.objects.exclude(kind=OrgKind.GROUP).filter(dissolved_on__isnull=True), user,
            "export").order_by("depth", "path")
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(y, f"{y}年") for y in range(this_year, FIRST_YEAR - 1, -1)]
        self.fields["year"].initial = this_year - 1
        home = home_path(user)  # the user's own organisation first, e.g. the county for its bureau admin
        own = self.fields["organization"].queryset.filter(path=home).first() if home else None
        if own is not None:
            self.fields["organization"].initial = own.pk
