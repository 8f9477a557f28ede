from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render

from changqing.accounts.scope import can, get_scoped_object_or_404, object_view, restrict, scope_for
from changqing.core.lists import Column, ScopedListView

from .filters import OrganizationFilterSet
from .forms import OrganizationForm
from .models import Organization, Zone


class OrganizationListView(ScopedListView):
    title = "党组织"
    queryset = Organization.objects.select_related("parent", "zone")
    filterset_class = OrganizationFilterSet
    default_ordering = "path"
    create_url_name = "orgs:create"
    columns = [
        Column("code", "编码", sort="code"),
        Column("name", "名称", sort="name", link=True),
        Column("kind", "类别", sort="kind", value=lambda o: o.get_kind_display()),
        Column("setup_kind", "组建方式", value=lambda o: o.get_setup_kind_display()),
        Column("parent.name", "上级组织"),
        Column("zone.name", "片组"),
        Column("established_on", "成立日期", sort="established_on"),
    ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["create_url_name"] = self.create_url_name if not scope_for(self.request.user, "manage").empty else None
        return ctx


@object_view(Organization, code="code")
@login_required
def organization_detail(request, code: str):
    org = get_scoped_object_or_404(Organization.objects.select_related("parent", "zone"), request.user, code=code)
    children = restrict(org.children.all(), request.user).annotate(
        members=Count("memberships", filter=Q(memberships__state="active"))
    )
    from changqing.members.models import Membership, Retiree

    subtree_retirees = restrict(Retiree.objects.filter(organization__path__startswith=org.path), request.user)
    subtree_members = restrict(
        Membership.objects.filter(organization__path__startswith=org.path, state="active"), request.user
    )
    ancestors = [a for a in org.ancestors() if can(request.user, "view", a)]
    return render(request, "orgs/detail.html", {
        "title": org.name, "org": org, "children": children, "ancestors": ancestors,
        "retiree_count": subtree_retirees.count(), "member_count": subtree_members.count(),
        "can_manage": can(request.user, "manage", org),
    })


@object_view(Organization, code="code")
@login_required
def organization_edit(request, code: str | None = None):
    if scope_for(request.user, "manage").empty:
        raise PermissionDenied("只有管理员可以维护组织")
    org = get_scoped_object_or_404(Organization, request.user, "manage", code=code) if code else None
    form = OrganizationForm(request.POST or None, instance=org, user=request.user)
    if request.method == "POST" and form.is_valid():
        org = form.save()
        messages.success(request, f"已保存「{org.name}」")
        return redirect(org)
    return render(request, "core/form.html", {
        "title": f"修改组织：{org.name}" if org else "新增组织", "form": form,
        "cancel_url": org.get_absolute_url() if org else "/orgs/",
    })


class ZoneListView(ScopedListView):
    title = "片组"
    queryset = Zone.objects.select_related("organization", "lead_org", "deputy_org").annotate(
        branch_count=Count("organizations"))
    default_ordering = "code"
    columns = [
        Column("code", "编码", sort="code"),
        Column("name", "名称", sort="name"),
        Column("organization.name", "所属党工委"),
        Column("lead_org.name", "片组长单位"),
        Column("deputy_org.name", "副片组长单位"),
        Column("branch_count", "支部数", sort="branch_count"),
    ]
