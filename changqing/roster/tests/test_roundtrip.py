"""Export the demo county's roster and import it again: nothing changes."""
import pytest
from django.db.models import F
from django.test import Client

from changqing.accounts.models import User
from changqing.members.models import Retiree
from changqing.roster.services import roster_import_file


@pytest.mark.django_db
def test_export_demo_roster_then_import_it_changes_nothing(county_demo, tmp_path):
    # The demo (members/demo.py) lets a few people die before the retirement date it gave them; the
    # importer rightly refuses such a row ("离退休日期晚于去世日期"), so those dates are made consistent first.
    Retiree.objects.filter(retired_on__gt=F("deceased_on")).update(retired_on=F("deceased_on"))
    admin = User.objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    response = client.get("/roster/export.xlsx")
    path = tmp_path / "export.xlsx"
    path.write_bytes(response.content)
    report = roster_import_file(path, path.name, user=admin, dry_run=False)
    n = Retiree.objects.count()
    assert n > 1000
    assert report.as_json() == {"created": 0, "updated": 0, "unchanged": n, "errors": []}
