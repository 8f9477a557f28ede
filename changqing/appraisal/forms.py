from django import forms
from django.utils import timezone

from changqing.core.scope import restrict
from changqing.core.widgets import DateInput
from changqing.orgs.models import Organization, OrgKind

from .models import Grade


class RoundOpenForm(forms.Form):
    organization = forms.ModelChoiceField(label="党支部", queryset=Organization.objects.none(),
                                          error_messages={"required": "请选择党支部",
                                                          "invalid_choice": "请从列表中选择您负责的党支部"})
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100,
                              error_messages={"required": "请填写年度", "invalid": "年度请填写四位数字，如 2026",
                                              "min_value": "年度不能早于 2000 年", "max_value": "年度不能晚于 2100 年"})

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = restrict(
            Organization.objects.filter(kind=OrgKind.BRANCH), user, "change").order_by("path")
        self.fields["year"].initial = timezone.localdate().year


class StepForm(forms.Form):
    held_on = forms.DateField(label="日期", required=False, widget=DateInput(),
                              error_messages={"invalid": "请填写有效的日期，如 2026-11-20"})
    record = forms.CharField(label="情况记录", required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 5}),
                             help_text="如：学习内容、到会人数、上门听取意见的情况")


class SelfAppraisalForm(forms.Form):
    text = forms.CharField(label="个人自评", max_length=4000, widget=forms.Textarea(attrs={"rows": 8}),
                           error_messages={"required": "请写下个人自评"},
                           help_text="一年来学习、参加组织生活、发挥作用的情况，以及不足和努力方向")
    at_home = forms.BooleanField(label="上门记录：本人不能到会，由我上门听取后代为记录", required=False)


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label="完成日期", widget=DateInput(),
                              error_messages={"required": "请填写完成日期", "invalid": "请填写有效的日期，如 2026-12-01"})
    note = forms.CharField(label="情况记录", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "请简要记录谈话或改正的情况"})


GRADE_CHOICES = [("", "— 请选择 —")] + list(Grade.choices)
