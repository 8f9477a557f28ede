from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "changqing.stats"
    label = "stats"
    verbose_name = "统计"

    def ready(self):
        from changqing.core.roles import Role
        from changqing.core.nav import NavItem, register

        # Everyone whose scope is a part of the organisation tree; not members, carers or 两新 guides.
        org_roles = frozenset(r.value for r in Role if r not in (Role.MEMBER, Role.CARER, Role.GUIDE,
                                                                  Role.STATION_CHIEF))
        register(NavItem("党建统计", "stats:home", roles=org_roles, order=90))
