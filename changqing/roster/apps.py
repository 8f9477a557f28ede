from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "changqing.roster"
    label = "roster"
    verbose_name = "名册导入导出"

    def ready(self):
        from changqing.core.roles import Role
        from changqing.core.nav import NavItem, register

        # Those who keep an organisation's roster; carers and guides change records but hold no roster.
        keepers = frozenset({Role.BUREAU_ADMIN, Role.BRANCH_SECRETARY, Role.LIAISON})
        register(NavItem("名册导入", "roster:import", action="change", roles=keepers, order=32))
        try:
            from . import jobs  # noqa: F401 - registers the background jobs
        except ImportError:  # the job framework is optional: imports then run in the request
            pass
