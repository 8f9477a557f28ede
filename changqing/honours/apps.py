from django.apps import AppConfig


class HonoursConfig(AppConfig):
    name = "changqing.honours"
    label = "honours"
    verbose_name = "评选表彰"

    def ready(self):
        from changqing.core.roles import Role
        from changqing.core.home import register_panel
        from changqing.core.nav import NavItem, register
        from changqing.members.selectors import register_record_section
        from changqing.orgs.selectors import register_org_section

        from changqing.core.notify import register_digest_provider

        from .panels import digest, honours_panel, org_section, record_section

        staff = frozenset({Role.BUREAU_ADMIN, Role.COMMITTEE_MEMBER, Role.ZONE_LEAD, Role.BRANCH_SECRETARY,
                           Role.LIAISON})
        register(
            NavItem("评选表彰", "honours:campaigns", order=620),
            NavItem("提名与审核", "honours:nominations", roles=staff, order=630),
        )
        register_panel(honours_panel)
        from . import today  # noqa: F401  (its 今天要办 sources, core/today.py)
        register_record_section(record_section)
        register_org_section(org_section)
        register_digest_provider("honours", digest)
