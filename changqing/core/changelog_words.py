"""The change history in words (issue 18): field names as their labels, values as a person reads them.

The history stores values as the serializer wrote them (ids, choice keys, file paths, ISO dates); this
turns each (field, before, after) into (label, before, after) text: a choice as its label, a related record
as its name (one query per related model and page), a file as 「已更换」, a date as 2025年1月3日, 是/否.
"""
from __future__ import annotations

import datetime as dt

from django.db import models

EMPTY = "（空）"


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def _ids(value) -> list:
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _names(model, rows) -> dict:
    """{(field name, pk): name} of every related record the rows mention, one query per related model."""
    wanted: dict = {}
    for name, before, after in rows:
        f = _field(model, name)
        if f is not None and f.is_relation and f.related_model is not None:
            wanted.setdefault(name, set()).update(str(i) for i in _ids(before) + _ids(after))
    out = {}
    for name, pks in wanted.items():
        related = _field(model, name).related_model
        try:
            for obj in related._base_manager.filter(pk__in=list(pks)):
                out[(name, str(obj.pk))] = str(obj)
        except (ValueError, TypeError):
            continue
    return out


def _date(value: str, with_time: bool) -> str:
    try:
        if with_time:
            d = dt.datetime.fromisoformat(str(value))
            return f"{d.year}年{d.month}月{d.day}日 {d:%H:%M}"
        d = dt.date.fromisoformat(str(value)[:10])
        return f"{d.year}年{d.month}月{d.day}日"
    except ValueError:
        return str(value)


def _one(f, value, names) -> str:
    if value in (None, "", []):
        return EMPTY
    if f is None:
        return str(value)
    if f.is_relation:
        return "、".join(names.get((f.name, str(i)), f"（已删除的记录）") for i in _ids(value))
    if f.choices:
        labels = {str(k): str(v) for k, v in f.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(f, models.BooleanField):
        return "是" if value in (True, "true", "True", 1) else "否"
    if isinstance(f, models.DateTimeField):
        return _date(value, True)
    if isinstance(f, models.DateField):
        return _date(value, False)
    return str(value)


def in_words(model, rows, hidden_marker=None) -> list[tuple[str, str, str]]:
    """(label, before, after) for a change's (field, before, after) rows."""
    names = _names(model, rows) if model is not None else {}
    out = []
    for name, before, after in rows:
        f = _field(model, name) if model is not None else None
        label = str(f.verbose_name) if f is not None and hasattr(f, "verbose_name") else name
        if hidden_marker is not None and before == hidden_marker:
            out.append((label, before, after))
        elif isinstance(f, models.FileField):
            # A stored path says nothing to a reader: say what happened to the file.
            if before and after:
                out.append((label, "原文件", "已更换"))
            else:
                out.append((label, "原文件" if before else "（无）", "已上传" if after else "已删除"))
        elif f is not None and f.many_to_many and f.related_model is not None:
            old, new = {str(i) for i in _ids(before)}, {str(i) for i in _ids(after)}
            added = [names.get((name, i), "（已删除的记录）") for i in sorted(new - old)]
            removed = [names.get((name, i), "（已删除的记录）") for i in sorted(old - new)]
            word = "照片" if "photo" in name else "记录"
            after_text = "；".join(filter(None, [f"新增{word}：{'、'.join(added)}" if added else "",
                                                f"去掉{word}：{'、'.join(removed)}" if removed else ""]))
            out.append((label, f"共 {len(old)} 项", after_text or f"共 {len(new)} 项"))
        else:
            out.append((label, _one(f, before, names), _one(f, after, names)))
    return out
