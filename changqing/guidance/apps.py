from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "changqing.guidance"
    label = "guidance"
    verbose_name = "两新党建指导站"

    def ready(self):
        from changqing.accounts.forms import register_station_choices
        from changqing.core.roles import Role
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register

        from . import scope  # noqa: F401  (registers the station scope resolver)
        from .models import GuidanceStation
        from .panels import guidance_panel

        register_station_choices(lambda: GuidanceStation.objects.order_by("code"))

        roles = frozenset({Role.BUREAU_ADMIN, Role.STATION_CHIEF, Role.GUIDE})
        register(
            NavItem("我的指导工作", "guidance:mine", roles=frozenset({Role.GUIDE, Role.STATION_CHIEF}), order=300),
            NavItem("两新指导站", "guidance:statistics", roles=roles, order=310),
            NavItem("两新组织", "guidance:neworgs", roles=roles, order=320),
            NavItem("求助事项", "guidance:help", roles=roles, order=330),
            NavItem("指导站例会", "guidance:meetings", roles=roles, order=332),
            NavItem("工作清单", "guidance:lists", roles=roles, order=334),
            NavItem("指导员报名", "guidance:applications", roles=frozenset({Role.BUREAU_ADMIN, Role.STATION_CHIEF}), order=340),
        )
        register_panel(guidance_panel)
        from . import today  # noqa: F401  (its 今天要办 sources, core/today.py)
