from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "changqing.audit"
    label = "audit"
    verbose_name = "诚信审计"

    def ready(self):
        from changqing.core.roles import Role
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register

        from . import jobs  # noqa: F401 - registers the background job
        from .panels import audit_panel

        register(NavItem("诚信审计", "audit:findings",
                         roles=frozenset({Role.BUREAU_ADMIN, Role.COMMITTEE_MEMBER, Role.ZONE_LEAD,
                                          Role.BRANCH_SECRETARY}), order=400))
        register_panel(audit_panel)
