from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "changqing.care"
    label = "care"
    verbose_name = "关怀服务"

    def ready(self):
        from changqing.core.roles import Role
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register

        from . import scope  # noqa: F401  (registers the pairs scope resolver)
        from .panels import care_panel

        staff = frozenset(r.value for r in Role if r not in (Role.MEMBER, Role.GUIDE, Role.STATION_CHIEF))
        register(
            NavItem("我的结对", "care:mine", roles=frozenset({Role.CARER}), order=200),
            NavItem("关怀服务", "care:dashboard", roles=staff, order=210),
            NavItem("生日台账", "care:birthdays", roles=staff, order=220),
        )
        register_panel(care_panel)
        from . import today  # noqa: F401  (its 今天要办 sources, core/today.py)
        from changqing.members.selectors import register_record_section

        from .panels import record_section

        register_record_section(record_section)
