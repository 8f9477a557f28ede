from django.apps import AppConfig


def policy_kind(rubric_kind: str) -> str:
    """The policy kind (changqing.policies) saying which rubric of this kind an organisation is scored with."""
    return f"evaluation.{rubric_kind}"


class EvaluationConfig(AppConfig):
    name = "changqing.evaluation"
    label = "evaluation"
    verbose_name = "考核评价"

    def ready(self):
        from changqing.core.roles import Role
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register

        from . import jobs  # noqa: F401  (registers the background job)
        from changqing.orgs.selectors import register_org_section

        from changqing.policies import kinds

        from .forms import rubric_policy_form
        from .models import RubricKind
        from .panels import org_section, stars_panel

        for order, (value, label) in enumerate(RubricKind.choices, start=50):
            form = rubric_policy_form(value)
            kinds.register(kinds.PolicyKind(
                policy_kind(value), f"考核细则：{label}", form, lambda: {"rubric": None},
                parse=lambda v: v.get("rubric"), describe=form.describe, order=order,
                help="按哪套考核细则评定；某年度按该年12月31日有效的设置。细则本身在“考核细则”中复制和修订"))

        org_roles = frozenset({Role.BUREAU_ADMIN, Role.COMMITTEE_MEMBER, Role.ZONE_LEAD, Role.BRANCH_SECRETARY,
                               Role.LIAISON})
        bureau = frozenset({Role.BUREAU_ADMIN, Role.COMMITTEE_MEMBER, Role.ZONE_LEAD})
        register(
            NavItem("星级评定", "evaluation:home", roles=org_roles, order=70),
            NavItem("年度考核记录", "evaluation:assessments", roles=org_roles, order=71),
            NavItem("示范支部", "evaluation:designations", roles=org_roles, order=72),
            NavItem("责任制考核排名", "evaluation:ranking", roles=bureau, order=73),
            NavItem("考核细则", "evaluation:rubrics", roles=bureau, order=74),
            NavItem("批量计算", "evaluation:compute", action="manage", order=75),
        )
        register_panel(stars_panel)
        register_org_section(org_section)
