from django.apps import AppConfig

DUES = "dues"  # policy kinds (changqing.policies)
DUES_QUARTERLY = "dues.quarterly"


class DuesConfig(AppConfig):
    name = "changqing.dues"
    label = "dues"
    verbose_name = "党费与支部经费"

    def ready(self):
        from changqing.core.roles import Role
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register

        from changqing.policies import kinds

        from . import panels, rules
        from .forms import DuesRulesForm, QuarterlyForm

        staff = frozenset(r.value for r in Role if r not in (Role.MEMBER, Role.CARER, Role.GUIDE, Role.STATION_CHIEF))
        register(
            NavItem("党费收缴", "dues:home", roles=staff, order=50),
            NavItem("支部经费", "dues:funds", roles=staff, order=55),
        )
        kinds.register(kinds.PolicyKind(
            DUES, "党费规则", DuesRulesForm, lambda: rules.rules_to_data(rules.DEFAULT_RULES),
            parse=rules.rules_from_data, describe=DuesRulesForm.describe, order=30,
            help="交纳比例、固定金额、舍入、核定方式和补缴预缴上限（中组发〔2008〕3号）。某月的党费按该月最后一天有效的规则计算"))
        kinds.register(kinds.PolicyKind(
            DUES_QUARTERLY, "按季度收缴", QuarterlyForm, lambda: {"allowed": False},
            parse=lambda v: bool(v.get("allowed")), describe=QuarterlyForm.describe, order=31, action="change",
            branch_only=True, help="经支部同意，党费可按季度收缴；由支部自行设置"))
        register_panel(panels.arrears_panel)
        from . import today  # noqa: F401  (its 今天要办 sources, core/today.py)
        panels.register_optional_hooks()
