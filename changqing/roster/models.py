"""An uploaded roster sheet, held between the preview (dry run) and the import.

Not a domain record: it keeps the file (personal data, deleted after the
import or after `keep_upload_days`) and the report the page and the error
sheet are built from. Only the person who uploaded it can open it.
"""
from django.conf import settings
from django.db import models
from django.urls import reverse

from changqing.core.files import PrivateFileField, register_file_access
from changqing.core.scope import ScopeSpec


class RosterUpload(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "已上传"
        CHECKING = "checking", "正在检查"
        PREVIEWED = "previewed", "待确认"
        REJECTED = "rejected", "有错误，未导入"
        IMPORTING = "importing", "正在导入"
        IMPORTED = "imported", "已导入"
        FAILED = "failed", "导入失败"

    # Kept when the user is removed: the record says who imported what (the demo's first import has none).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="roster_uploads")
    organization = models.ForeignKey("orgs.Organization", verbose_name="默认导入组织", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    org_path = models.CharField("所属组织路径", max_length=255, db_index=True)
    file = PrivateFileField("文件", upload_to="roster_uploads/%Y/%m/", blank=True)
    original_name = models.CharField("文件名", max_length=200)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.UPLOADED)
    sheet = models.CharField("工作表", max_length=100, blank=True)
    header_row = models.PositiveIntegerField("表头所在行", null=True, blank=True)
    rows = models.PositiveIntegerField("数据行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("无变化", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    report = models.JSONField("检查报告", default=dict, blank=True)  # errors, ignored headers, samples
    job_id = models.PositiveIntegerField("后台任务", null=True, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True, db_index=True)
    imported_at = models.DateTimeField("导入时间", null=True, blank=True)

    scope_spec = ScopeSpec(org_path="org_path")

    class Meta:
        verbose_name = "名册导入"
        verbose_name_plural = "名册导入"
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.original_name}（{self.get_status_display()}）"

    def get_absolute_url(self):
        return reverse("roster:upload", args=[self.pk])

    @property
    def errors(self) -> list[dict]:
        return self.report.get("errors", [])


def _own_uploads(queryset, request):
    return queryset.filter(owner=request.user)  # only the person who uploaded a roster sheet may open it


register_file_access(RosterUpload, action="change", narrow=_own_uploads)
