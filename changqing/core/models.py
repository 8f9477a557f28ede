"""Platform records: the row-level change log and the operation log."""
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from changqing.core.files import PrivateFileField, register_file_access
from changqing.core.scope import ScopeSpec


class ObjectChange(models.Model):
    """One create, update or delete of a domain record: who, when, before, after."""

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        RESTORE = "restore", "恢复"

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    user_name = models.CharField("操作人姓名", max_length=150, blank=True)
    request_id = models.UUIDField("请求编号", null=True, blank=True, db_index=True)
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200)
    # Path of the organisation the record belongs to, so history is scoped like the record.
    org_path = models.CharField("所属组织路径", max_length=255, blank=True, db_index=True)
    before = models.JSONField("修改前", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("修改后", null=True, blank=True, encoder=DjangoJSONEncoder)
    # The record's row_version after this write (core.conflicts): "what changed since version N" for a refused save.
    row_version = models.PositiveIntegerField("记录版本", null=True, blank=True)

    scope_spec = ScopeSpec(org_path="org_path")

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-time"], name="core_change_object_idx")]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) of what changed; personal data is masked in the history, so a
        masked field counts as changed when its keyed hash differs (see core.changelog.protect)."""
        before, after = self.before or {}, self.after or {}
        digests = "_digests"
        old_digests, new_digests = before.get(digests) or {}, after.get(digests) or {}
        keys = [k for k in dict.fromkeys([*before.keys(), *after.keys()]) if k != digests]
        return [(k, before.get(k), after.get(k)) for k in keys
                if before.get(k) != after.get(k) or old_digests.get(k) != new_digests.get(k)]


class OperationLog(models.Model):
    """Business events a person reads: logins, exports, views of unmasked personal data."""

    class Event(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOGOUT = "logout", "退出"
        EXPORT = "export", "导出"
        UNMASK = "unmask", "查看完整个人信息"
        IMPORT = "import", "导入"
        ROLE_CHANGE = "role_change", "角色变更"
        RESTORE = "restore", "恢复记录"
        LOCKOUT = "lockout", "账号锁定"
        UNLOCK = "unlock", "账号解锁"
        PASSWORD_CHANGE = "password_change", "修改密码"
        PASSWORD_RESET = "password_reset", "重置密码"
        TWO_FACTOR = "two_factor", "两步验证设置"

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    event = models.CharField("事件", max_length=20, choices=Event.choices, db_index=True)
    detail = models.CharField("说明", max_length=500, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    org_path = models.CharField("所属组织路径", max_length=255, blank=True, db_index=True)
    data = models.JSONField("附加信息", default=dict, blank=True, encoder=DjangoJSONEncoder)

    scope_spec = ScopeSpec(org_path="org_path")

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{self.username} {self.get_event_display()}"


class Job(models.Model):
    """A long piece of work (import, audit, report) run by a Celery worker, with progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "等待中"
        RUNNING = "running", "进行中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("任务类型", max_length=60, db_index=True)
    title = models.CharField("任务名称", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.CASCADE, related_name="jobs",
    )
    org_path = models.CharField("所属组织路径", max_length=255, blank=True, db_index=True)
    func = models.CharField("执行函数", max_length=200)
    params = models.JSONField("参数", default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    message = models.CharField("进度说明", max_length=300, blank=True)
    result = models.JSONField("结果", null=True, blank=True, encoder=DjangoJSONEncoder)
    # Files a job produces may hold personal data: served only to the owner, through the export gate
    # (registered below with core.files); nginx denies /media/.
    result_file = PrivateFileField("结果文件", upload_to="jobs/%Y/%m/", blank=True)
    error = models.TextField("错误说明", blank=True)
    traceback = models.TextField("技术细节", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    # Written by the worker while the job runs; a running job whose heartbeat stopped lost its worker.
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    rerun_of = models.ForeignKey("self", verbose_name="重新运行自", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="reruns")

    scope_spec = ScopeSpec(org_path="org_path")

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="core_job_owner_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="core_job_progress_lte_100"),
        ]

    def __str__(self):
        return f"{self.title}（{self.get_status_display()}）"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("core:job", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class Notification(models.Model):
    """An in-app message to one user; the header bell counts the unread ones."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications",
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=500, blank=True)
    kind = models.CharField("类别", max_length=60, blank=True, db_index=True)
    # Makes a reminder idempotent: the same key is sent to a user once ("digest:2026-11-24").
    key = models.CharField("去重标识", max_length=120, blank=True)
    org_path = models.CharField("所属组织路径", max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    scope_spec = ScopeSpec(org_path="org_path")

    class Meta:
        verbose_name = "消息通知"
        verbose_name_plural = "消息通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="core_notif_user_unread_idx")]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""), name="core_notif_user_key_uniq"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.url or ""


class StoredFile(models.Model):
    """The name a private file was uploaded or generated with; on disk it has a random name (core.files)."""

    name = models.CharField("存储名", max_length=255, unique=True)
    original_name = models.CharField("原文件名", max_length=255)
    created_at = models.DateTimeField("存储时间", auto_now_add=True)

    class Meta:
        verbose_name = "文件原名"
        verbose_name_plural = "文件原名"

    def __str__(self):
        return self.original_name


def _own_jobs(queryset, request):
    return queryset.filter(owner=request.user)  # a job's file is its owner's alone, whatever the roles of others


def _job_file(request, job, fieldfile):
    from .export_gate import ExportGate

    return ExportGate(request).file(job, fieldfile, fieldfile.original_name, f"下载后台任务「{job.title}」的结果文件",
                                    org_path=job.org_path)


register_file_access(Job, narrow=_own_jobs, serve=_job_file)
