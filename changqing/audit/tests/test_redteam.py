"""The audit measured against two planted sets on the shared county demo: the demo's own generator and the red
team (`audit.redteam`, written in another hand). Floors per kind: precision and recall ≥ 0.9 on both; the
honest demo data gives no finding that was not planted. The tables print with -s and sit in the assertion
messages."""
import ast
from pathlib import Path

from changqing.audit import redteam
from changqing.audit.evaluate import precision_recall, redteam_figures, table
from changqing.audit.services import run_integrity_audit
from changqing.demo.generator import ROOTS
from changqing.orgs.models import Organization

FLOOR = 0.9


def test_the_red_team_imports_neither_the_detectors_thresholds_nor_the_demo_generator():
    tree = ast.parse(Path(redteam.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(("." * node.level) + (node.module or ""))
            imported.update(f"{'.' * node.level}{node.module or ''}.{a.name}".replace("..", ".") for a in node.names)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    forbidden = {"conf", "engine", "demo", "evaluate", "services", "loader"}
    bad = {m for m in imported for f in forbidden
           if m in (f".{f}", f"changqing.audit.{f}") or m.startswith((f".{f}.", f"changqing.audit.{f}."))}
    assert not bad, bad


def _check(title, figures, kinds_expected):
    text = table(title, figures)
    print("\n" + text)
    assert set(figures) >= kinds_expected, text
    for kind, f in figures.items():
        assert f["recall"] >= FLOOR and f["precision"] >= FLOOR, f"{kind}\n{text}"
    return text


def test_both_planted_sets_meet_their_floors_per_kind_on_the_county_demo(county_demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the red team's photos; the demo's are hashed already
    root = Organization.objects.get(code=ROOTS["county"])
    demo = precision_recall(run_integrity_audit(root=root, year=2025), root)
    text = _check("诚信审计 精确率/召回率：演示生成器（县级演示数据，2025 年度）", demo,
                  {"backfill", "rush", "copied_minutes", "impossible_attendance", "election_contradiction",
                   "photo_reuse"})
    # No new false finding on the honest demo data: everything reported was planted.
    assert sum(f["found"] - f["true_positives"] for f in demo.values()) == 0, text

    red, planted = redteam_figures(root, 2025)
    _check("诚信审计 精确率/召回率：红队生成器（另一种写法、多种手法，含诚实的相似记录）", red,
           {"backfill", "rush", "copied_minutes", "impossible_attendance", "election_contradiction",
            "photo_reuse"})
    styles = planted.styles()
    # Several styles of each kind, and honest look-alikes of each.
    assert all(len(styles[k]) >= 2 for k in ("rush", "copied_minutes", "photo_reuse", "election_contradiction",
                                             "backfill")), styles
    assert len(planted.honest) >= 10
