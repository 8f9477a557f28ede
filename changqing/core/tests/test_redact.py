"""core.redact: the operation log holds no ID number or phone in clear."""
import pytest

from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation
from changqing.core.redact import scrub, scrub_query


def test_scrub_masks_numbers_and_leaves_dates_and_counts():
    text = "查看 11010519491231002X、13907435566 与 0743-4609967；2026-11-24 导出 1234 条；全角１３９０７４３５５６６"
    assert scrub(text) == ("查看 110105********002X、139****5566 与 074****9967；2026-11-24 导出 1234 条；"
                           "全角139****5566")


def test_scrub_query_masks_every_number_like_value():
    out = scrub_query("q=1390743&org=43&q2=11010519491231002x&q3=13907435566&name=%E5%BC%A0&page=2")
    assert "1390743" not in out and "19491231" not in out and "0743" not in out.split("q3=")[1]
    assert "org=43" in out and "page=2" in out and "name=%E5%BC%A0" in out


@pytest.mark.django_db
def test_log_operation_scrubs_detail_and_data():
    entry = log_operation(OperationLog.Event.EXPORT, detail="按 13907435566 查找",
                          data={"query": "q=11010519491231002X", "rows": 3, "terms": ["13907435566"]})
    entry.refresh_from_db()
    assert "13907435566" not in entry.detail and "139****5566" in entry.detail
    assert entry.data == {"query": "q=110105********002X", "rows": 3, "terms": ["139****5566"]}
