"""Uploaded evidence (meeting photos, rating evidence): photos checked with Pillow and PDF, at most 10 MB."""
from __future__ import annotations

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
    if kind == "image":
        from PIL import Image, UnidentifiedImageError

        try:
            Image.open(upload).verify()
        except (UnidentifiedImageError, OSError, SyntaxError):
            raise ValidationError({"file": "照片文件已损坏或不是图片"}) from None
        upload.seek(0)
    else:
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise ValidationError({"file": "不是有效的 PDF 文件"})
    return kind
