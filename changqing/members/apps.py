from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "changqing.members"
    label = "members"
    verbose_name = "离退休干部与党员"

    def ready(self):
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register

        from .panels import member_alerts_panel, register_digest

        register(NavItem("人员名册", "members:retirees", order=30))
        register(NavItem("外出流动", "members:absences", action="change", order=31))
        register_panel(member_alerts_panel)
        from . import today  # noqa: F401  (its 今天要办 sources, core/today.py)
        register_digest()
