from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "changqing.orgs"
    label = "orgs"
    verbose_name = "党组织"

    def ready(self):
        from changqing.accounts.roles import Role
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register

        from .panels import overview_panel

        org_roles = frozenset(r.value for r in Role if r not in (Role.MEMBER, Role.CARER))
        register(
            NavItem("党组织", "orgs:list", roles=org_roles, order=10),
            NavItem("片组", "orgs:zones", roles=org_roles, order=20),
        )
        register_panel(overview_panel)
