"""Browser: a secretary uploads a messy roster sheet, reads the errors, fixes the sheet and imports it."""
import datetime as dt

import pytest

from changqing.members.models import Retiree
from changqing.roster.tests.factory import make_id, write_xlsx

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def _sheet(path, *, broken: bool):
    births = [dt.date(1946, 5, 20), dt.date(1950, 3, 1), dt.date(1955, 12, 8)]
    ids = [make_id(b, male=i != 1, seq=40 + i, region="659001") for i, b in enumerate(births)]
    rows = [
        ["县委办离退休干部党支部党员花名册", None, None, None, None, None, None, None],
        ["序号", "名 字", "性别", "公民身份号码", "出生年月", "政治面貌", "党员信息", None],
        [None, None, None, None, None, None, "入党时间", "转正时间"],
        [1, "欧阳建国", "男", ids[0], "1946.05", "中共党员", "1970.03", "1971.03"],
        [2, "司马秀英", "女" if not broken else "男", ids[1], "1950年3月", "中共党员", "1972年7月", "19730701"],
        [None] * 8,
        [3, "诸葛平", "男", ids[2], 20431, "群众", None, "1980-01-01" if broken else None],
    ]
    merges = ["A1:H1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3", "G2:H2"]
    write_xlsx(path, rows, merges=merges)
    return ids


def test_upload_messy_sheet_fix_errors_and_import(demo, page_factory, tmp_path):
    page = page_factory()
    login(page, "shuji")
    page.goto(page.base_url + "/retirees/")
    page.click("text=导入名册")
    page.wait_for_url("**/roster/import/")
    screenshot(page, "roster-import-start")

    bad = tmp_path / "花名册.xlsx"
    ids = _sheet(bad, broken=True)
    page.set_input_files("#id_file", str(bad))
    page.click("button:has-text('上传并检查')")
    page.wait_for_selector("table.roster-errors")
    text = page.inner_text("main")
    assert "没有导入任何数据" in text
    assert "第 5 行" in text and "性别与身份证号不一致" in text, text
    assert "第 7 行" in text and "非党员不应填写转正日期" in text, text
    with page.expect_download() as download:
        page.click("text=下载标出错误的表格")
    assert download.value.suggested_filename.endswith("_错误说明.xlsx")
    page.mouse.move(0, 0)
    screenshot(page, "roster-import-errors")
    assert not Retiree.objects.filter(id_number__in=ids).exists()

    good = tmp_path / "花名册（已改正）.xlsx"
    _sheet(good, broken=False)
    page.set_input_files("#id_file", str(good))
    page.click("button:has-text('上传并检查')")
    page.wait_for_selector("text=检查通过，尚未导入")
    screenshot(page, "roster-import-preview")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=已导入")
    screenshot(page, "roster-import-done")
    assert Retiree.objects.filter(id_number__in=ids).count() == 3
    people = {r.name: r for r in Retiree.objects.filter(id_number__in=ids).select_related("membership")}
    assert people["司马秀英"].membership.full_on == dt.date(1973, 7, 1)

    # Uploading the same sheet again changes nothing.
    page.goto(page.base_url + "/roster/import/")
    page.set_input_files("#id_file", str(good))
    page.click("button:has-text('上传并检查')")
    page.wait_for_selector("text=检查通过，尚未导入")
    assert "3 人与系统一致" in page.inner_text("main")


def test_import_page_on_a_phone(demo, page_factory):
    page = page_factory(width=375)
    login(page, "shuji")
    page.goto(page.base_url + "/roster/import/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    screenshot(page, "roster-import-375")
