from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "changqing.members"
    label = "members"
    verbose_name = "离退休干部与党员"

    def ready(self):
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register

        from changqing.policies import kinds

        from . import rules
        from .forms import AbsenceRuleForm
        from .panels import member_alerts_panel, register_digest

        kinds.register(kinds.PolicyKind(
            rules.ABSENCE_POLICY, "外出流动规则", AbsenceRuleForm, rules.default_data, parse=rules.rule_from_data,
            describe=AbsenceRuleForm.describe, order=40,
            help="外出多久算长期外出、正好满界限算不算、长期和短期外出各应怎么办（党章第九条、篇6）"))

        register(NavItem("人员名册", "members:retirees", order=30))
        register(NavItem("外出流动", "members:absences", action="change", order=31))
        register_panel(member_alerts_panel)
        from . import today  # noqa: F401  (its 今天要办 sources, core/today.py)
        register_digest()
