from django import forms

from changqing.accounts.scope import restrict
from changqing.core.widgets import DateInput

from .models import Organization, Zone


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "setup_kind", "nature", "parent", "zone", "established_on",
                  "address", "contact_phone", "term_years"]
        widgets = {"established_on": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = restrict(Organization.objects.all(), user, "manage")
        self.fields["zone"].queryset = restrict(Zone.objects.all(), user, "view")
        if self.instance.pk:
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(
                path__startswith=self.instance.path)

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()
