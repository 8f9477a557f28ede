"""Pages of 评选表彰: campaigns, nominations, review, the ballot, counting and results."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone

from changqing.core.export_gate import ExportGate
from changqing.core.forms import apply_errors
from changqing.core.lists import Column, ScopedListView
from changqing.core.object_views import ObjectFormView
from changqing.core.scope import get_scoped_object_or_404, object_view, restrict, scope_for
from changqing.core.params import query_id

from . import selectors, services
from .forms import CampaignForm, CategoryForm, NominationForm, OfflineVotesForm, ReviewForm, TieForm
from .models import PHASE_ORDER, Campaign, Category, Nomination, NominationStatus, Phase
from .filters import NominationFilterSet


def _campaign_or_404(user, pk) -> Campaign:
    campaign = selectors.campaigns_for(user).select_related("organization").filter(pk=pk).first()
    if campaign is None:
        raise Http404("不在您的数据范围内，或记录不存在")
    return campaign


def _require_organiser(user, campaign):
    if not selectors.is_organiser(user, campaign):
        raise PermissionDenied("只有评选组织单位的管理员可以进行此操作")


# -- campaigns ----------------------------------------------------------------------


class CampaignListView(ScopedListView):
    title = "评选表彰"
    export_title = "评选活动"
    queryset = Campaign.objects.select_related("organization")
    default_ordering = "-year"
    columns = [
        Column("title", "评选名称", link=True),
        Column("year", "年度", sort="year"),
        Column("organization.name", "组织单位"),
        Column("phase", "当前阶段", value=lambda c: c.get_phase_display()),
        Column("voting_starts_on", "投票开始", sort="voting_starts_on"),
        Column("voting_ends_on", "投票截止", sort="voting_ends_on"),
        Column("published_on", "结果公布", sort="published_on"),
    ]

    def scoped(self, qs):
        # The bureau's campaign reaches every branch and member below it.
        return selectors.campaigns_for(self.request.user).select_related("organization")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["create_url_name"] = "honours:campaign_create" if not scope_for(self.request.user, "manage").empty else None
        return ctx


class CampaignCreateView(ObjectFormView):
    form_class = CampaignForm
    title = "发起评选"
    success_message = "评选已创建，现处于提名阶段"
    cancel_url = reverse_lazy("honours:campaigns")

    def check_permission(self):
        if scope_for(self.request.user, "manage").empty:
            raise PermissionDenied("只有老干部局/组织部管理员可以发起评选")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def perform(self, form):
        return services.campaign_create(user=self.request.user, **form.cleaned_data)


class CampaignView(ObjectFormView):
    """Pages of one campaign, for its organisers: the campaign is read through the campaigns the user sees."""

    model = Campaign

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return _campaign_or_404(self.request.user, self.kwargs["pk"])

    def check_permission(self):
        _require_organiser(self.request.user, self.object)


class CampaignEditView(CampaignView):
    form_class = CampaignForm
    success_message = "已保存"
    fields = ["title", "nomination_ends_on", "review_ends_on", "voting_starts_on", "voting_ends_on", "note"]

    def get_title(self):
        return f"修改评选：{self.object.title}"

    def get_form_kwargs(self):
        return {"campaign": self.object, "initial": {f: getattr(self.object, f) for f in self.fields}}

    def perform(self, form):
        return services.campaign_update(user=self.request.user, campaign=self.object, **form.cleaned_data)


@object_view(Campaign)
@login_required
def campaign_detail(request, pk):
    campaign = _campaign_or_404(request.user, pk)
    user = request.user
    organiser = selectors.is_organiser(user, campaign)
    today = timezone.localdate()
    advance_errors = []
    if request.method == "POST":
        if not organiser:
            raise PermissionDenied("只有评选组织单位的管理员可以变更阶段")
        try:
            services.campaign_advance(user=user, campaign=campaign, expected_phase=request.POST.get("phase"))
        except ValidationError as exc:
            advance_errors = exc.messages
        else:
            campaign.refresh_from_db()
            messages.success(request, f"评选已进入“{campaign.get_phase_display()}”阶段")
            return redirect(campaign)
    counts = selectors.campaign_counts(campaign)
    categories = list(campaign.categories.all())
    for c in categories:
        c.counts = counts["by_category"].get(c.pk, {})
        c.ballot_count = counts["ballots"].get(c.pk, 0)
    nxt = services.next_phase(campaign.phase)
    voted = selectors.voted_category_ids(user, campaign) if campaign.phase == Phase.VOTING else {}
    steps = [{"label": p.label, "done": PHASE_ORDER.index(p) < PHASE_ORDER.index(campaign.phase),
              "current": p == campaign.phase} for p in PHASE_ORDER]
    return render(request, "honours/campaign_detail.html", {
        "title": campaign.title, "c": campaign, "categories": categories, "counts": counts, "steps": steps,
        "organiser": organiser, "next_phase": nxt and Phase(nxt).label,
        "advance_problems": advance_errors or (services.advance_problems(campaign, today) if organiser and nxt else []),
        "can_nominate": campaign.phase == Phase.NOMINATION and selectors.can_nominate(user, campaign),
        "voter": campaign.phase == Phase.VOTING and selectors.is_eligible_voter(user, campaign),
        "voted_all": bool(categories) and len(voted) == len(categories),
        "voting_closed": services.voting_closed_reason(campaign, today),
        "results_visible": selectors.results_visible(user, campaign),
        "editable_categories": organiser and campaign.phase in (Phase.NOMINATION, Phase.REVIEW),
    })


# -- categories ---------------------------------------------------------------------


class CategoryCreateView(CampaignView):
    form_class = CategoryForm
    success_message = "类别已增加"

    def get_title(self):
        return f"增加评选类别：{self.object.title}"

    def get_form_kwargs(self):
        return {"initial": {"order": 10 * (self.object.categories.count() + 1)}}

    def perform(self, form):
        services.category_create(user=self.request.user, campaign=self.object, **form.cleaned_data)


def _category_or_404(user, pk) -> Category:
    category = Category.objects.select_related("campaign__organization").filter(pk=pk).first()
    if category is None or not selectors.campaigns_for(user).filter(pk=category.campaign_id).exists():
        raise Http404("不在您的数据范围内，或记录不存在")
    return category


class CategoryEditView(ObjectFormView):
    model = Category
    form_class = CategoryForm
    success_message = "已保存"

    def get_object(self):
        return _category_or_404(self.request.user, self.kwargs["pk"])

    def check_permission(self):
        _require_organiser(self.request.user, self.object.campaign)

    def get_title(self):
        return f"修改评选类别：{self.object.name}"

    def get_cancel_url(self):
        return self.object.campaign.get_absolute_url()

    def get_form_kwargs(self):
        return {"instance": Category.objects.get(pk=self.object.pk)}

    def perform(self, form):
        services.category_update(user=self.request.user, category=self.object, **form.cleaned_data)
        return self.object.campaign


# -- nominations --------------------------------------------------------------------


class NominationListView(ScopedListView):
    title = "提名与审核"
    export_title = "评选提名"
    queryset = Nomination.objects.select_related("retiree__organization", "nominee_org", "category", "campaign",
                                                 "nominated_by")
    filterset_class = NominationFilterSet
    default_ordering = "-campaign__year"
    columns = [
        Column("nominee_name", "被提名人/组织", link=True),
        Column("nominee_unit", "所在组织"),
        Column("category.name", "评选类别", sort="category__order"),
        Column("campaign.title", "评选活动", sort="campaign__year"),
        Column("nominated_by", "提名人", value=lambda n: n.nominated_by.display_name if n.nominated_by else "—"),
        Column("status", "审核状态", sort="status", value=lambda n: n.get_status_display()),
        Column("review_reason", "审核意见"),
        Column("is_winner", "当选", value=lambda n: "当选" if n.is_winner else ""),
        Column("created_at", "提名时间", sort="created_at"),
    ]


class NominationCreateView(ObjectFormView):
    model = Campaign
    form_class = NominationForm
    template_name = "honours/nominate.html"

    def get_object(self):
        return _campaign_or_404(self.request.user, self.kwargs["pk"])

    def refuse(self):
        if self.object.phase != Phase.NOMINATION:
            messages.error(self.request, "提名阶段已结束，不能再提名")
            return redirect(self.object)
        return None

    def check_permission(self):
        if not selectors.can_nominate(self.request.user, self.object):
            raise PermissionDenied("只有支部书记及以上的同志可以提名")

    def get_title(self):
        return f"提名：{self.object.title}"

    def get_form_kwargs(self):
        return {"user": self.request.user, "campaign": self.object, "q": self.request.GET.get("q", ""),
                "initial": {"category": query_id(self.request, "category")}}

    def get_context_data(self, **kwargs):
        return super().get_context_data(c=self.object, q=self.request.GET.get("q", ""), **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.nomination_create(user=self.request.user, campaign=self.object, category=data["category"],
                                          reasons=data["reasons"], retiree=data.get("retiree"),
                                          nominee_org=data.get("nominee_org"), attachment=data.get("attachment"))

    def get_success_message(self, n):
        return f"已提名{n.nominee_name}参评“{n.category.name}”，等待审核"


def _nomination_or_404(request, pk, action="view") -> Nomination:
    return get_scoped_object_or_404(
        Nomination.objects.select_related("retiree__organization", "nominee_org", "category", "campaign__organization",
                                          "nominated_by", "reviewed_by"), request.user, action, pk=pk)


@object_view(Nomination)
@login_required
def nomination_detail(request, pk):
    n = _nomination_or_404(request, pk)
    campaign = n.campaign
    organiser = selectors.is_organiser(request.user, campaign)
    can_review = organiser and campaign.phase == Phase.REVIEW
    can_withdraw = campaign.phase == Phase.NOMINATION and (organiser or n.nominated_by_id == request.user.pk)
    form = ReviewForm(request.POST if "review" in request.POST else None,
                      initial={"decision": {"approved": "approve", "rejected": "reject"}.get(n.status)})
    if request.method == "POST":
        if "withdraw" in request.POST:
            try:
                services.nomination_withdraw(user=request.user, nomination=n)
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
                return redirect(n)
            messages.success(request, f"已撤回对{n.nominee_name}的提名")
            return redirect(campaign)
        if not can_review:
            raise PermissionDenied("只有评选组织单位的管理员在审核阶段可以审核")
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.nomination_review(user=request.user, nomination=n,
                                               approve=form.cleaned_data["decision"] == "approve",
                                               reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已审核：{n.nominee_name}（{n.get_status_display()}）")
                nxt = (restrict(Nomination.objects.filter(campaign=campaign, status=NominationStatus.PENDING),
                                request.user).order_by("category__order", "id").first())
                return redirect(nxt or campaign)
    return render(request, "honours/nomination_detail.html", {
        "title": f"提名：{n.nominee_name}", "n": n, "c": campaign, "form": form, "can_review": can_review,
        "can_withdraw": can_withdraw, "results_visible": selectors.results_visible(request.user, campaign)})


@object_view(Nomination)
@login_required
def nomination_attachment(request, pk):
    """事迹材料 may hold personal data: served through scope, never from /media/."""
    n = _nomination_or_404(request, pk)
    if not n.attachment:
        raise Http404("没有附件")
    return ExportGate(request).file(n, n.attachment, n.attachment.original_name,
                                    f"下载{n.nominee_name}的事迹材料附件", org_path=n.changelog_org_path())


# -- voting -------------------------------------------------------------------------


@object_view(Campaign)
@login_required
def ballot(request, pk):
    """The ballot: every category with its candidates; a voted category shows 已投票 and no choices."""
    campaign = _campaign_or_404(request.user, pk)
    user = request.user
    today = timezone.localdate()
    closed = services.voting_closed_reason(campaign, today)
    eligible = selectors.is_eligible_voter(user, campaign)
    categories = list(campaign.categories.all())
    by_cat = {c.pk: [] for c in categories}
    for n in selectors.candidates(campaign):
        by_cat[n.category_id].append(n)
    errors: dict[str, list[str]] = {}
    chosen: dict[int, list[int]] = {}
    if request.method == "POST":
        if closed or not eligible:
            raise PermissionDenied(closed or "您不在本次评选的投票范围内")
        for c in categories:
            chosen[c.pk] = [int(v) for v in request.POST.getlist(f"category_{c.pk}") if v.isdigit()]
        if not any(chosen.values()):
            errors["__all__"] = ["请至少在一个类别中选择候选人"]
        else:
            try:
                with transaction.atomic():
                    for c in categories:
                        if chosen[c.pk]:
                            services.ballot_cast(user=user, campaign=campaign, category=c, nomination_ids=chosen[c.pk],
                                                 today=today)
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            else:
                done = [c.name for c in categories if chosen[c.pk]]
                messages.success(request, "投票成功：" + "、".join(done) + "。选票不记名，任何人都看不到您投给了谁")
                return redirect("honours:ballot", pk=campaign.pk)
    voted = selectors.voted_category_ids(user, campaign)
    sections = [{"category": c, "candidates": by_cat[c.pk], "voted_at": voted.get(c.pk),
                 "errors": errors.get(f"category_{c.pk}", []), "chosen": chosen.get(c.pk, []),
                 "multi": c.max_choices > 1} for c in categories]
    return render(request, "honours/ballot.html", {
        "title": f"投票：{campaign.title}", "c": campaign, "sections": sections, "closed": closed,
        "eligible": eligible, "errors": errors.get("__all__", []),
        "open_sections": sum(1 for s in sections if not s["voted_at"] and s["candidates"])})


# -- counting and results ---------------------------------------------------------------


@object_view(Campaign)
@login_required
def counting(request, pk):
    """线下计票 and decisions on ties, per category, while the campaign is in the counting phase."""
    campaign = _campaign_or_404(request.user, pk)
    _require_organiser(request.user, campaign)
    if campaign.phase != Phase.COUNTING:
        messages.error(request, "只有在计票阶段才能录入线下票数和决定并列人选")
        return redirect(campaign)
    cands = list(selectors.candidates(campaign))
    results = {cr.category.pk: cr for cr in selectors.results(campaign)}
    target = request.POST.get("category") if request.method == "POST" else None
    sections = []
    for c in campaign.categories.all():
        mine = [n for n in cands if n.category_id == c.pk]
        bound = target == str(c.pk)
        offline = OfflineVotesForm(request.POST if bound and "offline" in request.POST else None, category=c,
                                   candidates=mine, prefix=f"c{c.pk}")
        cr = results[c.pk]
        tie = TieForm(request.POST if bound and "tie" in request.POST else None, tied=cr.tied, prefix=f"t{c.pk}")
        if bound and "offline" in request.POST and offline.is_valid():
            try:
                with transaction.atomic():
                    services.offline_votes_record(user=request.user, category=c,
                                                  ballots=offline.cleaned_data["ballots"], votes=offline.votes())
            except ValidationError as exc:
                apply_errors(offline, exc)
            else:
                messages.success(request, f"“{c.name}”线下票数已保存")
                return redirect("honours:counting", pk=campaign.pk)
        if bound and "tie" in request.POST and tie.is_valid():
            try:
                with transaction.atomic():
                    services.tie_decide(user=request.user, category=c,
                                        winner_ids=[int(i) for i in tie.cleaned_data["winners"]],
                                        reason=tie.cleaned_data["reason"])
            except ValidationError as exc:
                apply_errors(tie, exc)
            else:
                messages.success(request, f"“{c.name}”并列人选已决定")
                return redirect("honours:counting", pk=campaign.pk)
        sections.append({"category": c, "offline": offline, "tie": tie, "result": cr})
    return render(request, "honours/counting.html", {"title": f"计票：{campaign.title}", "c": campaign,
                                                     "sections": sections})


def _results_or_404(request, pk):
    campaign = _campaign_or_404(request.user, pk)
    if not selectors.results_visible(request.user, campaign):
        raise Http404("评选结果尚未公布")
    return campaign


@object_view(Campaign)
@login_required
def results(request, pk):
    campaign = _results_or_404(request, pk)
    if request.GET.get("export") == "xlsx":
        # Ranks are over every candidate; the rows written are the candidates the user may export.
        gate = ExportGate(request)
        exportable = set(gate.rows(Nomination.objects.filter(campaign=campaign)).values_list("pk", flat=True))
        return gate.xlsx(f"{campaign.title}结果", selectors.RESULT_HEADERS,
                         selectors.result_table(campaign, nominations=exportable),
                         org_path=campaign.organization.path, unit="行")
    return render(request, "honours/results.html", {
        "title": f"评选结果：{campaign.title}", "c": campaign, "results": selectors.results(campaign),
        "organiser": selectors.is_organiser(request.user, campaign),
        "can_export": not scope_for(request.user, "export").empty})


@object_view(Campaign)
@login_required
def results_print(request, pk):
    campaign = _results_or_404(request, pk)
    results = selectors.results(campaign)
    ExportGate(request, kind="print").printed(f"{campaign.title}结果", sum(len(c.rows) for c in results),
                                              org_path=campaign.organization.path, data={"campaign": campaign.pk})
    return render(request, "honours/results_print.html", {
        "title": f"评选结果：{campaign.title}", "c": campaign, "results": results,
        "today": timezone.localdate()})
