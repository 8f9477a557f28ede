from django.urls import reverse

from . import selectors
from .models import Ballot, Nomination, NominationStatus, Phase


def honours_panel(request):
    """Open selections: the ballot still to cast, nominations to review, counting to finish."""
    user = request.user
    if not user.is_authenticated:
        return None
    items = []
    open_campaigns = list(selectors.campaigns_for(user).filter(
        phase__in=[Phase.NOMINATION, Phase.REVIEW, Phase.VOTING, Phase.COUNTING])
        .select_related("organization").order_by("-year", "-id")[:3])
    for c in open_campaigns:
        organiser = selectors.is_organiser(user, c)
        if c.phase == Phase.VOTING and selectors.is_eligible_voter(user, c):
            left = c.categories.count() - Ballot.objects.filter(campaign=c, voter=user).count()
            items.append({"label": f"{c.title}：待投票的类别" if left else f"{c.title}：已投票",
                          "value": left if left else "✓", "url": reverse("honours:ballot", args=[c.pk])})
        elif c.phase == Phase.NOMINATION and selectors.can_nominate(user, c):
            items.append({"label": f"{c.title}：提名截止 {c.nomination_ends_on:%m月%d日}，我提名的",
                          "value": Nomination.objects.filter(campaign=c, nominated_by=user).count(),
                          "url": reverse("honours:nomination_create", args=[c.pk])})
        elif c.phase == Phase.REVIEW and organiser:
            items.append({"label": f"{c.title}：待审核的提名",
                          "value": Nomination.objects.filter(campaign=c, status=NominationStatus.PENDING).count(),
                          "url": reverse("honours:nominations") + f"?campaign={c.pk}&status=pending"})
        elif c.phase == Phase.COUNTING and organiser:
            items.append({"label": f"{c.title}：计票中，待公布", "value": "计票",
                          "url": reverse("honours:counting", args=[c.pk])})
    if not items:
        return None
    return {"title": "评选表彰", "order": 60, "items": items}


def record_section(request, retiree):
    """On the member record: the honours this person won (published results only)."""
    wins = list(selectors.wins_of_retiree(retiree))
    if not wins:
        return None
    return {"title": "评选表彰", "order": 150, "items": [
        {"label": f"{n.campaign.year}年度", "value": f"{n.category.name}（{n.campaign.title}）",
         "url": reverse("honours:results", args=[n.campaign_id])} for n in wins]}


def org_section(request, org):
    """On an organisation's page: the honours it won as an organisation (published results only)."""
    wins = list(selectors.wins_of_org(org))
    if not wins:
        return None
    return {"title": "评选表彰", "order": 60, "items": [
        {"label": f"{n.campaign.year}年度", "value": f"{n.category.name}（{n.campaign.title}）",
         "url": reverse("honours:results", args=[n.campaign_id])} for n in wins]}
