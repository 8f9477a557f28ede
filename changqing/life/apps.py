from django.apps import AppConfig


class LifeConfig(AppConfig):
    name = "changqing.life"
    label = "life"
    verbose_name = "组织生活"

    def ready(self):
        from changqing.core.roles import Role
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register

        from .panels import due_panel

        org_roles = frozenset(r.value for r in Role if r not in (Role.MEMBER, Role.CARER, Role.GUIDE,
                                                                  Role.STATION_CHIEF))
        register(
            NavItem("组织生活", "life:home", roles=org_roles, order=30),
            NavItem("会议记录", "life:meetings", roles=org_roles, order=31),
            NavItem("逾期清单", "life:overdue", roles=org_roles, order=32),
            NavItem("学习纪实", "life:study", roles=org_roles, order=33),
            NavItem("工作清单", "life:worklists", roles=org_roles, order=34),
        )
        register_panel(due_panel)
        try:
            from changqing.core import notify  # noqa: F401
        except ImportError:
            return
        from .panels import register_digest

        register_digest()
