"""Charts for the yearly documents, drawn with Pillow (no internet, no plotting library).

Bars and lines with Chinese labels in Noto Sans CJK SC (installed by `make fonts`);
each chart is a PNG at twice its printed size so it stays sharp in the PDF.
Values are written on the bars and points, so a chart never relies on colour alone.
"""
from __future__ import annotations

import functools
import io
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

COLOURS = ["#b3261e", "#1f5f99", "#d08a00", "#2e7d32", "#6a4c93", "#00838f"]
INK, GRID, MUTED = "#222222", "#dddddd", "#666666"
DASHES = [None, (14, 8), (4, 6), (20, 6, 4, 6)]
MARKERS = ["circle", "square", "triangle", "diamond"]

_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
]


@functools.lru_cache(maxsize=1)
def _font_file() -> tuple[str, int] | None:
    for path, index in _CANDIDATES:
        if Path(path).exists():
            return path, index
    try:  # another layout: ask fontconfig
        out = subprocess.run(["fc-match", "-f", "%{file}|%{index}", "Noto Sans CJK SC"], capture_output=True,
                             text=True, timeout=10).stdout
        path, _, index = out.partition("|")
        if path and Path(path).exists():
            return path, int(index or 0)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    return None


@functools.lru_cache(maxsize=32)
def font(size: int):
    found = _font_file()
    if found is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(found[0], size=size, index=found[1])


def has_cjk_font() -> bool:
    return _font_file() is not None


def _text_size(draw, text, f) -> tuple[int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=f)
    return right - left, bottom - top


def _fmt(v: float) -> str:
    if isinstance(v, float) and v != int(v):
        return f"{v:,.1f}"
    return f"{int(v):,}"


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1
    v = v * 1.08  # headroom for the value written above the highest bar or point
    exp = 10 ** (len(str(int(v))) - 1)
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * exp >= v:
            return step * exp
    return 10 * exp


def _png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _fit(draw, text: str, f, width: int) -> str:
    if _text_size(draw, text, f)[0] <= width:
        return text
    while text and _text_size(draw, text + "…", f)[0] > width:
        text = text[:-1]
    return text + "…"


def hbar_chart(title: str, labels: list[str], values: list[float], *, unit: str = "",
               percents: list[float] | None = None, width: int = 1600) -> bytes:
    """Horizontal bars, one per label, the value (and share) written at the bar's end."""
    n = max(1, len(labels))
    bar_h, gap = 54, 22
    top, bottom = 110, 40
    height = top + n * (bar_h + gap) + bottom
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    d.text((40, 30), title, font=font(40), fill=INK)
    if unit:
        d.text((width - 40 - _text_size(d, f"单位：{unit}", font(26))[0], 44), f"单位：{unit}", font=font(26), fill=MUTED)
    lf = font(38)
    label_w = min(560, max([_text_size(d, s, lf)[0] for s in labels] + [80]) + 20)
    x0, x1 = 40 + label_w, width - 300
    vmax = _nice_max(max(values + [0]))
    for i, (label, v) in enumerate(zip(labels, values)):
        y = top + i * (bar_h + gap)
        label = _fit(d, label, lf, label_w - 20)
        tw, th = _text_size(d, label, lf)
        d.text((x0 - 20 - tw, y + (bar_h - th) // 2 - 8), label, font=lf, fill=INK)
        w = int((x1 - x0) * (v / vmax)) if vmax else 0
        d.rectangle([x0, y, x0 + max(w, 2), y + bar_h], fill=COLOURS[i % 2])
        text = _fmt(v) + (f"（{percents[i]:.1f}%）" if percents else "")
        d.text((x0 + max(w, 2) + 12, y + 2), text, font=font(36), fill=INK)
    d.line([x0, top - 10, x0, height - bottom + 5], fill=INK, width=2)
    return _png(img)


def vbar_chart(title: str, labels: list[str], series: dict[str, list[float]], *, unit: str = "",
               width: int = 1600, height: int = 760) -> bytes:
    """Grouped vertical bars over categories (e.g. months), with a legend when there are several series."""
    img, d, names = _series_canvas(title, series, unit, width, height, kind="bar")
    left, right, top, bottom = 120, width - 40, 160, height - 80
    vmax = _nice_max(max([v for vs in series.values() for v in vs] + [0]))
    _grid(d, left, right, top, bottom, vmax)
    n = max(1, len(labels))
    slot = (right - left) / n
    bw = slot * 0.7 / max(1, len(names))
    vf = font(24 if len(names) > 1 or n > 8 else 30)
    for j, name in enumerate(names):
        for i, v in enumerate(series[name]):
            x = left + i * slot + slot * 0.15 + j * bw
            h = (bottom - top) * (v / vmax)
            fill = COLOURS[j % len(COLOURS)]
            d.rectangle([x, bottom - h, x + bw - 4, bottom], fill=fill,
                        outline=INK if j % 2 else None, width=2 if j % 2 else 0)
            t = _fmt(v)
            tw, _ = _text_size(d, t, vf)
            if tw <= bw + 4:  # a value wider than its bar would run into the next one: left out
                d.text((x + (bw - 4 - tw) / 2, bottom - h - 32), t, font=vf, fill=INK)
    lf = font(30)
    for i, label in enumerate(labels):
        tw, _ = _text_size(d, label, lf)
        d.text((left + i * slot + (slot - tw) / 2, bottom + 14), label, font=lf, fill=INK)
    return _png(img)


def line_chart(title: str, labels: list[str], series: dict[str, list[float]], *, unit: str = "",
               width: int = 1600, height: int = 760) -> bytes:
    """Lines over years, each series its own colour, dash and marker, values written at the points."""
    img, d, names = _series_canvas(title, series, unit, width, height, kind="line")
    left, right, top, bottom = 150, width - 90, 170, height - 80
    vmax = _nice_max(max([v for vs in series.values() for v in vs] + [0]))
    _grid(d, left, right, top, bottom, vmax)
    n = len(labels)
    xs = [left + (right - left) * (i + 0.5) / max(1, n) for i in range(n)]
    lf = font(30)
    for x, label in zip(xs, labels):
        tw, _ = _text_size(d, label, lf)
        d.text((x - tw / 2, bottom + 14), label, font=lf, fill=INK)
    vf = font(28)
    for j, name in enumerate(names):
        colour = COLOURS[j % len(COLOURS)]
        pts = [(x, bottom - (bottom - top) * (v / vmax)) for x, v in zip(xs, series[name])]
        _polyline(d, pts, colour, DASHES[j % len(DASHES)])
        for (x, y), v in zip(pts, series[name]):
            _marker(d, x, y, MARKERS[j % len(MARKERS)], colour)
            t = _fmt(v)
            tw, _ = _text_size(d, t, vf)
            d.text((x - tw / 2, y - 48 if j % 2 == 0 else y + 16), t, font=vf, fill=colour)
    return _png(img)


def _grid(d, left, right, top, bottom, vmax):
    f = font(26)
    for k in range(6):
        y = bottom - (bottom - top) * k / 5
        d.line([left, y, right, y], fill=GRID if k else INK, width=2)
        t = _fmt(vmax * k / 5)
        tw, th = _text_size(d, t, f)
        d.text((left - 12 - tw, y - th / 2 - 6), t, font=f, fill=MUTED)


def _series_canvas(title, series, unit, width, height, kind):
    """A white canvas with the title, the legend of the series and the unit: the top of every series chart."""
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    d.text((40, 26), title, font=font(40), fill=INK)
    names = list(series)
    _legend(d, names, width, 90, kind=kind)
    if unit:
        d.text((40, 96), f"单位：{unit}", font=font(26), fill=MUTED)
    return img, d, names


def _legend(d, names, width, y, kind):
    if len(names) < 2:
        return
    f = font(26)
    x = width - 40
    for j, name in reversed(list(enumerate(names))):
        tw, _ = _text_size(d, name, f)
        x -= tw
        d.text((x, y), name, font=f, fill=INK)
        x -= 70
        colour = COLOURS[j % len(COLOURS)]
        if kind == "bar":
            d.rectangle([x + 10, y + 6, x + 50, y + 30], fill=colour, outline=INK if j % 2 else None,
                        width=2 if j % 2 else 0)
        else:
            _polyline(d, [(x + 4, y + 18), (x + 58, y + 18)], colour, DASHES[j % len(DASHES)])
            _marker(d, x + 31, y + 18, MARKERS[j % len(MARKERS)], colour)
        x -= 30


def _polyline(d, pts, colour, dash):
    if dash is None:
        d.line(pts, fill=colour, width=5, joint="curve")
        return
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 or 1
        pos, k = 0.0, 0
        while pos < length:
            seg = dash[k % len(dash)]
            if k % 2 == 0:
                a, b = pos / length, min(length, pos + seg) / length
                d.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
                       fill=colour, width=5)
            pos += seg
            k += 1


def _marker(d, x, y, shape, colour):
    r = 10
    if shape == "circle":
        d.ellipse([x - r, y - r, x + r, y + r], fill=colour)
    elif shape == "square":
        d.rectangle([x - r, y - r, x + r, y + r], fill=colour)
    elif shape == "triangle":
        d.polygon([(x, y - r - 2), (x - r - 2, y + r), (x + r + 2, y + r)], fill=colour)
    else:
        d.polygon([(x, y - r - 3), (x + r + 3, y), (x, y + r + 3), (x - r - 3, y)], fill=colour)
