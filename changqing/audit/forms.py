import datetime as dt

from django import forms

from changqing.policies.forms import PolicyValuesForm

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
        from changqing.core.forms import default_own_organization

        default_own_organization(self.fields["organization"], user)


def _number(label, field=forms.IntegerField, **kw):
    return field(label=label, error_messages={"required": "请填写数值", "invalid": "请填写数字",
                                              "min_value": "数值太小", "max_value": "数值太大"}, **kw)


class AuditThresholdsForm(PolicyValuesForm):
    """Kind "audit.thresholds": what the integrity audit flags (DOMAIN.md §9)."""

    BACKFILL_LAG_DAYS = _number("补录：会后超过多少天才录入（天）", min_value=1, max_value=365)
    ASSESSMENT_DATES = forms.CharField(label="年度考核日期（月-日）", help_text="可填多个，用逗号分隔，如 12-20")
    RUSH_WINDOW_DAYS = _number("突击补录：考核前多少天内（天）", min_value=1, max_value=180)
    RUSH_MIN_ENTRIES = _number("突击补录：窗口内至少补录几条", min_value=1, max_value=1000)
    RUSH_RATIO = _number("突击补录：为平时的几倍", forms.FloatField, min_value=1, max_value=100)
    NEAR_DUPLICATE_JACCARD = _number("雷同记录：相似度达到（0–1）", forms.FloatField, min_value=0.3, max_value=1)
    MEETING_HOURS = _number("同一时间两地参会：一次会议按几小时计", min_value=1, max_value=12)
    ELECTION_CANDIDATE_RATIO = _number("选举差额：候选人不少于应选的几倍", forms.FloatField, min_value=1, max_value=3)
    PHOTO_HAMMING = _number("照片重复使用：差异不超过（位，0–10）", min_value=0, max_value=10)
    RATING_GAP = _number("评分与记录不符：人工分高出数据分的比例（0–1）", forms.FloatField, min_value=0.05,
                         max_value=1)

    def clean_ASSESSMENT_DATES(self):
        days = [x.strip() for x in self.cleaned_data["ASSESSMENT_DATES"].replace("，", ",").split(",") if x.strip()]
        for d in days:
            try:
                dt.datetime.strptime(f"2024-{d}", "%Y-%m-%d")
            except ValueError:
                raise forms.ValidationError(f"“{d}”不是有效的月-日，请写成 12-20 这样") from None
        if not days:
            raise forms.ValidationError("请至少填写一个考核日期")
        return days

    @classmethod
    def initial_for(cls, values: dict) -> dict:
        return {**values, "ASSESSMENT_DATES": ",".join(values.get("ASSESSMENT_DATES", []))}
