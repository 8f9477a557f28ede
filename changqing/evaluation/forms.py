from django import forms
from django.db.models import Q
from django.utils import timezone

from changqing.core.conflicts import RecordVersionMixin
from changqing.core.scope import restrict
from changqing.policies.forms import PolicyValuesForm

from .metrics import METRIC_CHOICES
from .selectors import default_rubric
from .models import ItemSource, Rubric, RubricKind


class ScoreForm(RecordVersionMixin, forms.Form):
    value = forms.CharField(label="得分", required=False, max_length=8,
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    reason = forms.CharField(label="评分理由", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_text = forms.CharField(label="佐证说明", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text="如查阅了哪些会议记录、走访了哪些党员")
    file = forms.FileField(label="上传佐证材料（照片或 PDF，可不传）", required=False)
    caption = forms.CharField(label="材料说明", required=False, max_length=100)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _years():
    this = timezone.localdate().year
    return [(y, f"{y}年") for y in range(this, this - 6, -1)]


class ComputeForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=_years)
    rubric = forms.ModelChoiceField(label="考核细则", queryset=Rubric.objects.none(), empty_label=None)
    org = forms.CharField(label="范围（组织编码，空 = 全部管辖范围）", required=False, max_length=40)

    def __init__(self, *args, rubrics=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rubrics is not None:
            self.fields["rubric"].queryset = rubrics


class RubricCopyForm(forms.Form):
    code = forms.SlugField(label="新编码（字母、数字）", max_length=40)
    name = forms.CharField(label="新名称", max_length=80)


class RubricVersionForm(forms.Form):
    from_year = forms.IntegerField(label="适用起始年度", min_value=2000, max_value=2100)
    bands = forms.CharField(label="评定档次（每行：分数线 名称 代码）", widget=forms.Textarea(attrs={"rows": 5}))
    innovation_required = forms.BooleanField(label="最高档须有创新项得分", required=False)
    note = forms.CharField(label="修订说明", required=False, max_length=200)


class RubricItemForm(forms.Form):
    code = forms.CharField(label="编号", max_length=20, required=False)
    name = forms.CharField(label="考核项目", max_length=80, required=False)
    weight = forms.DecimalField(label="分值", max_digits=5, decimal_places=1, min_value=0, required=False)
    source = forms.ChoiceField(label="评分方式", choices=ItemSource.choices, required=False)
    metric = forms.ChoiceField(label="数据指标", choices=[("", "—")] + METRIC_CHOICES, required=False)
    related_metric = forms.ChoiceField(label="相关数据指标", choices=[("", "—")] + METRIC_CHOICES, required=False)
    target = forms.DecimalField(label="满分标准", max_digits=4, decimal_places=2, min_value=0, required=False)
    is_innovation = forms.BooleanField(label="创新项", required=False)
    guidance = forms.CharField(label="评分标准", max_length=300, required=False)


RubricItemFormSet = forms.formset_factory(RubricItemForm, extra=2)


class DesignateForm(forms.Form):
    note = forms.CharField(label="说明", required=False, max_length=200)


KIND_CHOICES = [("", "全部")] + list(RubricKind.choices)


class RubricPolicyForm(PolicyValuesForm):
    """Kinds "evaluation.<rubric kind>": the rubric an organisation and everything under it is scored with."""

    rubric_kind = ""
    rubric = forms.ModelChoiceField(Rubric.objects.none(), label="考核细则", empty_label=None,
                                    error_messages={"invalid_choice": "请从列表中选择考核细则"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mine = restrict(Rubric.objects.all(), self.user).values("pk") if self.user else Rubric.objects.values("pk")
        self.fields["rubric"].queryset = Rubric.objects.filter(Q(owner__isnull=True) | Q(pk__in=mine),
                                                               kind=self.rubric_kind)

    @classmethod
    def initial_for(cls, values: dict) -> dict:
        return {"rubric": values.get("rubric") or default_rubric(cls.rubric_kind)}

    @classmethod
    def describe(cls, values: dict) -> list[tuple[str, str]]:
        r = Rubric.objects.filter(pk=values.get("rubric")).first() if values.get("rubric") else None
        return [("考核细则", r.name if r else "系统默认细则")]


def rubric_policy_form(kind: str) -> type[RubricPolicyForm]:
    return type(f"RubricPolicyForm_{kind}", (RubricPolicyForm,), {"rubric_kind": kind})

