from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "changqing.dues"
    label = "dues"
    verbose_name = "党费与支部经费"

    def ready(self):
        from changqing.core.roles import Role
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register

        from . import panels

        staff = frozenset(r.value for r in Role if r not in (Role.MEMBER, Role.CARER, Role.GUIDE, Role.STATION_CHIEF))
        register(
            NavItem("党费收缴", "dues:home", roles=staff, order=50),
            NavItem("支部经费", "dues:funds", roles=staff, order=55),
        )
        register_panel(panels.arrears_panel)
        panels.register_optional_hooks()
