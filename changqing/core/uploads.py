"""Uploads checked by what they are, not what they are called.

* Evidence (meeting photos, rating evidence): `upload_kind`, photos and PDFs at most 10 MB.
* Any upload claiming to be an image or a PDF is parsed (`check_content`): Pillow's verify for images,
  pypdf for PDFs (it reads the cross-reference table and the page tree, so a text file renamed .pdf, or
  one that merely starts with "%PDF-", is refused); an Office file must be a readable zip of bounded size.
* Spreadsheets (`spreadsheet_guard`): the unzipped size and the rows are capped before any parser opens them.
"""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError

MAX_BYTES = 10 * 1024 * 1024
TYPES = {"jpg": "image", "jpeg": "image", "png": "image", "pdf": "pdf"}


def upload_kind(upload) -> str:
    """"image" or "pdf" for an acceptable upload; a Chinese ValidationError on field "file" otherwise."""
    name = getattr(upload, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = TYPES.get(ext)
    if kind is None:
        raise ValidationError({"file": "只能上传 JPG、PNG 照片或 PDF 文件"})
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": f"文件太大（{upload.size / 1048576:.1f} MB），不能超过 10 MB"})
    try:
        check_content(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    return kind


IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp", "bmp"}
AUDIO_EXTENSIONS = {"wav", "mp3", "m4a", "aac", "mp4", "ogg", "oga", "opus", "webm", "amr", "3gp", "3gpp"}


def audio_kind(head: bytes) -> str | None:
    """The audio container a file's first bytes announce (WAV, MP3, M4A/MP4/3GP, OGG, WebM, AMR), else None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head[4:8] == b"ftyp":
        return "m4a"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[:5] == b"#!AMR":
        return "amr"
    return None


def check_audio(upload, *, max_bytes: int | None = None) -> str:
    """A voice note is what it claims by its first bytes, not its name; a Chinese ValidationError otherwise."""
    if max_bytes is not None and upload.size > max_bytes:
        raise ValidationError(f"录音文件太大（{upload.size / 1048576:.1f} MB），不能超过 {max_bytes / 1048576:.0f} MB，"
                              "请录一段简短的语音")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = audio_kind(head)
    if kind is None:
        raise ValidationError("不是可以播放的录音文件（支持 M4A、MP3、WAV、OGG、WebM、AMR），请用手机录音后重新上传")
    return kind
OFFICE_ZIP_EXTENSIONS = {"docx", "xlsx", "xlsm", "pptx"}


def _extension(upload) -> str:
    name = getattr(upload, "name", "") or ""
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_content(upload) -> None:
    """Parse a file that claims (by its name) to be an image, a PDF or an Office document; a Chinese
    ValidationError when it is not what it claims. An audio name must start with audio's magic bytes; other
    kinds (video, text) pass untouched."""
    ext = _extension(upload)
    try:
        if ext in IMAGE_EXTENSIONS:
            _check_image(upload)
        elif ext == "pdf":
            _check_pdf(upload)
        elif ext in AUDIO_EXTENSIONS:
            check_audio(upload)
        elif ext in OFFICE_ZIP_EXTENSIONS:
            upload.seek(0)
            if upload.read(4) != ZIP_MAGIC:
                raise ValidationError("文件已损坏，或不是它的扩展名所说的 Office 文档，请在 Office/WPS 中另存后上传")
            try:
                spreadsheet_guard(upload, count_rows=False)
            except SpreadsheetRefused as exc:
                raise ValidationError(str(exc).replace("Excel", "Office")) from None
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)


def validate_content(upload) -> None:
    """A model field validator: `check_content` (runs in the form's model validation)."""
    if upload and not getattr(upload, "_committed", True):  # a new upload, not a file already stored
        check_content(upload)


def _check_image(upload) -> None:
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError("照片文件已损坏或不是图片，请重新拍照或另存为 JPG、PNG 后上传") from None


def _check_pdf(upload) -> None:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    upload.seek(0)
    if upload.read(5) != b"%PDF-":
        raise ValidationError("不是有效的 PDF 文件（可能是改了扩展名的其他文件），请用“另存为 PDF”生成后上传")
    upload.seek(0)
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is refused, not logged as a warning
    try:
        reader = PdfReader(upload, strict=False)
        if len(reader.pages) < 1:
            raise ValueError("no pages")
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError, IndexError):
        raise ValidationError("PDF 文件已损坏或不是真正的 PDF，请用“另存为 PDF”重新生成后上传") from None


# -- spreadsheets: capped before any parser opens them ---------------------------------------------

class SpreadsheetRefused(ValueError):
    """An uploaded spreadsheet refused before parsing (the message is Chinese, for the user)."""


ZIP_MAGIC = b"PK\x03\x04"
ROW_TAG = re.compile(rb"<(?:\w{1,10}:)?row[\s>/]")  # <row r="1">, or <x:row …> from some programs
_SCAN_CHUNK = 1 << 20


def _limits() -> tuple[int, int]:
    from django.conf import settings

    conf = settings.CHANGQING
    return conf["UPLOAD_MAX_UNZIPPED_BYTES"], conf["UPLOAD_MAX_ROWS"]


def _mb(n: int) -> str:
    return f"{n / 1_000_000:,.0f} MB" if n >= 10_000_000 else f"{n / 1_000_000:.1f} MB"


def _open(source):
    if hasattr(source, "read"):
        source.seek(0)
        return source, False
    return open(source, "rb"), True


def spreadsheet_guard(source, *, count_rows: bool = True) -> None:
    """Refuse (SpreadsheetRefused, in Chinese) a spreadsheet too big to open, before openpyxl/xlrd/csv see it.

    An .xlsx is a zip: the sizes its members declare (central directory, read without unzipping) must sum to
    at most UPLOAD_MAX_UNZIPPED_BYTES — a zip bomb of a few KB that unzips to gigabytes is refused at once.
    With `count_rows` the sheets' rows (or a CSV's lines) are counted by streaming, without a parser,
    against UPLOAD_MAX_ROWS; the web request asks only for the directory check and leaves the count to
    the check that runs in a background job for large files.
    """
    import zipfile

    max_bytes, max_rows = _limits()
    fh, close = _open(source)
    try:
        head = fh.read(4)
        fh.seek(0)
        if head != ZIP_MAGIC:
            if count_rows and not head.startswith(b"\xd0\xcf\x11\xe0"):  # CSV: lines; .xls is not compressed
                _cap_rows(_count_lines(fh), max_rows)
            return
        try:
            zf = zipfile.ZipFile(fh)
            infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise SpreadsheetRefused("文件已损坏或不是 Excel 文件，请在 Excel 中另存为 .xlsx 后再上传") from None
        declared = sum(i.file_size for i in infos)
        if declared > max_bytes or len(infos) > 10_000:
            raise SpreadsheetRefused(
                f"文件解压后的大小（{_mb(declared)}）超过上限 {_mb(max_bytes)}，不像正常的名册，可能已损坏或被改动过。"
                "请在 Excel 中打开确认内容后另存为新文件，或分成几个文件导入")
        if count_rows:
            rows = 0
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    rows = max(rows, _count_tags(zf, info))
            _cap_rows(rows, max_rows)
    finally:
        if close:
            fh.close()
        else:
            fh.seek(0)


def _cap_rows(rows: int, max_rows: int) -> None:
    if rows > max_rows:
        raise SpreadsheetRefused(f"表格有 {rows:,} 行，超过一次导入的上限 {max_rows:,} 行，请分成几个文件导入")


def _count_tags(zf, info) -> int:
    """<row …> elements of one worksheet, streamed (its declared size is already capped)."""
    n, tail = 0, b""
    with zf.open(info) as part:
        while chunk := part.read(_SCAN_CHUNK):
            data = tail + chunk
            # A tag ending inside the carried-over tail was counted with the previous chunk.
            n += sum(1 for m in ROW_TAG.finditer(data) if m.end() > len(tail))
            tail = data[-32:]
    return n


def _count_lines(fh) -> int:
    n = 0
    while chunk := fh.read(_SCAN_CHUNK):
        n += chunk.count(b"\n")
    return n
