from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "changqing.appraisal"
    label = "appraisal"
    verbose_name = "民主评议党员"

    def ready(self):
        from changqing.core.nav import NavItem, register
        from changqing.core.roles import Role
        from changqing.members.selectors import register_record_section
        from changqing.policies import kinds

        from . import today  # noqa: F401  (registers the 今天要办 source)
        from .panels import record_section
        from .policy import APPRAISAL_RULES, AppraisalPolicyForm, default_values, parse

        kinds.register(kinds.PolicyKind(
            APPRAISAL_RULES, "民主评议党员", AppraisalPolicyForm, default_values, parse=parse,
            describe=AppraisalPolicyForm.describe, order=15,
            help="评议的步骤，以及评为基本合格、不合格后的处置和期限。系统只提醒处置，不会自动改变任何人的党籍"))
        org_roles = frozenset(r.value for r in Role if r not in (Role.CARER, Role.GUIDE, Role.STATION_CHIEF))
        register(NavItem("民主评议", "appraisal:rounds", roles=org_roles, order=35))
        register_record_section(record_section)
