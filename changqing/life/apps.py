from django.apps import AppConfig

LIFE_RULESET = "life.ruleset"  # policy kind (changqing.policies): which ruleset an organisation follows


class LifeConfig(AppConfig):
    name = "changqing.life"
    label = "life"
    verbose_name = "组织生活"

    def ready(self):
        from changqing.core.roles import Role
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register

        from changqing.policies import kinds

        from .forms import RulesetPolicyForm
        from .panels import due_panel

        kinds.register(kinds.PolicyKind(
            LIFE_RULESET, "组织生活规则", RulesetPolicyForm, lambda: {"ruleset": None},
            parse=lambda v: v.get("ruleset"), describe=RulesetPolicyForm.describe, order=10,
            help="各类会议的频次要求（三会一课等）。规则本身的内容在“组织生活规则”中修订；这里决定哪个组织从哪天起按哪套规则计算"))

        org_roles = frozenset(r.value for r in Role if r not in (Role.MEMBER, Role.CARER, Role.GUIDE,
                                                                  Role.STATION_CHIEF))
        register(
            NavItem("组织生活", "life:home", roles=org_roles, order=30),
            NavItem("会议记录", "life:meetings", roles=org_roles, order=31),
            NavItem("逾期清单", "life:overdue", roles=org_roles, order=32),
            NavItem("学习纪实", "life:study", roles=org_roles, order=33),
            NavItem("工作清单", "life:worklists", roles=org_roles, order=34),
            NavItem("月通报", "life:bulletins", roles=org_roles, order=35),
            NavItem("培训班", "life:courses", roles=org_roles, order=36),
        )
        register_panel(due_panel)
        from . import today  # noqa: F401  (its 今天要办 sources, core/today.py)
        try:
            from changqing.core import notify  # noqa: F401
        except ImportError:
            return
        from .panels import register_digest

        register_digest()
