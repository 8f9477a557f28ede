from django import forms

from .models import FindingStatus


class DecideForm(forms.Form):
    status = forms.ChoiceField(label="核实结论", widget=forms.RadioSelect,
                               choices=[(FindingStatus.CONFIRMED, "确认属实"), (FindingStatus.DISMISSED, "排除（不属实）")],
                               error_messages={"required": "请选择核实结论", "invalid_choice": "请选择“确认属实”或“排除”"})
    reason = forms.CharField(label="核实说明", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="写明核实了什么、依据是什么；会记入变更历史",
                             error_messages={"required": "请填写核实说明", "max_length": "核实说明不能超过300字"})

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError("请填写核实说明")
        return value


class RunAuditForm(forms.Form):
    organization = forms.ModelChoiceField(label="审计范围（党组织及其下级）", queryset=None, empty_label="请选择",
                                          error_messages={"required": "请选择要审计的党组织",
                                                          "invalid_choice": "所选党组织不在您的管理范围内"})
    year = forms.IntegerField(label="审计年度", min_value=2000, max_value=2100,
                              error_messages={"required": "请填写审计年度", "invalid": "请输入四位年份，例如 2025",
                                              "min_value": "年度不能早于2000年", "max_value": "年度不能晚于2100年"})

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from changqing.core.scope import restrict
        from changqing.orgs.models import Organization, OrgKind

        self.fields["organization"].queryset = restrict(
            Organization.objects.exclude(kind=OrgKind.BRANCH).order_by("path"), user, "manage")
