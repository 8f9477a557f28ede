import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from changqing.stats.selectors import FIGURES, annual_figures

from .factories import jurisdiction, people_bulk


@pytest.fixture
def j(db):
    j = jurisdiction()
    people_bulk(j.alone, 10)
    return j


def _run(*args) -> str:
    out = io.StringIO()
    call_command("statistics", *args, stdout=out)
    return out.getvalue()


def test_json_and_text(j):
    data = json.loads(_run("--date", "2018-12-31", "--org", "S", "--format", "json"))
    figures = annual_figures(org=j.root, on=dt.date(2018, 12, 31))
    assert {k: data[k] for k, _ in FIGURES} == figures
    assert data["date"] == "2018-12-31" and data["org"] == "S"
    assert sum(data["distributions"]["health"]["buckets"].values()) == figures["retirees"]
    text = _run("--date", "2018-12-31", "--org", "S")
    assert "统计测试党工委 截至2018年12月31日" in text
    assert f"{figures['retirees']:>8}  (retirees)" in text
    # Without --org: every root, here the one jurisdiction.
    assert json.loads(_run("--date", "2018-12-31", "--format", "json"))["retirees"] == figures["retirees"]


def test_errors_in_chinese(j):
    with pytest.raises(CommandError, match="没有编码为“NOPE”的组织"):
        _run("--date", "2018-12-31", "--org", "NOPE")
    with pytest.raises(CommandError, match="日期“2018/12/31”格式不正确"):
        _run("--date", "2018/12/31")
