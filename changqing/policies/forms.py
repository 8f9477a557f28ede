"""Forms: a version's date and note, and the base of every kind's values form."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms


class PolicyValuesForm(forms.Form):
    """A kind's values as a form. `to_values` makes the cleaned data JSON; `initial_for` reads them back."""

    def __init__(self, *args, organization=None, user=None, **kwargs):
        self.organization = organization
        self.user = user
        super().__init__(*args, **kwargs)

    def to_values(self) -> dict:
        return {k: _json(v) for k, v in self.cleaned_data.items()}

    @classmethod
    def initial_for(cls, values: dict) -> dict:
        return dict(values)

    @classmethod
    def describe(cls, values: dict) -> list[tuple[str, str]]:
        """(label, text) of each field, for the pages: the form's own labels and choices."""
        rows = []
        for name, f in cls.base_fields.items():
            v = values.get(name)
            choices = dict(getattr(f, "choices", None) or [])
            if isinstance(v, bool):
                text = "是" if v else "否"
            elif isinstance(v, list):
                text = "、".join(str(x) for x in v)
            else:
                text = str(choices.get(v, v if v is not None else "—"))
            rows.append((str(f.label), text))
        return rows


def _json(v):
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [_json(x) for x in v]
    if hasattr(v, "pk"):
        return v.pk
    return v


def parse_months(text: str) -> list[int]:
    """"3,5,6" (also with full-width commas) → [3, 5, 6]; Chinese errors for anything else."""
    text = (text or "").replace("，", ",").replace("、", ",")
    try:
        months = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise forms.ValidationError("请填写整数月数，用逗号分隔，如 3,5,6") from None
    if not months:
        raise forms.ValidationError("请至少填写一个月数")
    if months[0] < 1 or months[-1] > 24:
        raise forms.ValidationError("月数应在1到24之间")
    return months


class WarningMonthsForm(PolicyValuesForm):
    months = forms.CharField(label="预警月数", help_text="连续几个月未参加组织生活、未交党费时提醒，用逗号分隔，如 3,5,6"
                                                   "（党章第九条：连续六个月）")

    def clean_months(self):
        return parse_months(self.cleaned_data["months"])

    @classmethod
    def initial_for(cls, values: dict) -> dict:
        return {"months": ",".join(str(m) for m in values.get("months", []))}


class VersionForm(forms.Form):
    valid_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text="从这一天起按新规则；此前的日子仍按原规则计算",
                                 error_messages={"required": "请填写生效日期",
                                                 "invalid": "请填写有效的日期，如 2027-01-01"})
    valid_to = forms.DateField(label="失效日期（可不填）", required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               help_text="填写后，这一天以后本组织不再单独设置，恢复按上级（或系统默认）规则",
                               error_messages={"invalid": "请填写有效的日期，如 2027-12-31"})
    note = forms.CharField(label="修订说明", max_length=200, required=False,
                           help_text="如：依据某某文件调整；支部自行设置时请写明支部决定")
