import json

from django.test import Client

from changqing.honours.models import Ballot

from .conftest import TODAY  # noqa: F401  (fixtures come from conftest)


def api(user, path, method="get"):
    c = Client()
    c.force_login(user)
    return getattr(c, method)(f"/api/v1/honours/{path}")


def test_api_is_read_only_scoped_and_shows_no_ballots(tree, admin, voting, secretary_a):
    from changqing.honours import services

    services.ballot_cast(user=secretary_a, campaign=voting.campaign, category=voting.category,
                         nomination_ids=[voting.noms[0].pk], today=TODAY)
    campaigns = json.loads(api(secretary_a, "campaigns/").content)
    assert [c["id"] for c in campaigns["results"]] == [voting.campaign.pk]  # the bureau's campaign reaches A
    noms = json.loads(api(secretary_a, "nominations/").content)["results"]
    assert {n["nominee_name"] for n in noms} == {"张宏伟", "甲支部二号"}  # only A's people
    assert all(n["total_votes"] is None and n["is_winner"] is None for n in noms)  # not published yet
    text = api(admin, "nominations/").content.decode()
    assert "ballot" not in text and "voter" not in text
    assert Ballot.objects.count() == 1
    assert api(admin, "nominations/", "post").status_code == 405
    assert api(admin, f"campaigns/{voting.campaign.pk}/", "delete").status_code == 405
