"""The station scope: a chief or guide reaches their station's records and its party organisations."""
from changqing.accounts.roles import ScopeKind
from changqing.accounts.scope import register_scope_resolver


def resolve_station(assignment):
    from changqing.orgs.models import Organization

    from .models import GuidanceStation, NewOrg

    station = GuidanceStation.objects.filter(pk=assignment.station_id).only("scope_path").first()
    if station is None:
        return set(), set()
    party_org_ids = NewOrg.objects.filter(station=station, party_org__isnull=False).values("party_org_id")
    paths = set(Organization.objects.filter(pk__in=party_org_ids).values_list("path", flat=True))
    return {station.scope_path} | paths, set()


register_scope_resolver(ScopeKind.STATION, resolve_station)
