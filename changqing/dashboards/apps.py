from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "changqing.dashboards"
    label = "dashboards"
    verbose_name = "数据看板"

    def ready(self):
        from changqing.core.roles import Role
        from changqing.core.nav import NavItem, register

        # People who look after organisations; members, carers and 两新 guides have their own pages.
        org_roles = frozenset(r.value for r in Role if r not in (Role.MEMBER, Role.CARER, Role.GUIDE,
                                                                  Role.STATION_CHIEF))
        register(NavItem("数据看板", "dashboards:overview", roles=org_roles, order=80))
