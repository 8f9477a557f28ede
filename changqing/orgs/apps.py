from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "changqing.orgs"
    label = "orgs"
    verbose_name = "党组织"

    def ready(self):
        from changqing.core.roles import Role, ScopeKind
        from changqing.core.scope import register_scope_resolver
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register

        from changqing.policies import kinds

        from . import rules
        from .forms import OrgRulesForm
        from .panels import contacts_panel, overview_panel, size_panel, terms_panel
        from .selectors import ORG_THRESHOLDS

        kinds.register(kinds.PolicyKind(
            ORG_THRESHOLDS, "组织设置与换届规则", OrgRulesForm, rules.default_data, parse=rules.rules_from_data,
            describe=OrgRulesForm.describe, order=20,
            help="支部规模、支部委员会人数、任期年限、换届提醒、选举有效和当选的规定，联络员联系和党工委委员到点指导次数"
                 "（《中国共产党支部工作条例（试行）》）"))
        from .selectors import zone_paths
        register_scope_resolver(ScopeKind.ZONE, lambda assignment: (zone_paths(assignment.zone_id), set()))

        org_roles = frozenset(r.value for r in Role if r not in (Role.MEMBER, Role.CARER))
        register(
            NavItem("党组织", "orgs:list", roles=org_roles, order=11),
            NavItem("组织树", "orgs:tree", roles=org_roles, order=10),
            NavItem("片组", "orgs:zones", roles=org_roles, order=20),
            NavItem("换届提醒", "orgs:terms", roles=org_roles, order=21),
            NavItem("联络员", "orgs:liaisons", roles=org_roles, order=22),
        )
        for panel in (overview_panel, terms_panel, size_panel, contacts_panel):
            register_panel(panel)
        from . import today  # noqa: F401  (its 今天要办 sources, core/today.py)
