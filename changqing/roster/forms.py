from pathlib import Path

from django import forms

from changqing.core.scope import restrict
from changqing.core.uploads import SpreadsheetRefused, spreadsheet_guard
from changqing.orgs.models import Organization

from . import rules

ALLOWED_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv"}


class UploadForm(forms.Form):
    file = forms.FileField(label="名册文件", help_text="Excel（.xlsx、.xls）或 CSV 文件。可以直接用下载的模板，也可以用单位原有的台账。",
                           error_messages={"required": "请选择要导入的文件"})
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, label="默认导入组织",
        empty_label="（按表中“所在组织”列）",
        help_text="表中没有“所在组织”列、或某行没填时，导入到这个组织。",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = restrict(Organization.objects.active(), user, "change").order_by("path")
        self.fields["organization"].queryset = orgs
        self.fields["organization"].label_from_instance = lambda o: f"{'　' * (o.depth - 1)}{o.name}（{o.code}）"
        first_two = list(orgs.values_list("pk", flat=True)[:2])
        if len(first_two) == 1:
            self.fields["organization"].initial = first_two[0]

    def clean_file(self):
        f = self.cleaned_data["file"]
        if Path(f.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("只能导入 Excel（.xlsx、.xls）或 CSV 文件")
        if f.size > rules.current().max_upload_bytes:
            raise forms.ValidationError(f"文件太大（{f.size // 1_000_000} MB），请分成几个文件导入")
        if f.size == 0:
            raise forms.ValidationError("文件是空的")
        # A zip bomb is refused here from the zip's directory alone; the rows of a large file are
        # counted by the check, which runs in a background job.
        try:
            spreadsheet_guard(f, count_rows=f.size <= rules.current().background_bytes)
        except SpreadsheetRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return f
