"""The station scope: a chief or guide reaches their station's records and its party organisations.

Their role assignment names the station by id only; it is placed at the station's
`scope_path` (under its 两新工委), where the station's own records are filed.
"""
from django.db.models import Q

from changqing.core.tree import in_subtree
from changqing.core.roles import ScopeKind
from changqing.core.scope import register_placement, register_scope_resolver


def resolve_station(assignment):
    from changqing.orgs.models import Organization

    from .models import GuidanceStation, NewOrg

    station = GuidanceStation.objects.filter(pk=assignment.station_id).only("scope_path").first()
    if station is None:
        return set(), set()
    party_org_ids = NewOrg.objects.filter(station=station, party_org__isnull=False).values("party_org_id")
    paths = set(Organization.objects.filter(pk__in=party_org_ids).values_list("path", flat=True))
    return {station.scope_path} | paths, set()


def station_roles_under(path: str) -> Q:
    from .models import GuidanceStation

    return Q(station_id__in=GuidanceStation.objects.filter(in_subtree(path, path_field="scope_path")).values("pk"))


def station_paths(assignment) -> set[str]:
    from .models import GuidanceStation

    return set(GuidanceStation.objects.filter(pk=assignment.station_id).values_list("scope_path", flat=True))


register_scope_resolver(ScopeKind.STATION, resolve_station)
register_placement(ScopeKind.STATION, under=station_roles_under, paths=station_paths)
