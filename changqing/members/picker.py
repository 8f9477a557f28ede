"""One person picker for every form that picks a person (a retiree, a member, a user).

Server side it is a plain <select>, so it works without JavaScript: the options are sorted by pinyin, and the
people the task concerns (overdue visits, unpaid dues, immobile members) come first in an option group
"需要关注". Each option carries its pinyin and initials in data- attributes; static/js/picker.js adds a search
box above the select that matches the name's characters, its full pinyin or its initials, and shows the
concerned people as large buttons before anything is typed.

Use `person_picker(field, concerned=ids)` on a ModelChoiceField whose queryset is already scoped.
"""
from __future__ import annotations

from collections.abc import Iterable

from django import forms

CONCERNED_LABEL = "需要关注"
ALL_LABEL = "全部（按拼音排序）"


def _retiree_of(obj):
    """The retiree a Retiree or a Membership stands for; None for a user (named by their account's name)."""
    from changqing.members.models import Membership, Retiree

    if isinstance(obj, Retiree):
        return obj
    if isinstance(obj, Membership):
        return obj.retiree
    return None


def _user_name(obj) -> str:
    return getattr(obj, "full_name", "") or getattr(obj, "display_name", "") or str(obj)


def person_pinyin(obj) -> tuple[str, str]:
    """(full pinyin, initials) of a Retiree, a Membership (its retiree) or a User (its name)."""
    retiree = _retiree_of(obj)
    if retiree is not None:
        return retiree.name_pinyin or "", retiree.name_initials or ""
    from changqing.members.models import name_pinyin

    return name_pinyin(_user_name(obj))


def person_name(obj) -> str:
    retiree = _retiree_of(obj)
    return retiree.name if retiree is not None else _user_name(obj)


class PersonPicker(forms.Select):
    """A <select> whose options know their pinyin; the concerned people in a first group."""

    template_name = "widgets/person_picker.html"

    class Media:
        css = {"all": ("css/picker.css",)}
        js = ("js/picker.js",)

    def __init__(self, attrs=None, *, concerned: Iterable[int] = (), hint: str = ""):
        super().__init__(attrs)
        self.concerned = set(concerned)
        self.hint = hint

    def __deepcopy__(self, memo):
        obj = super().__deepcopy__(memo)
        obj.concerned = set(self.concerned)
        return obj

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-picker"] = "1"
        context["widget"]["hint"] = self.hint
        context["widget"]["concerned_label"] = CONCERNED_LABEL
        return context

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            full, initials = person_pinyin(instance)
            option["attrs"].update({"data-pinyin": full, "data-initials": initials,
                                    "data-name": person_name(instance)})
            if getattr(value, "value", None) in self.concerned:
                option["attrs"]["data-concerned"] = "1"
        return option

    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        if not self.concerned:
            return groups
        empty, first, rest = [], [], []
        for _group, options, _index in groups:
            for option in options:
                if option["value"] in (None, ""):
                    empty.append(option)
                elif option["attrs"].get("data-concerned"):
                    first.append(option)
                else:
                    rest.append(option)
        out = [(None, empty, 0)] if empty else []
        if first:
            out.append((CONCERNED_LABEL, first, len(out)))
        if rest:
            out.append((ALL_LABEL if first else None, rest, len(out)))
        return out


def person_picker(field: forms.ModelChoiceField, *, concerned: Iterable[int] = (), hint: str = "",
                  order: tuple[str, ...] | None = None) -> forms.ModelChoiceField:
    """Make `field` a pinyin-sorted person picker; `concerned` ids first (in pinyin order too)."""
    from django.contrib.auth import get_user_model

    qs = field.queryset
    is_user = qs.model is get_user_model()
    if order is None:
        model = qs.model
        if is_user:
            order = ()
        elif hasattr(model, "name_pinyin"):
            order = ("name_pinyin", "pk")
        elif any(f.name == "retiree" for f in model._meta.get_fields()):
            order = ("retiree__name_pinyin", "pk")
            qs = qs.select_related("retiree")
        else:
            order = ()
    if order:
        qs = qs.order_by(*order)
    field.queryset = qs
    widget = PersonPicker(attrs=field.widget.attrs, concerned=concerned,
                          hint=hint or "可输入拼音、首字母或姓名查找")
    widget.choices = field.choices
    widget.is_required = field.required
    field.widget = widget
    if not order and is_user:
        # A user's name has no stored pinyin: sort the options in Python (a few dozen carers at most).
        from changqing.members.models import name_pinyin

        users = sorted(qs, key=lambda u: (name_pinyin(_user_name(u))[0], u.pk))
        field.queryset = qs.model.objects.filter(pk__in=[u.pk for u in users])
        widget.choices = _ordered_choices(field, users)
    return field


def _ordered_choices(field, objects):
    """Choices in a given Python order (for models without a stored pinyin)."""
    from django.forms.models import ModelChoiceIteratorValue

    choices = [("", field.empty_label)] if field.empty_label is not None else []
    for obj in objects:
        choices.append((ModelChoiceIteratorValue(field.prepare_value(obj), obj), field.label_from_instance(obj)))
    return choices
