from django.apps import AppConfig


class CompletenessConfig(AppConfig):
    name = "changqing.completeness"
    label = "completeness"
    verbose_name = "信息完整度"

    def ready(self):
        from changqing.core.nav import NavItem, register
        from changqing.core.roles import Role

        # Bureau staff read the jurisdiction; a branch's secretary reads their own branch's board.
        roles = frozenset({Role.BUREAU_ADMIN, Role.COMMITTEE_MEMBER, Role.BRANCH_SECRETARY})
        register(NavItem("信息完整度", "completeness:board", roles=roles, order=92))
