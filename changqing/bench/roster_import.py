"""Roster import benchmark (`make bench`, registered as roster.import): rows/s of our import of a generated 50,000-row .xlsx, against
PostgreSQL COPY of the same rows and django-import-export's standard ModelResource import.

What each one does, so the figures are read fairly:
- ours: reads the .xlsx (streamed), checks every field and cross-check, compares with the
  records on file, writes Retiree + Membership + MembershipPeriod + MembershipEvent rows and
  the change log, all in one transaction;
- COPY: PostgreSQL loads the same people as ready-made retiree rows from CSV (no checks, no
  memberships, no change log): the floor no importer can beat;
- django-import-export: a ModelResource over Retiree (import_id_fields = id_number) fed a
  tablib Dataset built in memory from the same rows (no file parsing, which favours it); it
  saves row by row, so the project's change-log signals run per row.

Every run is rolled back, so the database is left as it was. Needs PostgreSQL (COPY).
"""
from __future__ import annotations

import datetime as dt
import io
import random
import resource
import tempfile
import time
from pathlib import Path

from changqing.bench import BenchContext, Figure, benchmark

ROWS = 50_000
IMPORT_EXPORT_SAMPLE = 5_000  # it saves row by row: 50,000 rows would take most of an hour; rows/s is what we compare
BRANCHES = 25
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "建国明华秀英桂兰德胜志强玉珍淑芬文革卫东红梅立新振华宏伟国庆海燕凤霞永福金凤春生学军丽娟"
HEADERS = ["序号", "姓名", "性别", "公民身份号码", "出生年月", "组织编码", "离退休类别", "政治面貌", "入党时间", "转正时间",
           "联系电话", "家庭住址"]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def people(n: int, branch_codes: list[str], seed: int = 7):
    """n valid, distinct people as (row for the sheet, dict of stored values)."""
    from changqing.core.idcard import check_char

    rng = random.Random(seed)
    for i in range(n):
        birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randint(0, 35 * 365))
        male = rng.random() < 0.6
        seq = (i % 500) * 2 + (1 if male else 0)
        region = f"{340302 + (i // 500) % 900:06d}"
        first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
        id_number = first17 + check_char(first17)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        member = rng.random() < 0.55
        joined = dt.date(birth.year + rng.randint(20, 40), rng.randint(1, 12), 1) if member else None
        full = dt.date(joined.year + 1, joined.month, 1) if member else None
        lixiu = birth.year < 1932 and rng.random() < 0.5
        phone = f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"
        org = branch_codes[i % len(branch_codes)]
        sheet_row = [i + 1, name, "男" if male else "女", id_number, birth, org, "离休" if lixiu else "退休",
                     "中共党员" if member else "群众", joined, full, phone, f"幸福路{i % 300 + 1}号"]
        stored = {"name": name, "gender": "male" if male else "female", "id_number": id_number, "birth_date": birth,
                  "organization": org, "retirement_kind": "lixiu" if lixiu else "tuixiu", "phone": phone,
                  "address": f"幸福路{i % 300 + 1}号"}
        yield sheet_row, stored


def write_sheet(path: Path, rows, n: int):
    from changqing.core.exports import new_workbook

    wb = new_workbook()
    ws = wb.create_sheet("Sheet1")
    ws.append(["基准测试离退休干部名册"])
    ws.append(HEADERS)
    for sheet_row, _ in rows:
        ws.append(sheet_row)
    wb.save(path)


def _setup_tree():
    from changqing.orgs.models import Organization, OrgKind

    root = Organization.objects.create(code="BENCH", name="基准测试党工委", kind=OrgKind.COMMITTEE)
    codes = []
    for i in range(1, BRANCHES + 1):
        Organization.objects.create(code=f"BENCH-B{i:02d}", name=f"基准测试第{i}党支部", kind=OrgKind.BRANCH, parent=root)
        codes.append(f"BENCH-B{i:02d}")
    return root, codes


class _Rollback(Exception):
    pass


def _rolled_back(fn):
    from django.db import transaction

    result = {}
    try:
        with transaction.atomic():
            result.update(fn())
            raise _Rollback
    except _Rollback:
        pass
    return result


def bench_ours(path: Path, n: int) -> dict:
    from changqing.roster.services import roster_import_file

    def go():
        before = _peak_mb()
        t = time.perf_counter()
        report = roster_import_file(path, path.name, user=None, dry_run=False)
        seconds = time.perf_counter() - t
        assert report.ok and report.created == n, report.errors[:5]
        return {"seconds": seconds, "rows_per_s": n / seconds, "peak_rss_growth_mb": _peak_mb() - before}

    return _rolled_back(go)


def bench_copy(stored: list[dict], n: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from changqing.core import fieldcrypt
    from changqing.members.models import name_pinyin
    from changqing.orgs.models import Organization

    org_ids = dict(Organization.objects.filter(code__startswith="BENCH").values_list("code", "pk"))
    columns = ["name", "name_pinyin", "name_initials", "gender", "ethnicity", "id_number", "birth_date",
               "retirement_kind", "former_unit", "former_post", "rank", "phone", "address", "community", "health",
               "mobility_impaired", "living", "family_contact", "family_phone", "family_relation", "specialties",
               "service_needs", "photo", "note", "organization_id", "status", "created_at", "updated_at",
               "id_number_hash", "phone_hash", "family_phone_hash"]

    def go():
        now = timezone.now().isoformat()
        prepared = time.perf_counter()
        buf = io.StringIO()
        for p in stored:
            full, initials = name_pinyin(p["name"])
            # Ready rows as the table holds them: ID number and phone encrypted, their keyed hashes beside.
            buf.write("\t".join([p["name"], full, initials, p["gender"], "汉族", fieldcrypt.encrypt(p["id_number"]),
                                 p["birth_date"].isoformat(), p["retirement_kind"], "", "", "",
                                 fieldcrypt.encrypt(p["phone"]), p["address"], "", "good", "f",
                                 "with_family", "", "", "", "", "", "", "", str(org_ids[p["organization"]]), "alive",
                                 now, now, fieldcrypt.blind_index("id", p["id_number"]),
                                 fieldcrypt.blind_index("phone", p["phone"]), ""]) + "\n")
        prepared = time.perf_counter() - prepared
        t = time.perf_counter()  # the floor is PostgreSQL's own work: ready rows in, nothing else
        with connection.cursor() as cursor:
            with cursor.connection.cursor().copy(
                    f"COPY members_retiree ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(buf.getvalue())
        seconds = time.perf_counter() - t
        return {"seconds": seconds, "rows_per_s": n / seconds, "seconds_to_prepare_rows": prepared}

    return _rolled_back(go)


def bench_import_export(stored: list[dict], n: int) -> dict:
    import tablib
    from import_export import fields, resources, widgets

    from changqing.members.models import Retiree
    from changqing.orgs.models import Organization

    class RetireeResource(resources.ModelResource):
        organization = fields.Field(attribute="organization", column_name="organization",
                                    widget=widgets.ForeignKeyWidget(Organization, "code"))

        class Meta:
            model = Retiree
            import_id_fields = ("id_number",)
            fields = ("name", "gender", "id_number", "birth_date", "retirement_kind", "phone", "address",
                      "organization")

    headers = ["name", "gender", "id_number", "birth_date", "retirement_kind", "phone", "address", "organization"]
    data = tablib.Dataset(headers=headers)
    for p in stored:
        data.append([p[h] for h in headers])

    def go():
        t = time.perf_counter()
        result = RetireeResource().import_data(data, dry_run=False, raise_errors=True)
        seconds = time.perf_counter() - t
        assert not result.has_errors() and result.totals["new"] == n, result.totals
        return {"seconds": seconds, "rows_per_s": n / seconds}

    return _rolled_back(go)


def run(rows: int = ROWS, import_export_rows: int | None = None) -> dict:
    """Generate the file, run the three imports (each rolled back) and return the figures."""
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        raise RuntimeError("名册导入基准需要 PostgreSQL（COPY）：请设置 DATABASE_URL")
    ie_rows = import_export_rows or rows
    results: dict = {"rows": rows}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "名册50000行.xlsx"
        outer = transaction.atomic()
        outer.__enter__()
        try:
            _, codes = _setup_tree()
            t = time.perf_counter()
            write_sheet(path, people(rows, codes), rows)
            results["file"] = {"seconds_to_write": time.perf_counter() - t, "size_mb": path.stat().st_size / 1e6}
            results["ours"] = bench_ours(path, rows)
            stored = [s for _, s in people(rows, codes)]
            results["copy"] = bench_copy(stored, rows)
            results["import_export"] = bench_import_export(stored[:ie_rows], ie_rows)
            results["import_export"]["rows"] = ie_rows
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
    return results


@benchmark("roster.import", description="名册导入（5万行 .xlsx）的行/秒与 PostgreSQL COPY 同样行之比；另比 django-import-export")
def roster_import(ctx: BenchContext) -> list[Figure]:
    r = run(ROWS, IMPORT_EXPORT_SAMPLE)
    copy = r["copy"]["rows_per_s"]
    return [
        Figure(label=f"常青名册导入 {r['rows']:,} 行 .xlsx（检查+党员+历史+变更日志）", value=r["ours"]["rows_per_s"],
               floor=copy, unit="行/秒", floor_label="COPY 同样行（仅人员表）", lower_is_better=False,
               detail={"seconds": round(r["ours"]["seconds"], 1), "file_mb": round(r["file"]["size_mb"], 1),
                       "peak_rss_growth_mb": round(r["ours"]["peak_rss_growth_mb"])}),
        Figure(label=f"django-import-export ModelResource（{r['import_export']['rows']:,} 行样本）",
               value=r["import_export"]["rows_per_s"], floor=copy, unit="行/秒", floor_label="COPY 同样行（仅人员表）",
               lower_is_better=False, detail={"seconds": round(r["import_export"]["seconds"], 1),
                                              "ours_vs_import_export": round(r["ours"]["rows_per_s"]
                                                                             / r["import_export"]["rows_per_s"], 1)}),
    ]


def report(results: dict) -> str:
    lines = [f"名册导入基准：{results['rows']} 行 .xlsx（{results['file']['size_mb']:.1f} MB）"]
    for key, label in (("ours", "常青导入（检查+党员+历史+变更日志）"), ("copy", "PostgreSQL COPY（仅人员行）"),
                       ("import_export", "django-import-export ModelResource")):
        r = results[key]
        extra = f"，内存峰值增长 {r['peak_rss_growth_mb']:.0f} MB" if "peak_rss_growth_mb" in r else ""
        rows = f"（{r['rows']} 行）" if "rows" in r and r["rows"] != results["rows"] else ""
        lines.append(f"  {label}{rows}：{r['rows_per_s']:,.0f} 行/秒，用时 {r['seconds']:.1f} 秒{extra}")
    return "\n".join(lines)


if __name__ == "__main__":
    import argparse
    import json
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changqing.settings")
    os.environ["DEBUG"] = "0"  # as the harness: no query log growing in memory
    django.setup()
    parser = argparse.ArgumentParser(description="名册导入基准")
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--import-export-rows", type=int, default=IMPORT_EXPORT_SAMPLE)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = run(args.rows, args.import_export_rows)
    print(json.dumps(out, ensure_ascii=False, indent=2) if args.json else report(out))
