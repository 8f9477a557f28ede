from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from changqing.core.scope import get_scoped_object_or_404, object_view, restrict

from . import changelog, speech, today
from .roles import Role
from .filters import ObjectChangeFilterSet, OperationLogFilterSet
from .changelog_words import in_words
from .home import panels_for
from .lists import Column, ScopedListView
from .masking import HIDDEN, Reveal
from .models import ObjectChange, OperationLog
from .oplog import log_operation


@login_required
def home(request):
    """今天要办 first (core/today.py); a plain member gets their own page (我的); the panels fold below."""
    user = request.user
    roles = {a.role for a in user.role_assignments.all()}
    plain_member = not user.is_superuser and roles == {Role.MEMBER} and user.retiree_id is not None
    if user.elder_mode is None:  # first visit: a member starts in 长辈版 (the large layout), everyone else not
        user.elder_mode = plain_member
        user.save(update_fields=["elder_mode"])
    everything = today.tasks_for(request, limit=None)
    context = {
        "title": "首页", "tasks": everything[:today.TODAY_LIMIT], "later_tasks": everything[today.TODAY_LIMIT:],
        "all_done": today.ALL_DONE, "elder": bool(user.elder_mode), "plain_member": plain_member,
        "has_roles": bool(roles) or user.is_superuser,
    }
    if plain_member:
        parts = today.MINE.collect(request, user.retiree)
        # 长辈版: only the tasks, and the parts a task opens (its own dues), nothing else.
        context["mine"] = [p for p in parts if p.get("in_elder")] if user.elder_mode else parts
        return render(request, "core/member_home.html", context)
    if not user.elder_mode:
        context["panels"], context["attention"] = folded_panels(panels_for(request))
    return render(request, "core/home.html", context)


def _number(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def folded_panels(panels: list[dict]) -> tuple[list[dict], int]:
    """The panels below 今天要办: zeros hidden (counted in one line), each panel marked 需处理 or 正常 in words.

    A panel with "info": True (an overview of the jurisdiction) carries no status word."""
    out, attention = [], 0
    for panel in panels:
        if panel.get("template"):
            out.append({**panel, "status": ""})
            continue
        items = panel.get("items", [])
        shown = [i for i in items if _number(i.get("value")) != 0]
        zeros = len(items) - len(shown)
        if panel.get("info"):
            status = ""
        else:
            status = "需处理" if any(_number(i.get("value")) for i in shown) else "正常"
            attention += status == "需处理"
        out.append({**panel, "items": shown, "zeros": zeros, "status": status})
    return out, attention


def speech_response(text: str):
    """朗读: the audio of a text the server chose (never text from the browser), synthesised and cached.

    The view that calls it has fetched its object through the scope layer. 503 in words, with the text for
    the browser's own voice, when the engine is missing (static/js/read-aloud.js)."""
    from django.http import FileResponse, JsonResponse

    if not text.strip():
        raise Http404("没有可朗读的文字")
    try:
        path, cached = speech.synthesise(text)
    except speech.SpeechUnavailable as exc:
        return JsonResponse({"error": str(exc), "text": text}, status=503)
    response = FileResponse(open(path, "rb"), content_type="audio/wav")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Speech-Cache"] = "hit" if cached else "miss"
    return response


@login_required
def read_aloud_me(request):
    """The member's own page read aloud (only one's own: the page is the logged-in member's)."""
    return speech_response(today.my_page_text(request))


@object_view(ObjectChange, content_type_id="content_type_id", object_id="object_id")
@login_required
def object_history(request, content_type_id: int, object_id: str):
    """The change history of one record, visible when the record itself is in scope."""
    ct = get_object_or_404(ContentType, pk=content_type_id)
    model = ct.model_class()
    if model is None or not issubclass(model, changelog.ChangeLoggedModel):
        raise Http404("该类记录没有变更历史")
    changes = ObjectChange.objects.filter(content_type=ct, object_id=object_id)
    try:
        obj = model._base_manager.filter(pk=object_id).first()
    except (ValueError, ValidationError):  # an id of the wrong shape names no record
        raise Http404("记录不存在") from None
    if obj is not None:
        get_scoped_object_or_404(model, request.user, "view", pk=object_id)
    else:
        # Deleted: the history itself is scoped by the organisation it belonged to.
        changes = restrict(changes, request.user, "view")
        if not changes.exists():
            raise Http404("不在您的数据范围内，或记录不存在")
    # Fields that give back what a masked ID number hides (a person's birth date) are shown only to
    # a viewer who may reveal the record (core.masking).
    hidden = set(getattr(model, "reveal_only_fields", ()))
    if hidden and obj is not None and Reveal(request.user).may(obj):
        hidden = set()
    return render(request, "core/history.html", {
        "title": f"变更历史：{obj or changes.first().object_repr}",
        "object": obj,
        "changes": [(c, in_words(model, _hide(c.changed_fields(), hidden), HIDDEN))
                    for c in changes.select_related("user")[:200]],
        "restorable": _restorable(changes, obj, request.user),
    })


def _hide(fields, hidden: set) -> list:
    return [(name, HIDDEN, HIDDEN) if name in hidden else (name, before, after) for name, before, after in fields]


def _restorable(changes, obj, user) -> set[int]:
    """The latest change, when it is a deletion the user may undo."""
    latest = changes.first()
    if obj is not None or latest is None or latest.action != ObjectChange.Action.DELETE:
        return set()
    return set(restrict(ObjectChange.objects.filter(pk=latest.pk), user, "manage").values_list("pk", flat=True))


class ChangeListView(ScopedListView):
    title = "变更记录"
    queryset = ObjectChange.objects.select_related("content_type")
    filterset_class = ObjectChangeFilterSet
    action = "manage"
    default_ordering = "-time"
    columns = [
        Column("time", "时间", sort="time"),
        Column("user_name", "操作人", sort="user_name"),
        Column("action", "操作", value=lambda r: r.get_action_display()),
        Column("content_type", "记录类型", value=lambda r: r.content_type.model_class()._meta.verbose_name
               if r.content_type.model_class() else r.content_type.model),
        Column("object_repr", "对象", link=True),
    ]
    template_name = "core/changes.html"

    def render_row(self, row):
        cells = super().render_row(row)
        url = reverse("core:history", args=[row.content_type_id, row.object_id])
        for cell in cells:
            if cell["label"] == "对象":
                cell["url"] = url
        return cells


@object_view(ObjectChange)
@login_required
@require_POST
def restore(request, pk: int):
    change = get_scoped_object_or_404(ObjectChange, request.user, "manage", pk=pk)
    try:
        obj = changelog.restore_deleted(change)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        log_operation(OperationLog.Event.RESTORE, request=request, detail=f"恢复已删除的记录「{obj}」",
                      org_path=change.org_path)
        messages.success(request, f"已恢复「{obj}」")
    return redirect("core:history", change.content_type_id, change.object_id)


class OperationLogView(ScopedListView):
    title = "操作日志"
    queryset = OperationLog.objects.all()
    filterset_class = OperationLogFilterSet
    action = "manage"
    default_ordering = "-time"
    columns = [
        Column("time", "时间", sort="time"),
        Column("username", "用户", sort="username"),
        Column("event", "事件", value=lambda r: r.get_event_display()),
        Column("detail", "说明"),
        Column("ip", "IP 地址"),
    ]

