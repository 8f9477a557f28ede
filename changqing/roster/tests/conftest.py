import pytest

from changqing.roster.services import roster_import_file

from .factory import write_xlsx


@pytest.fixture
def run_import(tmp_path):
    """Write rows to an .xlsx and import it; returns the report."""
    counter = {"n": 0}

    def run(rows, *, user=None, org=None, dry_run=False, title_rows=None, merges=(), name=None):
        counter["n"] += 1
        path = write_xlsx(tmp_path / (name or f"sheet{counter['n']}.xlsx"), rows, title_rows=title_rows, merges=merges)
        return roster_import_file(path, path.name, user=user, default_org=org, dry_run=dry_run)

    return run
