from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "changqing.members"
    label = "members"
    verbose_name = "离退休干部与党员"

    def ready(self):
        from changqing.core.nav import NavItem, register

        register(NavItem("人员名册", "members:retirees", order=30))
