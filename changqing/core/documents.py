"""Word documents (python-docx) in Chinese official style, and their PDF through LibreOffice.

Shared by the monthly bulletin (life/bulletin.py) and the yearly reports
(reports/). Text is set in the Noto CJK faces installed by `make fonts`
(fonts-noto-cjk); the PDF comes from `soffice --headless --convert-to pdf`,
which embeds them. Without LibreOffice, `docx_to_pdf` returns None and the
callers keep the .docx alone and say so.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
CN_NUM = "一二三四五六七八九十"


def set_font(run, name=SERIF, size=None, bold=None):
    """Set a run's face for Latin and East Asian text, and mark it simplified Chinese."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        rfonts.set(qn(attr), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")  # so the simplified-Chinese face of the CJK font is used
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold


def para(doc, text, *, size=15, bold=False, font=SERIF, align=None, indent=True, space_after=6,
         line_spacing=1.4, keep_with_next=False):
    """A paragraph of one run; body text gets a two-character first-line indent."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    if align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    fmt = p.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.line_spacing = line_spacing
    if keep_with_next:  # only ever set: an explicit w:keepNext w:val="0" chains pages in LibreOffice
        fmt.keep_with_next = True
    if indent and align is None:
        fmt.first_line_indent = Pt(size * 2)
    set_font(p.add_run(text), font, size, bold)
    return p


def heading(doc, text, *, size=16):
    """A section heading (黑体-like sans, bold), kept with what follows."""
    return para(doc, text, size=size, bold=True, font=SANS, indent=False, space_after=6, keep_with_next=True)


def new_document(*, body_size=15, margins_cm=(3.7, 3.5, 2.8, 2.6)):
    """An A4 document with official-document margins (top, bottom, left, right in cm)."""
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    top, bottom, left, right = margins_cm
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(top), Cm(bottom)
        section.left_margin, section.right_margin = Cm(left), Cm(right)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = SERIF, Pt(body_size)
    return doc


def text_width_cm(doc) -> float:
    s = doc.sections[0]
    return (s.page_width - s.left_margin - s.right_margin) / 360000


def table(doc, headers: list[str], rows: list[list], *, widths_cm: list[float] | None = None, size=11,
          align_numbers=True):
    """A gridded table: bold header row repeated on every page, numbers right-aligned, fixed widths."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    t = doc.add_table(rows=1, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    hdr = t.rows[0]
    trpr = hdr._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    for cell, text in zip(hdr.cells, headers):
        cell.text = ""
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(p.add_run(str(text)), SANS, size, True)
    for row in rows:
        cells = t.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = ""
            p = cell.paragraphs[0]
            if align_numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            set_font(p.add_run(_cell_text(value)), SERIF, size)
    if widths_cm:
        t.autofit = False
        widths = [Cm(w) for w in widths_cm]
        for col, w in zip(t.columns, widths):
            col.width = w
        for r in t.rows:
            for cell, w in zip(r.cells, widths):
                cell.width = w
    doc.add_paragraph().paragraph_format.space_after = 0
    return t


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}" if value != int(value) else f"{int(value):,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def picture(doc, png: bytes, *, width_cm: float, caption: str = ""):
    """A centred image (a chart), with an optional caption under it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if caption:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    if caption:
        para(doc, caption, size=11, font=SANS, align="center", space_after=10)


def watermark_text(user, when=None) -> str:
    """Who made the document, when: a header line on every page (and so in its PDF)."""
    from django.utils import timezone

    who = (getattr(user, "display_name", "") or user.get_username()) if user is not None else "系统"
    when = timezone.localtime(when or timezone.now())
    return f"生成人：{who} · 生成时间：{when:%Y-%m-%d %H:%M} · 内部资料，注意保密"


def mark_document(docx: bytes, text: str) -> bytes:
    """The .docx with `text` as a small header line on every page of every section."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document(io.BytesIO(docx))
    for section in doc.sections:
        for header in (section.header, section.first_page_header, section.even_page_header):
            header.is_linked_to_previous = False
            p = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
            p.text = ""
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            set_font(p.add_run(text), SANS, 9)
    return to_bytes(doc)


def to_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, timeout: int = 180) -> bytes | None:
    """The PDF of a .docx through LibreOffice headless (a private profile per call); None without it."""
    exe = soffice()
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="cq-doc-") as tmp:
        src = Path(tmp) / "document.docx"
        src.write_bytes(docx)
        profile = Path(tmp) / "profile"
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=timeout)
        out = Path(tmp) / "document.pdf"
        return out.read_bytes() if out.exists() else None
