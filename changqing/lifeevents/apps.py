from django.apps import AppConfig


class LifeEventsConfig(AppConfig):
    name = "changqing.lifeevents"
    label = "lifeevents"
    verbose_name = "老同志生活事件"

    def ready(self):
        from changqing.care.models import Visit
        from changqing.care.signals import visit_recorded
        from changqing.core.nav import NavItem, register
        from changqing.core.roles import Role
        from changqing.members.selectors import register_record_section
        from changqing.policies import kinds

        from . import rules, today  # noqa: F401  (registers the 今天要办 sources)
        from .forms import LifeEventsPolicyForm
        from .panels import record_section

        kinds.register(kinds.PolicyKind(
            rules.KIND, "老同志生活事件", LifeEventsPolicyForm, lambda: dict(rules.DEFAULTS), parse=rules.parse,
            describe=LifeEventsPolicyForm.describe, order=60,
            help="住院后几天内探望、何时提高关怀等级、去世后支部办理哪些事项（默认：3天内探望；住院超过30天或12个月内第3次住院；"
                 "慰问家属、送别/追思、抚恤金与遗属补助申请、档案移交）"))

        staff = frozenset(r.value for r in Role if r not in (Role.MEMBER, Role.GUIDE, Role.STATION_CHIEF))
        register(
            NavItem("住院登记", "lifeevents:stays", roles=staff, order=230),
            NavItem("探望任务", "lifeevents:tasks", roles=staff, order=231),
            NavItem("健康与生活档案", "lifeevents:profiles", action="health", order=232),
            NavItem("银发人才库", "lifeevents:talents", roles=staff, order=233),
            NavItem("异地居住", "lifeevents:elsewhere", roles=staff, order=234),
            NavItem("去世登记", "lifeevents:deaths", action="change", roles=frozenset(
                {Role.BRANCH_SECRETARY, Role.BUREAU_ADMIN}), order=235),
        )
        register_record_section(record_section)

        def close_tasks(sender, visit, **kwargs):
            from .services import tasks_close_for_visit

            tasks_close_for_visit(visit=visit)

        visit_recorded.connect(close_tasks, sender=Visit, dispatch_uid="lifeevents.close_tasks", weak=False)
