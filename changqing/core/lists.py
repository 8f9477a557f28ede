"""Generic list pages: scope, filter, sort, page, export — declared, not rewritten.

A list view names its queryset, FilterSet and columns; the base class applies
the user's scope first, then the FilterSet, then sorting, and serves the same
rows as HTML (paged) or as an xlsx export (?export=xlsx), so an export is
exactly the filtered list the user sees, narrowed by the export gate
(core/export_gate.py) to the rows the user may export.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Callable

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.formats import date_format
from django.views.generic import TemplateView

from changqing.core.export_gate import ExportGate
from changqing.core.masking import Reveal
from changqing.core.scope import can, restrict, scope_for


@dataclass
class Column:
    key: str  # attribute path on the row, with "." for relations, or a callable's name
    label: str
    sort: str | None = None  # ORM ordering key; None = not sortable
    link: bool = False  # render as a link to the row's get_absolute_url
    value: Callable[[Any], Any] | None = None  # custom getter (row) -> value
    export: bool = True
    # Personal data derived from the ID number (birth date, age): what a viewer who may not reveal the
    # row's person gets instead (core.masking); such a column sorts only for those who may reveal all.
    masked: Callable[[Any], Any] | None = None
    masked_label: str = ""

    def value_for(self, row, reveal: Reveal):
        if self.masked is not None and not reveal.may(row):
            return self.masked(row)
        return self.get(row)

    def get(self, row):
        if self.value is not None:
            return self.value(row)
        target = row
        for part in self.key.split("."):
            target = getattr(target, part, None)
            if target is None:
                return ""
            if callable(target) and not hasattr(target, "_meta"):
                target = target()
        return target


def display(value) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "Y年n月j日 H:i")
    if isinstance(value, dt.date):
        return date_format(value, "Y年n月j日")
    return str(value)


class ScopedListView(LoginRequiredMixin, TemplateView):
    template_name = "core/list.html"
    queryset = None
    filterset_class = None
    columns: list[Column] = []
    default_ordering: str | None = None
    title = ""
    export_title = ""
    action = "view"
    create_url_name: str | None = None
    paginate_by = None

    def get_base_queryset(self):
        return self.queryset.all()

    def get_rows(self):
        qs = self.scoped(self.get_base_queryset())
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            qs = self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else qs
        ordering = self.current_ordering()
        if ordering:
            qs = qs.order_by(ordering, "pk")
        return qs

    def scoped(self, qs):
        """The rows the user may reach; a view whose visibility is wider overrides this, never skips it."""
        return restrict(qs, self.request.user, self.action)

    @cached_property
    def reveal(self) -> Reveal:
        return Reveal(self.request.user)

    def shown_columns(self) -> list[Column]:
        """The columns as this user sees them: a masked column is relabelled and unsortable unless they may
        reveal every row (sorting by birth date would confirm what the band hides)."""
        out = []
        for c in self.columns:
            if c.masked is not None and not self.reveal.everywhere:
                label = c.masked_label or c.label
                if not self.reveal.scope.empty and c.masked_label:
                    label = f"{c.label}/{c.masked_label}"
                c = replace(c, sort=None, label=label)
            out.append(c)
        return out

    def cell(self, column: Column, row):
        return column.value_for(row, self.reveal)

    def sortable_keys(self) -> dict[str, str]:
        return {c.key: c.sort for c in self.shown_columns() if c.sort}

    def current_ordering(self) -> str | None:
        key = self.request.GET.get("sort", "")
        desc = key.startswith("-")
        field = self.sortable_keys().get(key.lstrip("-"))
        if field:
            return f"-{field}" if desc else field
        return self.default_ordering

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The export decides rights in the gate; a list changes what it writes through the hooks below.
        if cls.export is not ScopedListView.export:
            raise TypeError(f"{cls.__name__} 不能覆盖 export()：请改用 export_queryset / export_prepare / write_export")

    def get(self, request, *args, **kwargs):
        if scope_for(request.user, self.action).empty:
            raise PermissionDenied("您的角色无权查看此页面")
        rows = self.get_rows()
        if request.GET.get("export") == "xlsx":
            return self.export(rows)
        return super().get(request, *args, **kwargs)

    def export(self, rows):
        """?export=xlsx: the listed rows, narrowed to the export scope by the gate before any hook sees them.

        A user may view more than they may export (a liaison of one branch who is a committee
        member over another); the gate also refuses an empty export scope, caps and logs.
        """
        gate = ExportGate(self.request)
        if (subject := self.export_subject()) is not None:
            gate.reach(subject)
        gated = gate.rows(rows)
        return self.write_export(gate, gate.keep(gated, self.export_queryset(gated)))

    # -- export hooks: each receives rows already inside the export scope --------------------------
    def export_subject(self):
        """The organisation whose subtree the list is about (its title names it), or None."""
        return None

    def export_queryset(self, rows):
        """The gated rows, annotated or narrowed for the export; whatever is returned is kept inside them."""
        return rows

    def export_prepare(self, chunk: list) -> None:
        """Attach computed data to a chunk of gated row objects, in place (dues, contact months)."""

    def write_export(self, gate, rows):
        """The file: one xlsx of the export columns as displayed on the page."""
        columns = [c for c in self.shown_columns() if c.export]
        body = ([display(self.cell(c, r)) for c in columns] for r in gate.objects(rows, self.export_prepare))
        return gate.xlsx(self.export_title or self.title, [c.label for c in columns], body)

    def render_row(self, row) -> list[dict]:
        url = row.get_absolute_url() if hasattr(row, "get_absolute_url") else None
        return [
            {"label": c.label, "value": display(self.cell(c, row)), "url": url if c.link else None}
            for c in self.shown_columns()
        ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = self.get_rows()
        size = self.paginate_by or settings.CHANGQING["PAGE_SIZE"]
        page = Paginator(rows, size).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        current_sort = self.request.GET.get("sort", "")
        ctx.update(
            title=self.title,
            filterset=self.filterset,
            page_obj=page,
            columns=self.shown_columns(),
            table=[self.render_row(r) for r in page.object_list],
            rows=page.object_list,
            query=query.urlencode(),
            sort_query=sort_query.urlencode(),
            current_sort=current_sort,
            can_export=can(self.request.user, "export"),
            create_url_name=self.create_url_name if can(self.request.user, "change") else None,
        )
        return ctx
