from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from changqing.accounts.scope import can, get_scoped_object_or_404, object_view
from changqing.core.lists import Column, ScopedListView
from changqing.core.models import OperationLog
from changqing.core.oplog import log_operation

from .filters import RetireeFilterSet
from .models import Retiree


def _membership_text(r):
    m = getattr(r, "membership", None)
    if m is None:
        return "非党员"
    return f"{m.get_status_display()}（{m.get_state_display()}）"


class RetireeListView(ScopedListView):
    title = "离退休干部名册"
    queryset = Retiree.objects.select_related("organization", "membership")
    filterset_class = RetireeFilterSet
    default_ordering = "name_pinyin"
    columns = [
        Column("name", "姓名", sort="name_pinyin", link=True),
        Column("gender", "性别", value=lambda r: r.get_gender_display()),
        Column("birth_date", "出生日期", sort="birth_date"),
        Column("id_number", "身份证号", value=lambda r: r.masked_id_number),
        Column("retirement_kind", "类别", sort="retirement_kind", value=lambda r: r.get_retirement_kind_display()),
        Column("membership", "政治面貌", value=_membership_text),
        Column("organization.name", "所在组织", sort="organization__path"),
        Column("phone", "联系电话", value=lambda r: r.masked_phone),
    ]


@object_view(Retiree)
@login_required
def retiree_detail(request, pk: int):
    retiree = get_scoped_object_or_404(Retiree.objects.select_related("organization"), request.user, pk=pk)
    reveal = request.GET.get("reveal") == "1" and can(request.user, "unmask", retiree)
    if reveal:
        log_operation(OperationLog.Event.UNMASK, request=request, detail=f"查看 {retiree.name} 的完整身份证号和电话",
                      org_path=retiree.organization.path, data={"retiree_id": retiree.pk})
    membership = getattr(retiree, "membership", None)
    return render(request, "members/retiree_detail.html", {
        "title": retiree.name, "r": retiree, "membership": membership, "reveal": reveal,
        "can_unmask": can(request.user, "unmask", retiree),
        "absences": retiree.absences.all()[:20],
    })
