"""The monthly bulletin from the data: .docx readable, PDF with embedded CJK glyphs."""
import datetime as dt
import io

import pytest

from changqing.life import bulletin
from changqing.life.models import Bulletin

from .conftest import add_members, hold


def test_bulletin_data_and_docx(tree):
    members = add_members(tree.a, 2, immobile=1)
    for kind in ("group_meeting", "theme_day", "study_day"):
        hold(tree.a, kind, dt.date(2025, 10, 10), members[1:])
    hold(tree.a, "group_meeting", dt.date(2025, 10, 11), members[:1], status="home_delivery")
    data = bulletin.bulletin_data(tree.root, dt.date(2025, 10, 1))
    assert data.branches == 2 and data.complete == ["甲支部"] and list(data.overdue) == ["乙支部专有名称"]
    assert data.meetings == 4 and data.deliveries == 1
    from docx import Document

    doc = Document(io.BytesIO(bulletin.render_docx(data)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "组织生活开展情况通报" in text and "（2025年第10期）" in text
    assert "纳入统计的党支部2个" in text and "送学上门1人次" in text
    table = doc.tables[0]
    assert table.rows[1].cells[1].text == "乙支部专有名称" and "党小组会" in table.rows[1].cells[2].text


@pytest.mark.skipif(bulletin.soffice() is None, reason="LibreOffice 未安装（make fonts 安装 libreoffice-writer-nogui）")
def test_bulletin_generate_pdf(tree, bureau_admin, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(bureau_admin)
    resp = client.post("/life/bulletins/?org=T", {"month": "2025-10"})
    assert resp.status_code == 302
    b = Bulletin.objects.get()
    pdf = b.pdf.read()
    assert pdf.startswith(b"%PDF") and b"NotoS" in pdf  # the CJK font is embedded
    resp = client.get(f"/life/bulletins/{b.pk}/docx/")
    assert resp.status_code == 200
    bad = client.post("/life/bulletins/?org=T", {"month": "2025-13"})
    assert bad.status_code == 400 and "月份 13 不存在" in bad.content.decode()
    assert Bulletin.objects.count() == 1


def test_secretary_cannot_generate(tree, secretary_a, client):
    client.force_login(secretary_a)
    assert client.post("/life/bulletins/?org=T-A", {"month": "2025-10"}).status_code == 403
