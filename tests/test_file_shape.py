"""Every app keeps the same file shape (docs/architecture.md §1); these fail when a file drifts from it.

The layers themselves are checked by `lint-imports` (pyproject.toml), run by `make test` before pytest.
"""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "changqing"


def _app_sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path, parts


def test_filtersets_are_defined_in_filters_py():
    misplaced = []
    for path, parts in _app_sources():
        if parts[-1] == "filters.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    ast.unparse(base).endswith("FilterSet") for base in node.bases):
                misplaced.append(f"{'/'.join(parts)}: {node.name}")
    assert not misplaced, "FilterSet 应写在本应用的 filters.py 中：\n" + "\n".join(misplaced)


def test_subtree_queries_go_through_core_tree():
    raw = [f"{'/'.join(parts)}:{n}" for path, parts in _app_sources() if parts != ("core", "tree.py")
           for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "path__startswith" in line]
    assert not raw, "子树查询请用 changqing.core.tree.in_subtree(path, via)：\n" + "\n".join(raw)


def test_benchmarks_live_in_the_bench_package():
    stray = [str(p.relative_to(PACKAGE)) for p in PACKAGE.glob("*/bench.py")]
    assert not stray, f"基准测试应放在 changqing/bench/<应用>.py：{stray}"
