"""The 民主评议党员 policy (changqing.policies kind "appraisal.rules"): the steps and the follow-ups.

Defaults: the six steps of the usual procedure (学习教育 → 个人自评 → 党员互评和民主测评 → 支部委员会评定 →
党员大会或支委会审定 → 结果公示与反馈); 基本合格 → 谈话提醒, 不合格 → 谈话提醒 and 限期改正 (the policy
names these; the branch decides any further step, the system never changes a membership).
"""
from __future__ import annotations

from django import forms

from changqing.policies.forms import PolicyValuesForm

APPRAISAL_RULES = "appraisal.rules"

DEFAULT_STEPS = ["学习教育", "个人自评", "党员互评和民主测评", "支部委员会评定", "党员大会或支委会审定", "结果公示与反馈"]
FOLLOW_UP_CHOICES = [("talk", "谈话提醒"), ("rectify", "限期改正")]


def default_values() -> dict:
    return {"steps": DEFAULT_STEPS, "basic": ["talk"], "unqualified": ["talk", "rectify"],
            "talk_days": 30, "rectify_days": 90}


class AppraisalPolicyForm(PolicyValuesForm):
    steps = forms.CharField(label="评议步骤（每行一个）", widget=forms.Textarea(attrs={"rows": 6}),
                            error_messages={"required": "请至少填写一个评议步骤"},
                            help_text="默认：" + "、".join(DEFAULT_STEPS))
    basic = forms.MultipleChoiceField(label="评为“基本合格”后的处置", choices=FOLLOW_UP_CHOICES, required=False,
                                      widget=forms.CheckboxSelectMultiple, help_text="默认：谈话提醒")
    unqualified = forms.MultipleChoiceField(label="评为“不合格”后的处置", choices=FOLLOW_UP_CHOICES, required=False,
                                            widget=forms.CheckboxSelectMultiple, help_text="默认：谈话提醒、限期改正")
    talk_days = forms.IntegerField(label="谈话提醒期限（公示后天数）", min_value=1, max_value=365,
                                   error_messages={"required": "请填写天数", "invalid": "请填写整数天数",
                                                   "min_value": "至少 1 天", "max_value": "不超过 365 天"},
                                   help_text="默认 30 天")
    rectify_days = forms.IntegerField(label="限期改正期限（公示后天数）", min_value=1, max_value=730,
                                      error_messages={"required": "请填写天数", "invalid": "请填写整数天数",
                                                      "min_value": "至少 1 天", "max_value": "不超过 730 天"},
                                      help_text="默认 90 天")

    def clean_steps(self):
        steps = [s.strip() for s in self.cleaned_data["steps"].splitlines() if s.strip()]
        if not steps:
            raise forms.ValidationError("请至少填写一个评议步骤")
        if any(len(s) > 60 for s in steps):
            raise forms.ValidationError("每个步骤名称不超过 60 个字")
        return steps

    @classmethod
    def initial_for(cls, values: dict) -> dict:
        return {**values, "steps": "\n".join(values.get("steps", []))}


def parse(values: dict) -> dict:
    out = default_values()
    out.update({k: v for k, v in values.items() if v is not None})
    return out
