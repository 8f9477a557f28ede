"""Form widgets that browsers' native pickers understand.

An <input type="date"> only accepts ISO values; Django's zh-hans input format
would render 2026/11/24, which the browser drops, so the field comes back empty.
"""
from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")
