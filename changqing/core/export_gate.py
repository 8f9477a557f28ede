"""The export gate: every file of records that leaves the platform for a user passes here.

A user may view more than they may export (a liaison of branch A who is also a
committee member over branch B views A and B and exports only B), so "may export
somewhere" is not enough: the rows themselves must be inside the export scope.
The gate, opened once per export request:

* refuses (403, in Chinese) a user whose export scope is empty;
* narrows rows to the export scope (`rows`), or a single record the export is
  about (a branch's ledger, a report, a job's file) must lie inside it
  (`require`); a table computed per organisation narrows the organisations it is
  computed from; an export about a subtree needs some of it exportable (`reach`);
* keeps a hook's rows inside the gated rows (`keep`) and hands hooks chunks of
  gated rows to decorate, never a queryset to replace (`objects`);
* caps the rows at settings.CHANGQING["EXPORT_MAX_ROWS"] (`capped`);
* writes the operation-log entry with the number of rows (`log`, `xlsx`, `file`, `printed`);
* marks every sheet it writes with a watermark: who exported, when (`watermark`).

A print of a roster (a page's print version: the birthday list, a person's
ledger, a results list) is data leaving on paper: it passes here too, opened
with `kind="print"`. Whoever may view the page may print it (no export scope
needed: the page is already on their screen), and the print is logged as an
export of that many rows with `"kind": "print"`.

No other module writes an OperationLog.Event.EXPORT entry (a test checks this),
so an export that skips the gate is one that is not logged either.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse

from changqing.core.exports import watermark_text, xlsx_response
from changqing.core.files import serve_file
from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation
from changqing.core.redact import scrub_query

from .scope import restrict, scope_for

REFUSED = "您没有导出权限：您的角色不能导出数据"
OUTSIDE = "不能导出：该记录不在您可导出的范围内（您可以查看，但导出权限只限于您负责的组织）"
CHUNK = 2000


class ExportGate:
    """One export: open it with the request (403 when nothing may be exported), pass the rows through it."""

    def __init__(self, request, *, kind: str = "export"):
        self.request = request
        self.user = request.user
        self.kind = kind
        if kind != "print" and scope_for(self.user, "export").empty:
            raise PermissionDenied(REFUSED)
        self.limit: int = settings.CHANGQING["EXPORT_MAX_ROWS"]
        self.count = 0  # rows handed out by capped()
        self.truncated = False

    # -- narrowing ----------------------------------------------------------------------------
    def rows(self, queryset: QuerySet) -> QuerySet:
        """The records of `queryset` the user may export."""
        return restrict(queryset, self.user, "export")

    def require(self, obj):
        """The one record an export is about must be exportable, else 403 (not 404: the user may view it)."""
        if not restrict(type(obj)._default_manager.filter(pk=obj.pk), self.user, "export").exists():
            raise PermissionDenied(OUTSIDE)
        return obj

    def reach(self, org):
        """An export about an organisation's subtree (a dashboard's records, a heat map) needs some of that
        subtree to be exportable, else 403; its rows are still narrowed by `rows`."""
        scope = scope_for(self.user, "export")
        below = any(p.startswith(org.path) for p in scope.org_paths)
        if not (scope.covers_path(org.path) or below):
            raise PermissionDenied(OUTSIDE)
        return org

    @staticmethod
    def keep(gated: QuerySet, hooked: QuerySet) -> QuerySet:
        """A hook's queryset (annotated, reordered, narrowed), ANDed with the gated rows so it cannot widen them."""
        if hooked is gated:
            return gated
        if not isinstance(hooked, QuerySet) or hooked.model is not gated.model:
            raise TypeError("导出钩子必须返回同一模型的查询集")
        return hooked & gated

    # -- the cap ------------------------------------------------------------------------------
    def capped(self, rows: Iterable) -> Iterator:
        """At most `limit` rows; counts them in `count` and notes whether more were left out."""
        for row in rows:
            if self.count >= self.limit:
                self.truncated = True
                return
            self.count += 1
            yield row

    def objects(self, rows: QuerySet, prepare: Callable[[list], None] | None = None) -> Iterator:
        """Model objects of gated rows in chunks, one past the cap (for `capped` to see it was reached);
        `prepare(chunk)` may attach computed data to each chunk, in place: it is given the objects, not
        the query, so it cannot add rows. Write them through `capped` (or `xlsx`, which caps)."""
        chunk: list = []
        for row in rows[: self.limit + 1].iterator(chunk_size=CHUNK):
            chunk.append(row)
            if len(chunk) == CHUNK:
                if prepare is not None:
                    prepare(chunk)
                yield from chunk
                chunk = []
        if chunk and prepare is not None:
            prepare(chunk)
        yield from chunk

    # -- the log ------------------------------------------------------------------------------
    def log(self, detail: str, *, org_path: str = "", data: dict | None = None):
        # A search term may be a whole ID number or phone (found by its hash): logged masked.
        data = {"query": scrub_query(self.request.GET.urlencode()), **(data or {})}
        if self.kind != "export":
            data["kind"] = self.kind
        if self.truncated:
            data["truncated_at"] = self.limit
        return log_operation(OperationLog.Event.EXPORT, request=self.request, detail=detail, org_path=org_path,
                             data=data)

    def printed(self, what: str, rows: int, *, org_path: str = "", data: dict | None = None):
        """A print version served: 打印「what」N 条, with the row count."""
        self.count = rows
        return self.log(f"打印「{what}」{rows} 条", org_path=org_path, data={"rows": rows, **(data or {})})

    # -- writing ------------------------------------------------------------------------------
    @property
    def watermark(self) -> str:
        """Who is exporting, now: every sheet written through the gate carries it."""
        return watermark_text(self.user)

    def xlsx(self, title: str, headers: list[str], rows: Iterable[list], *, subtitle: str = "",
             number_formats: dict[int, str] | None = None, sheet_name: str = "", filename: str = "",
             org_path: str = "", data: dict | None = None, unit: str = "条") -> HttpResponse:
        """The rows (already gated) as one xlsx sheet, capped, logged as 导出「title」N 条."""
        response = xlsx_response(title, headers, self.capped(rows), subtitle=subtitle,
                                 number_formats=number_formats, sheet_name=sheet_name, filename=filename,
                                 watermark=self.watermark)
        self.log(f"导出「{title}」{self.count} {unit}", org_path=org_path, data={"rows": self.count, **(data or {})})
        return response

    def file(self, obj, fieldfile, filename: str, detail: str, *, org_path: str = "",
             data: dict | None = None) -> HttpResponse:
        """A stored file (a report, a job's result, an attachment) of a record that must be exportable."""
        self.require(obj)
        self.log(detail, org_path=org_path, data=data)
        return serve_file(fieldfile, filename=filename, as_attachment=True)
