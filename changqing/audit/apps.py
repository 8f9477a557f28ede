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
        from changqing.policies import kinds

        from .conf import AUDIT_THRESHOLDS, policy_default
        from .forms import AuditThresholdsForm
        from .panels import audit_panel

        kinds.register(kinds.PolicyKind(
            AUDIT_THRESHOLDS, "诚信审计阈值", AuditThresholdsForm, policy_default,
            parse=lambda v: {**policy_default(), **v}, describe=AuditThresholdsForm.describe, order=70,
            help="诚信审计按哪些标准提示可疑记录；对某组织及其下级运行审计时，按该组织运行当天适用的设置"))

        register(NavItem("诚信审计", "audit:findings",
                         roles=frozenset({Role.BUREAU_ADMIN, Role.COMMITTEE_MEMBER, Role.ZONE_LEAD,
                                          Role.BRANCH_SECRETARY}), order=400))
        register_panel(audit_panel)
