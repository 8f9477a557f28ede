"""Importing a roster sheet: check every row, then write all of it or nothing.

    report = roster_import_file(path, name, user=user, default_org=branch, dry_run=True)

Rows are streamed from the file and handled in batches (rules.batch_size): one
query finds the people of a batch already on record by ID number, then new
people, memberships and their history are written with bulk_create and
changes with bulk_update, so the number of queries grows with batches, not
rows, and memory holds one batch. The import runs in one transaction; the first
error stops the writing and at the end everything is rolled back, while the
checking goes on so the report names every bad row.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from changqing.core.scope import Scope, scope_for
from changqing.core import idcard
from changqing.members.models import (
    Membership, MembershipEvent, MembershipPeriod, MembershipState, MembershipStatus, PersonStatus, Retiree,
    name_pinyin,
)
from changqing.members.services import HOLDING_KINDS
from changqing.orgs.models import Organization
from changqing.core.tree import in_subtree

from . import rules as roster_rules
from .cells import text
from .checks import RowResult, check_row
from .layout import BY_KEY, NOT_MEMBER, RETIREE_FIELDS
from .reader import Header, SheetReader, is_footer, is_repeated_header

IMPORT_NOTE = "名册导入"
DEFAULTS = {"ethnicity": "汉族", "retirement_kind": "tuixiu", "health": "good", "living": "with_family",
            "mobility_impaired": False, "status": PersonStatus.ALIVE}
MEMBERSHIP_KEYS = {"membership_status": "status", "joined_on": "joined_on", "full_on": "full_on",
                   "joined_org_name": "joined_org_name"}
SAMPLE_SIZE = 30


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    header_row: int | None = None
    sheet: str = ""
    ignored: list[str] = field(default_factory=list)
    samples: list[dict] = field(default_factory=list)  # a few of the creates and updates, for the preview
    dry_run: bool = True
    imported: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_json(self) -> dict:
        """The shape the command prints and tests assert, exactly."""
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "errors": [dict(e) for e in self.errors]}

    def as_report(self) -> dict:
        return {"errors": self.errors, "ignored": self.ignored, "samples": self.samples}


class _Rollback(Exception):
    pass


@dataclass
class _Pending:
    result: RowResult
    org: Organization | None
    org_explicit: bool


class RosterImporter:
    def __init__(self, *, user=None, default_org: Organization | None = None, today: dt.date | None = None,
                 progress: Callable[[int, int], None] | None = None):
        self.user = user
        self.scope: Scope = scope_for(user, "change") if user is not None else Scope(everything=True)
        self.default_org = default_org
        self.today = today or timezone.localdate()
        self.rules = roster_rules.current()
        self.progress = progress
        self.report = ImportReport()
        self.header: Header | None = None
        self._orgs_by_code: dict[str, Organization | None] = {}
        self._orgs_by_name: dict[str, list[Organization]] = {}
        self._seen: dict[str, int] = {}
        self._write = False
        self._now = timezone.now()

    # -- errors -------------------------------------------------------------------

    def _add_error(self, row: int, column: str, value, message: str):
        self.report.error_count += 1
        if len(self.report.errors) < self.rules.max_errors:
            self.report.errors.append({"row": row, "column": column, "value": _json_value(value), "message": message})

    def _row_error(self, pending: _Pending, key: str, message: str, raw: dict):
        pending.result.error(key, message)
        self._add_error(pending.result.row, self.header.header_of(key), raw.get(key), message)

    # -- organisations --------------------------------------------------------------

    def _in_scope(self, path: str) -> bool:
        return self.scope.covers_path(path)

    def _load_orgs(self):
        qs = Organization.objects.only("pk", "code", "name", "kind", "path", "dissolved_on")
        if not self.scope.everything:
            from django.db.models import Q

            q = Q(pk__in=[])
            for p in self.scope.org_paths:
                q |= in_subtree(p)
            qs = qs.filter(q)
        for org in qs:
            self._orgs_by_code[org.code.lower()] = org
            self._orgs_by_name.setdefault(org.name, []).append(org)

    def _resolve_org(self, code, name) -> tuple[Organization | None, str | None, str | None]:
        """(org, column key of a problem, message)."""
        code, name = text(code), text(name).replace(" ", "")
        org = None
        if code:
            org = self._orgs_by_code.get(code.lower())
            if org is None:
                if code.lower() not in self._orgs_by_code:
                    exists = Organization.objects.filter(code__iexact=code).exists()
                    self._orgs_by_code[code.lower()] = None
                    self._orgs_by_code[f"?{code.lower()}"] = exists
                exists = self._orgs_by_code.get(f"?{code.lower()}")
                return None, "org_code", (f"组织编码“{code}”不在您的管理范围内" if exists else f"没有编码为“{code}”的组织")
            if name and name != org.name:
                return None, "org_name", f"组织编码“{code}”是“{org.name}”，与所填组织名称“{name}”不一致"
        elif name:
            found = self._orgs_by_name.get(name, [])
            if not found:
                return None, "org_name", f"在您的管理范围内找不到名为“{name}”的组织，请写全称或填写组织编码"
            if len(found) > 1:
                codes = "、".join(o.code for o in found[:5])
                return None, "org_name", f"有{len(found)}个组织都叫“{name}”（编码 {codes}），请填写组织编码"
            org = found[0]
        if org is not None and org.dissolved_on:
            return None, "org_code" if code else "org_name", f"“{org.name}”已于{org.dissolved_on:%Y年%m月%d日}撤销"
        return org, None, None

    # -- the run ---------------------------------------------------------------------

    def run(self, path, name: str, *, dry_run: bool) -> ImportReport:
        self.report.dry_run = dry_run
        reader = SheetReader(path, name, self.rules.header_scan_rows)
        try:
            header, rows = reader.open()
            self.header = header
            self.report.header_row = header.row
            self.report.sheet = reader.sheet_title
            self.report.ignored = header.ignored
            for written, message in header.problems:
                self._add_error(header.row, written, written, message)
            keys = header.keys()
            if not {"org_code", "org_name"} & keys and self.default_org is None:
                self._add_error(header.row, "所在组织", "", "表中没有“所在组织”或“组织编码”列，请在表中加上，或在导入时选择默认组织")
            if self.default_org is not None and not self._in_scope(self.default_org.path):
                self._add_error(header.row, "所在组织", self.default_org.name, f"“{self.default_org.name}”不在您的管理范围内")
            self._load_orgs()
            if dry_run:
                self._stream(rows, reader.estimated_rows)
            else:
                try:
                    with transaction.atomic():
                        self._write = self.report.ok
                        self._stream(rows, reader.estimated_rows)
                        if not self.report.ok:
                            raise _Rollback
                except _Rollback:
                    self.report.created = self.report.updated = self.report.unchanged = 0
                else:
                    self.report.imported = True
        finally:
            reader.close()
        self.report.errors.sort(key=lambda e: (e["row"], _column_order(e["column"], self.header)))
        return self.report

    def _stream(self, rows, estimated: int):
        batch: list[tuple[_Pending, dict]] = []
        for number, values in rows:
            if not any(v is not None and str(v).strip() for v in values):
                continue
            if is_footer(values) or is_repeated_header(values, self.header):
                continue
            raw = {col.key: (values[i] if i < len(values) else None) for i, col in self.header.columns.items()}
            self.report.rows += 1
            batch.append((self._check(number, raw), raw))
            if len(batch) >= self.rules.batch_size:
                self._flush(batch)
                batch = []
                if self.progress:
                    self.progress(self.report.rows, estimated)
        if batch:
            self._flush(batch)
        if self.progress:
            self.progress(self.report.rows, self.report.rows)

    def _check(self, number: int, raw: dict) -> _Pending:
        result = check_row(number, raw, today=self.today, rules=self.rules)
        pending = _Pending(result, None, False)
        for key, message in result.errors:
            self._add_error(number, self.header.header_of(key), raw.get(key), message)
        if text(raw.get("org_code")) or text(raw.get("org_name")):
            org, bad_key, message = self._resolve_org(raw.get("org_code"), raw.get("org_name"))
            if message:
                self._row_error(pending, bad_key, message, raw)
            pending.org, pending.org_explicit = org, org is not None
        else:
            pending.org = self.default_org
            if self.default_org is None and {"org_code", "org_name"} & self.header.keys():
                key = "org_code" if "org_code" in self.header.keys() else "org_name"
                self._row_error(pending, key, "请填写所在组织（或在导入时选择默认组织）", raw)
        id_number = result.values.get("id_number")
        if id_number:
            first = self._seen.get(id_number)
            if first is None:
                self._seen[id_number] = number
            else:
                self._row_error(pending, "id_number", f"与第{first}行的身份证号相同，同一人只能有一行", raw)
                self._add_error(first, self.header.header_of("id_number"), id_number,
                                f"与第{number}行的身份证号相同，同一人只能有一行")
        return pending

    # -- a batch: compare with the record, then write ----------------------------------

    def _flush(self, batch: list[tuple[_Pending, dict]]):
        ids = [p.result.values["id_number"] for p, _ in batch if p.result.values.get("id_number")]
        existing = {r.id_number: r for r in Retiree.objects.filter(id_number__in=ids)
                    .select_related("organization", "membership", "membership__organization")}
        writes = _Writes()
        for pending, raw in batch:
            result = pending.result
            if result.errors:
                continue
            retiree = existing.get(result.values["id_number"])
            errors_before = self.report.error_count
            if retiree is None:
                self._plan_create(pending, raw, writes)
            else:
                self._plan_update(pending, raw, retiree, writes)
            if self.report.error_count != errors_before:
                writes.discard(result.row)
        if self._write and self.report.ok and not writes.empty:
            try:
                with transaction.atomic():
                    writes.save(self._now)
            except IntegrityError:
                # Someone registered one of these ID numbers while this import ran.
                self._add_error(batch[0][0].result.row, self.header.header_of("id_number"), "",
                                "导入过程中有人同时登记了本批中的人员，请重新导入这份文件")
                self._write = False
        elif not self.report.ok:
            self._write = False

    def _check_member_org(self, pending: _Pending, raw: dict, org: Organization) -> bool:
        if org.kind not in HOLDING_KINDS:
            key = "org_code" if text(raw.get("org_code")) else "org_name"
            self._row_error(pending, key, f"“{org.name}”是{org.get_kind_display()}，不能接收党员组织关系，请填写党支部", raw)
            return False
        return True

    def _plan_create(self, pending: _Pending, raw: dict, writes: _Writes):
        v = pending.result.values
        org = pending.org
        if org is None:
            return  # already reported: no organisation
        data = {f: v.get(f) for f in RETIREE_FIELDS}
        for f in RETIREE_FIELDS:
            if data[f] is None:
                data[f] = DEFAULTS.get(f, None if BY_KEY[f].kind == "date" else "")
        if "*" in (data["phone"] or "") or "*" in (data["family_phone"] or ""):
            key = "phone" if "*" in (data["phone"] or "") else "family_phone"
            self._row_error(pending, key, "电话号码被部分隐藏（含*），新登记的人员请填写完整号码", raw)
            return
        retiree = Retiree(organization=org, **data)
        retiree.name_pinyin, retiree.name_initials = name_pinyin(retiree.name)
        membership = None
        status = v.get("membership_status")
        if status and status != NOT_MEMBER:
            if not self._check_member_org(pending, raw, org):
                return
            state = v.get("membership_state") or MembershipState.ACTIVE
            if retiree.status == PersonStatus.DECEASED:
                state = MembershipState.DECEASED
            elif state != MembershipState.ACTIVE:
                self._row_error(pending, "membership_state",
                                "新登记的党员党籍状态应为“在册”；转出、出党等请在人员台账中办理", raw)
                return
            membership = Membership(organization=org, status=status, state=state, joined_on=v["joined_on"],
                                    full_on=v.get("full_on") if status == MembershipStatus.FULL else None,
                                    joined_org_name=v.get("joined_org_name") or "",
                                    ended_on=retiree.deceased_on if state == MembershipState.DECEASED else None)
        if not self._model_clean(pending, raw, retiree, membership):
            return
        writes.new.append((pending.result.row, retiree, membership))
        self.report.created += 1
        self._sample(pending.result.row, retiree.name, "新增", [])

    def _plan_update(self, pending: _Pending, raw: dict, retiree: Retiree, writes: _Writes):
        v = pending.result.values
        if not (self._in_scope(retiree.organization.path) or retiree.pk in self.scope.retiree_ids):
            self._row_error(pending, "id_number", "此身份证号已登记在您管理范围以外的组织，请联系上级组织核实", raw)
            return
        if v.get("name") and v["name"] != retiree.name:
            self._row_error(pending, "name", f"此身份证号在系统中登记的姓名是“{retiree.name}”，请核对身份证号；"
                                             "如确需更改姓名，请在人员台账中修改", raw)
            return
        updates: dict = {}
        for f in RETIREE_FIELDS:
            new = v.get(f)
            if new is None or f in ("id_number", "birth_date") or new == getattr(retiree, f):
                continue
            if f in ("phone", "family_phone") and "*" in new:
                if idcard.mask_phone(getattr(retiree, f)) != new:
                    self._row_error(pending, f, "电话号码被部分隐藏（含*），与系统中的号码不符；要修改请填写完整号码", raw)
                    return
                continue
            if f == "status":
                hint = "去世登记请在人员台账中办理“登记去世”" if new == PersonStatus.DECEASED else "系统中此人为已故，请在人员台账中核实"
                self._row_error(pending, "status", hint, raw)
                return
            updates[f] = new
        membership = getattr(retiree, "membership", None)
        m_updates: dict = {}
        new_membership = None
        became_full = False
        org = pending.org
        status = v.get("membership_status")
        active = membership is not None and membership.state == MembershipState.ACTIVE
        if pending.org_explicit and org is not None:
            current = membership.organization if active else retiree.organization
            if org.pk != current.pk:
                if active:
                    self._row_error(pending, "org_code" if text(raw.get("org_code")) else "org_name",
                                    f"此人的组织关系在“{current.name}”，转到“{org.name}”请在人员台账中办理“辖区内转接”", raw)
                    return
                updates["organization"] = org
        state = v.get("membership_state")
        if membership is not None:
            if status == NOT_MEMBER:
                self._row_error(pending, "membership_status",
                                f"系统中此人是{membership.get_status_display()}（{membership.get_state_display()}），"
                                "党籍变动请在人员台账中办理", raw)
                return
            if state and state != membership.state:
                self._row_error(pending, "membership_state",
                                f"系统中党籍状态是“{membership.get_state_display()}”，党籍变动请在人员台账中办理", raw)
                return
            if status == MembershipStatus.PROBATIONARY and membership.status == MembershipStatus.FULL:
                self._row_error(pending, "membership_status", "系统中此人已是正式党员，不能改回预备党员", raw)
                return
            for key, attr in MEMBERSHIP_KEYS.items():
                new = v.get(key)
                if new is not None and new != getattr(membership, attr):
                    m_updates[attr] = new
            became_full = "status" in m_updates
        elif status and status != NOT_MEMBER:
            target = org if pending.org_explicit else retiree.organization
            if not self._check_member_org(pending, raw, target):
                return
            if state and state != MembershipState.ACTIVE:
                self._row_error(pending, "membership_state", "新登记的党员党籍状态应为“在册”", raw)
                return
            if retiree.status == PersonStatus.DECEASED:
                self._row_error(pending, "membership_status", "此人已故，不能在导入时登记为党员，请在人员台账中核实", raw)
                return
            new_membership = Membership(retiree=retiree, organization=target, status=status, joined_on=v["joined_on"],
                                        full_on=v.get("full_on"), joined_org_name=v.get("joined_org_name") or "",
                                        state=MembershipState.ACTIVE)
        row = pending.result.row
        if not updates and not m_updates and new_membership is None:
            self.report.unchanged += 1
            return
        for f, new in updates.items():
            setattr(retiree, f, new)
        for f, new in m_updates.items():
            setattr(membership, f, new)
        if not self._model_clean(pending, raw, retiree, membership if m_updates else new_membership):
            return
        changed, m_changed = list(updates), list(m_updates)
        self.report.updated += 1
        labels = [BY_KEY[f].header if f in BY_KEY else "所在组织" for f in changed]
        labels += [BY_KEY[k].header for k, a in MEMBERSHIP_KEYS.items() if a in m_changed]
        if new_membership is not None:
            labels.append("登记为党员")
        self._sample(row, retiree.name, "更新", labels)
        if changed:
            writes.retirees.append((row, retiree, changed))
        if m_changed:
            writes.memberships.append((row, membership, m_changed, became_full))
        if new_membership is not None:
            writes.new.append((row, None, new_membership))

    def _model_clean(self, pending: _Pending, raw: dict, retiree: Retiree, membership: Membership | None) -> bool:
        """The models' own invariants, on the merged record (sheet values over what is stored)."""
        ok = True
        for obj, mapping in ((retiree, {"organization": "org_name"}),
                             (membership, {"status": "membership_status", "organization": "org_name"})):
            if obj is None:
                continue
            try:
                obj.clean()
            except ValidationError as exc:
                for f, messages in exc.message_dict.items():
                    key = mapping.get(f, f if f in BY_KEY else "id_number")
                    if key not in self.header.keys():
                        key = next(iter(k for k in ("name", "id_number") if k in self.header.keys()))
                    for message in messages:
                        self._row_error(pending, key, message, raw)
                ok = False
        return ok

    def _sample(self, row: int, name: str, action: str, fields: list[str]):
        if len(self.report.samples) < SAMPLE_SIZE:
            self.report.samples.append({"row": row, "name": name, "action": action, "fields": fields})


class _Writes:
    """What one batch will write."""

    def __init__(self):
        self.new: list[tuple[int, Retiree | None, Membership | None]] = []  # new person and/or new membership
        self.retirees: list[tuple[int, Retiree, list[str]]] = []
        self.memberships: list[tuple[int, Membership, list[str], bool]] = []

    @property
    def empty(self) -> bool:
        return not (self.new or self.retirees or self.memberships)

    def discard(self, row: int):
        self.new = [x for x in self.new if x[0] != row]
        self.retirees = [x for x in self.retirees if x[0] != row]
        self.memberships = [x for x in self.memberships if x[0] != row]

    def save(self, now):
        people = [r for _, r, _ in self.new if r is not None]
        if people:
            Retiree.objects.bulk_create(people)
        memberships = []
        for _, retiree, membership in self.new:
            if membership is None:
                continue
            if retiree is not None:
                membership.retiree = retiree
            memberships.append(membership)
        if memberships:
            Membership.objects.bulk_create(memberships)
        periods, events = [], []
        for m in memberships:
            ended = m.state == MembershipState.DECEASED
            periods.append(MembershipPeriod(membership=m, organization=m.organization, start_on=m.joined_on,
                                            end_on=m.ended_on if ended else None,
                                            end_reason=MembershipPeriod.End.DECEASED if ended else "",
                                            start_reason=MembershipPeriod.Start.JOINED))
            events.append(_event(m, MembershipEvent.Kind.JOINED, m.joined_on, MembershipStatus.PROBATIONARY,
                                 MembershipState.ACTIVE, m.joined_org_name or IMPORT_NOTE))
            if m.status == MembershipStatus.FULL and m.full_on:
                events.append(_event(m, MembershipEvent.Kind.BECAME_FULL, m.full_on, m.status, MembershipState.ACTIVE))
            if ended:
                events.append(_event(m, MembershipEvent.Kind.DECEASED, m.ended_on, m.status, m.state))
        if self.retirees:
            fields = sorted({f for _, _, changed in self.retirees for f in changed} | {"updated_at"})
            for _, r, _ in self.retirees:
                r.updated_at = now
            Retiree.objects.bulk_update([r for _, r, _ in self.retirees], fields)
        if self.memberships:
            fields = sorted({f for _, _, changed, _ in self.memberships for f in changed} | {"updated_at"})
            for _, m, _, became_full in self.memberships:
                m.updated_at = now
                if became_full:
                    events.append(_event(m, MembershipEvent.Kind.BECAME_FULL, m.full_on, m.status, m.state))
            Membership.objects.bulk_update([m for _, m, _, _ in self.memberships], fields)
        if periods:
            MembershipPeriod.objects.bulk_create(periods)
        if events:
            MembershipEvent.objects.bulk_create(events)


def _event(m: Membership, kind, on, status, state, note: str = IMPORT_NOTE) -> MembershipEvent:
    return MembershipEvent(membership=m, kind=kind, on=on, organization=m.organization, status=status, state=state,
                           note=note[:200])


def _json_value(value):
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10] if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return str(value)


def _column_order(column: str, header: Header | None) -> int:
    if header is None:
        return 0
    for i, written in header.written.items():
        if written == column:
            return i
    return 10_000


def roster_import_file(path, name: str, *, user=None, default_org: Organization | None = None, dry_run: bool,
                       progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Check (dry_run) or import a roster file for `user` (None: the console, no scope limit)."""
    importer = RosterImporter(user=user, default_org=default_org, progress=progress)
    return importer.run(path, name, dry_run=dry_run)


def roster_log_import(report: ImportReport, *, user=None, request=None, name: str, org_path: str = "") -> None:
    """The operation-log IMPORT event of a completed import: who, which file, how many."""
    from changqing.core.models import OperationLog
    from changqing.core.oplog import log_operation

    log_operation(OperationLog.Event.IMPORT, user=user, request=request, org_path=org_path,
                  detail=f"导入名册“{name}”：新增{report.created}人，更新{report.updated}人，无变化{report.unchanged}人",
                  data={"file": name, "rows": report.rows, "created": report.created, "updated": report.updated,
                        "unchanged": report.unchanged})


def default_org_path(user, org: Organization | None) -> str:
    """Where an import belongs for scoping its record and log: the chosen org, else the user's own."""
    if org is not None:
        return org.path
    if user is None:
        return ""
    paths = sorted(scope_for(user, "change").org_paths, key=len)
    return paths[0] if paths else ""


# -- uploads held between the preview and the import --------------------------------------


def _save_report(upload, report: ImportReport, status: str):
    upload.status = status
    upload.sheet = report.sheet[:100]
    upload.header_row = report.header_row
    upload.rows = report.rows
    upload.created, upload.updated, upload.unchanged = report.created, report.updated, report.unchanged
    upload.error_count = report.error_count
    upload.report = report.as_report()
    upload.save()


def _file_problem(upload, message: str):
    """A file that cannot be read as a roster: refused, and deleted at once (it holds personal data)."""
    if upload.file:
        upload.file.delete(save=False)
    upload.status = upload.Status.REJECTED
    upload.error_count = 1
    upload.report = {"errors": [{"row": 0, "column": "", "value": "", "message": message}], "ignored": [], "samples": []}
    upload.save()


def _keep_only_the_error_sheet(upload, user) -> None:
    """A refused upload is not kept: the error sheet (the rows as uploaded, the errors beside them) is
    written now, while the file is at hand, and the upload itself deleted at once."""
    from django.core.files.base import ContentFile

    from changqing.core.exports import watermark_text

    from .sheets import error_workbook

    if not upload.file:
        return
    if upload.error_count and upload.header_row:
        data = error_workbook(upload.file.path, upload.original_name, upload.errors,
                              roster_rules.current().header_scan_rows, watermark=watermark_text(user))
        original = upload.file.name
        stem = upload.original_name.rsplit(".", 1)[0]
        upload.file.save(f"{stem}_错误说明.xlsx", ContentFile(data), save=False)
        upload.file.storage.delete(original)
        upload.report = {**upload.report, "error_sheet": True}
    else:
        upload.file.delete(save=False)
    upload.save(update_fields=["file", "report"])


def roster_upload_check(*, upload, user, progress=None) -> ImportReport | None:
    """The preview: a dry run of the stored file. Nothing but the upload record is written."""
    from .reader import SheetError

    try:
        report = roster_import_file(upload.file.path, upload.original_name, user=user,
                                    default_org=upload.organization, dry_run=True, progress=progress)
    except SheetError as exc:
        _file_problem(upload, str(exc))
        return None
    _save_report(upload, report, upload.Status.PREVIEWED if report.ok else upload.Status.REJECTED)
    if not report.ok:
        _keep_only_the_error_sheet(upload, user)
    return report


def roster_upload_import(*, upload, user, request=None, progress=None) -> ImportReport | None:
    """The import after the preview: checked again (the records may have changed since), all or nothing."""
    from .reader import SheetError

    try:
        report = roster_import_file(upload.file.path, upload.original_name, user=user,
                                    default_org=upload.organization, dry_run=False, progress=progress)
    except SheetError as exc:
        _file_problem(upload, str(exc))
        return None
    if not report.ok:
        _save_report(upload, report, upload.Status.REJECTED)
        _keep_only_the_error_sheet(upload, user)
        return report
    _save_report(upload, report, upload.Status.IMPORTED)
    upload.imported_at = timezone.now()
    upload.file.delete(save=False)  # personal data: not kept once imported
    upload.save(update_fields=["imported_at", "file"])
    roster_log_import(report, user=user, request=request, name=upload.original_name, org_path=upload.org_path)
    return report


def roster_uploads_abandon(*, owner) -> int:
    """A new upload abandons the owner's previews not imported: their files (personal data) go at once."""
    from .models import RosterUpload

    n = 0
    for upload in RosterUpload.objects.filter(owner=owner, status=RosterUpload.Status.PREVIEWED).exclude(file=""):
        upload.file.delete(save=False)
        upload.save(update_fields=["file"])
        n += 1
    return n


def roster_uploads_purge(*, older_than: dt.timedelta) -> int:
    """Delete uploaded files left waiting longer than `older_than` (they hold personal data)."""
    from .models import RosterUpload

    stale = RosterUpload.objects.filter(uploaded_at__lt=timezone.now() - older_than).exclude(file="")
    n = 0
    for upload in stale:
        upload.file.delete(save=False)
        upload.save(update_fields=["file"])
        n += 1
    return n
