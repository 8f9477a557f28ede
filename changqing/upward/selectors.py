"""The upward statistics tables (党内统计年报 of retired cadres): generated from the records, never typed.

Every count starts from the statistics app's per-date sets (`stats.selectors.figure_records`, the same
end-of-day rules and subtree as `manage.py statistics`), so a fix there flows into these tables; this
module only splits those sets by sex, ethnicity, age band, party age, 离休/退休, organisation kind and
setup, and counts the year's membership events. Each cell has a key; `cell_records(key, …)` filters with
the very condition that counted it, so a figure and its list cannot disagree.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from changqing.core.tree import in_subtree
from changqing.members.models import Gender, MembershipEvent, Retiree, RetirementKind
from changqing.orgs.models import Organization, OrgKind, SetupKind
from changqing.stats import selectors as stats

HAN = "汉族"


@dataclass(frozen=True)
class Row:
    dim: str  # "" = the whole population of the column
    val: str
    label: str
    q: Callable[[dt.date], Q]
    indent: int = 1


def _const(q: Q) -> Callable[[dt.date], Q]:
    return lambda on: q


def _buckets(dist: str) -> list[Row]:
    return [Row(dist, b.key, b.label, b.q) for b in stats.DISTRIBUTION_BY_KEY[dist].buckets]


# 表1: people by sex, ethnicity, age band and 离休/退休; columns 离退休干部 / 其中党员.
PEOPLE_SECTIONS: list[tuple[str, list[Row]]] = [
    ("", [Row("", "", "合计", _const(Q()), indent=0)]),
    ("性别", [Row("gender", v, label, _const(Q(gender=v))) for v, label in Gender.choices]),
    ("民族", [Row("ethnicity", "han", "汉族", _const(Q(ethnicity=HAN))),
              Row("ethnicity", "minority", "少数民族", _const(~Q(ethnicity=HAN) & ~Q(ethnicity=""))),
              Row("ethnicity", "unknown", "未登记", _const(Q(ethnicity="")))]),
    ("年龄", _buckets("age")),
    ("类别", [Row("kind", v, f"{label}干部", _const(Q(retirement_kind=v))) for v, label in RetirementKind.choices]),
]

def _education_rows() -> list[Row]:
    """学历: the registry has no education field yet; when a Retiree.education with choices is added, its rows appear."""
    try:
        field = Retiree._meta.get_field("education")
    except FieldDoesNotExist:
        return []
    return [Row("education", v, label, _const(Q(education=v))) for v, label in field.choices or []] + [
        Row("education", "unknown", "未登记", _const(Q(education="")))]


if _education_rows():
    PEOPLE_SECTIONS.insert(3, ("学历", _education_rows()))
PEOPLE_COLUMNS = [("retirees", "离退休干部（人）"), ("members", "其中党员（人）")]
# 表2: members by party age.
PARTY_AGE_ROWS = _buckets("party_age")
# 表3: organisations by kind and setup.
ORG_KINDS = [(OrgKind.GENERAL_BRANCH, "党总支"), (OrgKind.BRANCH, "党支部")]
SETUP_COLUMNS = list(SetupKind.choices)
# 表4: the year's changes, from the membership history (an event counts for the organisation it happened in).
E = MembershipEvent.Kind
CHANGE_ROWS = [
    ("增加", [(E.JOINED, "发展党员"), (E.REGISTERED, "登记入册"), (E.TRANSFERRED_IN, "组织关系转入"),
              (E.MOVED, "辖区内转接转入"), (E.RESTORED, "恢复在册")]),
    ("减少", [(E.DECEASED, "去世"), (E.TRANSFERRED_OUT, "组织关系转出"), (E.LEFT, "出党/退党")]),
]
RETIREE_DIED = "retiree_died"
NEWLY_RETIRED = "retired"  # members counted from their retirement in the year (no membership event)


def year_start(on: dt.date) -> dt.date:
    return dt.date(on.year, 1, 1)


def _people_rows() -> list[Row]:
    return [r for _, rows in PEOPLE_SECTIONS for r in rows]


def _row_q(dim: str, val: str, on: dt.date) -> Q:
    if not dim:
        return Q()
    for r in _people_rows() + PARTY_AGE_ROWS:
        if r.dim == dim and r.val == val:
            return r.q(on)
    raise ValueError(f"未知的分组：{dim}={val}")


def _events(org: Organization | None, on: dt.date) -> QuerySet:
    qs = MembershipEvent.objects.filter(on__gte=year_start(on), on__lte=on)
    return qs.filter(in_subtree(org.path, "organization")) if org is not None else qs


def _newly_retired(org: Organization | None, on: dt.date) -> QuerySet:
    return stats.figure_records("members", org=org, on=on).filter(retired_on__gte=year_start(on)).distinct()


def _retirees_died(org: Organization | None, on: dt.date) -> QuerySet:
    qs = Retiree.objects.filter(deceased_on__gte=year_start(on), deceased_on__lte=on)
    return qs.filter(in_subtree(org.path, "organization")) if org is not None else qs


# -- the figures ------------------------------------------------------------------------------------------

def key_people(col: str, dim: str, val: str) -> str:
    return f"people.{col}.{dim or 'all'}.{val or 'all'}"


def key_party_age(val: str) -> str:
    return f"party_age.{val}"


def key_org(kind: str, setup: str) -> str:
    return f"org.{kind or 'all'}.{setup or 'all'}"


def key_change(kind: str) -> str:
    return f"change.{kind}"


def _count(q: Q) -> Count:
    return Count("pk", distinct=True, filter=q) if q else Count("pk", distinct=True)


def figures(*, org: Organization | None, on: dt.date) -> dict[str, int]:
    """Every cell of the four tables for the subtree of `org` as of `on` (eight queries whatever the size)."""
    out: dict[str, int] = {}
    for col, _ in PEOPLE_COLUMNS:
        counted = stats.figure_records(col, org=org, on=on).aggregate(**{
            key_people(col, r.dim, r.val): _count(r.q(on)) for r in _people_rows()} | (
            {key_party_age(r.val): _count(r.q(on)) for r in PARTY_AGE_ROWS}
            if col == "members" else {}))
        out.update(counted)
    by_kind = {(k, s): n for k, s, n in stats.figure_records("organizations", org=org, on=on)
               .values_list("kind", "setup_kind").annotate(n=Count("pk", distinct=True)).order_by()}
    for kind, _ in ORG_KINDS + [("", "")]:
        for setup, _ in SETUP_COLUMNS + [("", "")]:
            out[key_org(kind, setup)] = sum(n for (k, s), n in by_kind.items()
                                            if (not kind or k == kind) and (not setup or s == setup))
    events = dict(_events(org, on).values_list("kind").annotate(n=Count("membership__retiree", distinct=True))
                  .order_by())
    for _, rows in CHANGE_ROWS:
        for kind, _ in rows:
            out[key_change(kind)] = events.get(kind, 0)
    out[key_change(RETIREE_DIED)] = _retirees_died(org, on).count()
    out[key_change(NEWLY_RETIRED)] = _newly_retired(org, on).count()
    start = stats.annual_figures(org=org, on=year_start(on) - dt.timedelta(days=1))
    out[key_change("members_start")] = start["members"]
    out[key_change("members_end")] = out[key_people("members", "", "")]
    return out


def cell_records(key: str, *, org: Organization | None, on: dt.date) -> QuerySet:
    """Exactly the records one cell counts (Retiree, or Organization for 表3)."""
    parts = key.split(".")
    if parts[0] == "people" and len(parts) == 4 and parts[1] in dict(PEOPLE_COLUMNS):
        _, col, dim, val = parts
        dim, val = ("", "") if dim == "all" else (dim, val)
        return stats.figure_records(col, org=org, on=on).filter(_row_q(dim, val, on)).distinct()
    if parts[0] == "party_age" and len(parts) == 2:
        return stats.figure_records("members", org=org, on=on).filter(_row_q("party_age", parts[1], on)).distinct()
    if parts[0] == "org" and len(parts) == 3:
        kind, setup = ("" if p == "all" else p for p in parts[1:])
        if kind and kind not in dict(ORG_KINDS) or setup and setup not in dict(SETUP_COLUMNS):
            raise ValueError(f"未知的组织分组：{key}")
        qs = stats.figure_records("organizations", org=org, on=on)
        return qs.filter(**({"kind": kind} if kind else {}), **({"setup_kind": setup} if setup else {})).distinct()
    if parts[0] == "change" and len(parts) == 2:
        kind = parts[1]
        if kind == RETIREE_DIED:
            return _retirees_died(org, on)
        if kind == NEWLY_RETIRED:
            return _newly_retired(org, on)
        if kind == "members_start":
            return stats.figure_records("members", org=org, on=year_start(on) - dt.timedelta(days=1))
        if kind == "members_end":
            return stats.figure_records("members", org=org, on=on)
        if kind not in E.values:
            raise ValueError(f"未知的变动：{kind}")
        return Retiree.objects.filter(pk__in=_events(org, on).filter(kind=kind).values("membership__retiree_id"))
    raise ValueError(f"未知的统计格：{key}")


def is_org_cell(key: str) -> bool:
    return key.startswith("org.")


def cell_url(key: str, *, org: Organization | None, on: dt.date) -> str:
    """The drill-down list of a cell: the statistics' own list where it has the exact filter, else ours."""
    same_as_stats = {
        key_people("retirees", "", ""): "retirees", key_people("members", "", ""): "members",
        key_people("retirees", "kind", RetirementKind.LIXIU): "lixiu",
        key_people("members", "kind", RetirementKind.LIXIU): "lixiu_members",
        key_people("retirees", "kind", RetirementKind.TUIXIU): "tuixiu",
        key_people("members", "kind", RetirementKind.TUIXIU): "tuixiu_members",
        key_org("", ""): "organizations", key_change("members_end"): "members",
    }
    if key in same_as_stats:
        return stats.records_url(same_as_stats[key], org=org, on=on)
    if key.startswith("people.retirees.age."):
        return stats.records_url("retirees", org=org, on=on, dist="age", bucket=key.rsplit(".", 1)[1])
    if key.startswith("party_age."):
        return stats.records_url("members", org=org, on=on, dist="party_age", bucket=key.rsplit(".", 1)[1])
    params = {"org": org.code} if org is not None else {}
    params.update(on=on.isoformat(), cell=key)
    return f"{reverse('upward:records')}?{urlencode(params)}"


# -- the tables as pages and sheets lay them out --------------------------------------------------------

def tables(values: dict[str, int], *, org: Organization | None, on: dt.date, links: bool = True) -> list[dict]:
    """[{"number", "title", "unit", "head": [[{"text", "colspan", "rowspan"}]], "rows": [{"label", "indent",
    "section", "cells": [{"key", "value", "url"}]}]}] — the same structure feeds the page and the xlsx."""

    def cell(key):
        return {"key": key, "value": values.get(key, 0), "url": cell_url(key, org=org, on=on) if links else ""}

    t1_rows = []
    for section, rows in PEOPLE_SECTIONS:
        for i, r in enumerate(rows):
            t1_rows.append({"label": r.label, "indent": r.indent, "section": section if i == 0 else "",
                            "in_section": bool(section),
                            "span": len(rows) if i == 0 else 0,
                            "cells": [cell(key_people(col, r.dim, r.val)) for col, _ in PEOPLE_COLUMNS]})
    t2_rows = [{"label": r.label, "indent": 1, "section": "党龄" if i == 0 else "", "in_section": True, "span": len(PARTY_AGE_ROWS) if i == 0 else 0,
                "cells": [cell(key_party_age(r.val))]} for i, r in enumerate(PARTY_AGE_ROWS)]
    t2_rows.append({"label": "合计", "indent": 0, "section": "", "span": 0,
                    "cells": [cell(key_people("members", "", ""))]})
    t3_rows = [{"label": label, "indent": 1, "section": "", "span": 0,
                "cells": [cell(key_org(kind, ""))] + [cell(key_org(kind, s)) for s, _ in SETUP_COLUMNS]}
               for kind, label in ORG_KINDS]
    t3_rows.append({"label": "合计", "indent": 0, "section": "", "span": 0,
                    "cells": [cell(key_org("", ""))] + [cell(key_org("", s)) for s, _ in SETUP_COLUMNS]})
    t4_rows = [{"label": f"{on.year - 1}年底党员数", "indent": 0, "section": "", "span": 0,
                "cells": [cell(key_change("members_start"))]}]
    for section, rows in [(CHANGE_ROWS[0][0], CHANGE_ROWS[0][1] + [(NEWLY_RETIRED, "当年离退休的党员")]),
                          CHANGE_ROWS[1]]:
        for i, (kind, label) in enumerate(rows):
            t4_rows.append({"label": label, "indent": 1, "section": section if i == 0 else "", "in_section": True,
                            "span": len(rows) if i == 0 else 0, "cells": [cell(key_change(kind))]})
    t4_rows.append({"label": "截至统计日党员数", "indent": 0, "section": "", "span": 0,
                    "cells": [cell(key_change("members_end"))]})
    t4_rows.append({"label": "离退休干部去世（含非党员）", "indent": 0, "section": "", "span": 0,
                    "cells": [cell(key_change(RETIREE_DIED))]})
    return [
        {"number": "表1", "title": "离退休干部及党员基本情况", "unit": "人",
         "head": [[{"text": "项目", "colspan": 2}] + [{"text": label} for _, label in PEOPLE_COLUMNS]],
         "rows": t1_rows},
        {"number": "表2", "title": "离退休干部党员党龄情况", "unit": "人",
         "head": [[{"text": "项目", "colspan": 2}, {"text": "党员（人）"}]], "rows": t2_rows},
        {"number": "表3", "title": "离退休干部党组织设置情况", "unit": "个",
         "head": [[{"text": "组织类别", "colspan": 2, "rowspan": 2}, {"text": "合计", "rowspan": 2},
                   {"text": "组建方式", "colspan": len(SETUP_COLUMNS)}],
                  [{"text": label} for _, label in SETUP_COLUMNS]],
         "rows": t3_rows},
        {"number": "表4", "title": f"{on.year}年党员变动情况（{on.year}年1月1日至{on.month}月{on.day}日）", "unit": "人",
         "head": [[{"text": "项目", "colspan": 2}, {"text": "人数"}]], "rows": t4_rows},
    ]


def labels(tables_: list[dict]) -> dict[str, str]:
    """{cell key: a readable name} for the diff of two reports."""
    out = {}
    for t in tables_:
        section = ""
        for row in t["rows"]:
            section = row["section"] or (section if row["indent"] else "")
            for i, c in enumerate(row["cells"]):
                col = ""
                if t["number"] == "表1":
                    col = PEOPLE_COLUMNS[i][1]
                elif t["number"] == "表3":
                    col = "合计" if i == 0 else SETUP_COLUMNS[i - 1][1]
                out[c["key"]] = "·".join(x for x in (t["number"], section, row["label"], col) if x)
    return out
