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
