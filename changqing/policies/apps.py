from django.apps import AppConfig

WARNING_MONTHS = "warning_months"


def _warning_default() -> dict:
    # 党章第九条: six whole months; DOMAIN.md §6: the system warns at 3, 5 and 6.
    return {"months": [3, 5, 6]}


class PoliciesConfig(AppConfig):
    name = "changqing.policies"
    label = "policies"
    verbose_name = "规则设置"

    def ready(self):
        from changqing.core.roles import Role
        from changqing.core.nav import NavItem, register

        from . import kinds
        from .forms import WarningMonthsForm

        # Shared by organisational life and dues (党章第九条 counts each on its own), so a kind of its own.
        kinds.register(kinds.PolicyKind(
            WARNING_MONTHS, "六个月规则预警月数", WarningMonthsForm, _warning_default,
            parse=lambda v: tuple(sorted(int(m) for m in v["months"])), describe=WarningMonthsForm.describe,
            help="连续未参加组织生活、连续未交党费达到这些月数时提醒（党章第九条），系统不会自动作出任何处理", order=90))
        register(NavItem("规则设置", "policies:list", action="manage",
                         roles=frozenset({Role.BUREAU_ADMIN.value}), order=95))
