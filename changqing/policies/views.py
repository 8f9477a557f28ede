"""Pages: the policies in the user's reach, one policy's versions with their history, a new version."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from changqing.core.scope import can, get_scoped_object_or_404, object_view, restrict, restrict_shared
from changqing.core.forms import apply_errors
from changqing.core.lists import Column, ScopedListView
from changqing.core.models import ObjectChange

from . import kinds, services
from .filters import PolicyFilterSet
from .forms import VersionForm
from .models import Policy, PolicyVersion
from .selectors import Resolver

Organization = Policy._meta.get_field("organization").related_model


class PolicyListView(ScopedListView):
    """The rules set in the user's jurisdiction, and those set above it that apply to it."""

    title = "规则设置"
    queryset = Policy.objects.select_related("organization").annotate(
        version_count=Count("versions"), latest_from=Max("versions__valid_from"))
    filterset_class = PolicyFilterSet
    template_name = "policies/list.html"
    default_ordering = "organization__path"
    columns = [
        Column("organization.name", "适用组织", sort="organization__path", link=True),
        Column("kind", "规则类别", value=lambda p: p.kind_label, sort="kind", link=True),
        Column("latest_from", "最新版本生效日期", sort="latest_from"),
        Column("version_count", "版本数"),
    ]

    def scoped(self, qs):
        return restrict_shared(qs, self.request.user, self.action)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["set_form"] = SetForm(user=self.request.user)
        return ctx


class SetForm(forms.Form):
    """Pick a kind and an organisation to set (or revise) its rules."""

    kind = forms.ChoiceField(label="规则类别")
    organization = forms.ModelChoiceField(label="适用组织", queryset=Organization.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.code, k.label) for k in kinds.all_kinds()]
        self.fields["organization"].queryset = restrict(Organization.objects.filter(dissolved_on__isnull=True),
                                                        user, "manage").order_by("path")


@login_required
def policy_pick(request):
    form = SetForm(request.GET or None, user=request.user)
    if form.is_valid():
        return redirect("policies:set", kind=form.cleaned_data["kind"], code=form.cleaned_data["organization"].code)
    messages.error(request, "请选择规则类别和适用组织")
    return redirect("policies:list")


@object_view(Policy)
@login_required
def policy_detail(request, pk: int):
    policy = _shared_or_404(request.user, pk)
    kind = kinds.get(policy.kind)
    today = timezone.localdate()
    versions = list(policy.versions.select_related("created_by").order_by("-valid_from"))
    describe = kind.describe if kind and kind.describe else (lambda v: [(k, str(x)) for k, x in v.items()])
    rows = [{"version": v, "current": v.covers(today), "future": v.valid_from > today,
             "values": describe(v.values)} for v in versions]
    inherited = Resolver(policy.kind, root=policy.organization.parent.path, below=False).version(
        policy.kind, policy.organization.parent, today) if policy.organization.parent_id else None
    ct = ContentType.objects.get_for_models(Policy, PolicyVersion)
    changes = restrict(ObjectChange.objects.filter(
        Q(content_type=ct[Policy], object_id=str(policy.pk))
        | Q(content_type=ct[PolicyVersion], object_id__in=[str(v.pk) for v in versions])), request.user)
    return render(request, "policies/detail.html", {
        "title": f"{policy.organization.name}：{policy.kind_label}", "policy": policy, "kind": kind, "rows": rows,
        "inherited": inherited, "changes": changes.select_related("user").order_by("-time")[:100],
        "may_set": kind is not None and can(request.user, kind.action, policy.organization),
        "version_ct": ct[PolicyVersion].pk,
    })


def _shared_or_404(user, pk):
    try:
        return restrict_shared(Policy.objects.select_related("organization__parent"), user).get(pk=pk)
    except Policy.DoesNotExist:
        raise Http404("不在您的数据范围内，或记录不存在") from None


@object_view(Organization, code="code", samples={"kind": "warning_months"})
@login_required
def policy_set(request, kind: str, code: str):
    """A new version of the organisation's own rules of a kind, from a date; prefilled with those in force."""
    k = kinds.get(kind)
    if k is None:
        raise Http404("没有这类规则")
    org = get_scoped_object_or_404(Organization, request.user, k.action, code=code)
    today = timezone.localdate()
    current = Resolver(kind, root=org, below=False)
    in_force = current.version(kind, org, today)
    initial = k.form.initial_for(in_force.values if in_force else k.default())
    version_form = VersionForm(request.POST or None, initial={"valid_from": today}, prefix="v")
    values_form = k.form(request.POST or None, initial=initial, organization=org, user=request.user)
    if request.method == "POST" and version_form.is_valid() & values_form.is_valid():  # both, for every error
        if org.kind == "branch" and k.action == "manage" and not version_form.cleaned_data["note"]:
            version_form.add_error("note", "为单个支部单独设置规则，请写明理由")
        else:
            try:
                v = services.policy_version_create(
                    kind=kind, organization=org, valid_from=version_form.cleaned_data["valid_from"],
                    values=values_form.to_values(), note=version_form.cleaned_data["note"], user=request.user,
                    valid_to=version_form.cleaned_data["valid_to"])
            except ValidationError as exc:
                apply_errors(version_form, exc)
            else:
                messages.success(request, f"已设置「{org.name}」的{k.label}，自{v.valid_from:%Y年%-m月%-d日}起生效，"
                                          "其下级组织随之适用（下级自行设置的除外）")
                return redirect(v.policy)
    policy = Policy.objects.filter(kind=kind, organization=org).first()
    return render(request, "policies/set.html", {
        "title": f"设置规则：{org.name} · {k.label}", "org": org, "kind": k, "in_force": in_force,
        "version_form": version_form, "values_form": values_form,
        "cancel_url": policy.get_absolute_url() if policy else reverse("policies:list"),
    })
