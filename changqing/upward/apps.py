from django.apps import AppConfig


class UpwardConfig(AppConfig):
    name = "changqing.upward"
    label = "upward"
    verbose_name = "上报统计表"

    def ready(self):
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register
        from changqing.core.roles import Role

        from .panels import reports_for_branch_panel

        org_roles = frozenset(r.value for r in Role if r not in (Role.MEMBER, Role.CARER, Role.GUIDE,
                                                                  Role.STATION_CHIEF))
        register(NavItem("上报统计表", "upward:tables", roles=org_roles, order=91))
        register_panel(reports_for_branch_panel)
