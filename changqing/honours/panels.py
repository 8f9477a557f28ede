from django.urls import reverse
from django.utils import timezone

from . import selectors
from .models import Nomination, NominationStatus, Phase


def open_items(user, today=None) -> list[dict]:
    """What the user has to do in open selections: the ballot still to cast, nominations to make or review,
    counting to finish. Each item: label, value, url, and `todo` (something is waiting on this user),
    `digest` (the line for the daily digest, when it is worth a message)."""
    today = today or timezone.localdate()
    items = []
    open_campaigns = list(selectors.campaigns_for(user).filter(
        phase__in=[Phase.NOMINATION, Phase.REVIEW, Phase.VOTING, Phase.COUNTING])
        .select_related("organization").order_by("-year", "-id")[:3])
    for c in open_campaigns:
        organiser = selectors.is_organiser(user, c)
        if c.phase == Phase.VOTING and selectors.is_eligible_voter(user, c):
            # Categories with candidates to vote for (one with none cannot be voted in) not voted in yet.
            left = (c.categories.filter(nominations__status=NominationStatus.APPROVED).distinct()
                    .exclude(ballots__voter=user).count())
            items.append({"label": f"{c.title}：待投票的类别" if left else f"{c.title}：已投票",
                          "value": left if left else "✓", "url": reverse("honours:ballot", args=[c.pk]),
                          "digest": f"{c.title}：还有{left}个类别未投票，{c.voting_ends_on:%m月%d日}截止"
                          if left and c.voting_starts_on <= today <= c.voting_ends_on else ""})
        elif c.phase == Phase.NOMINATION and selectors.can_nominate(user, c):
            days = (c.nomination_ends_on - today).days
            items.append({"label": f"{c.title}：提名截止 {c.nomination_ends_on:%m月%d日}，我提名的",
                          "value": Nomination.objects.filter(campaign=c, nominated_by=user).count(),
                          "url": reverse("honours:nomination_create", args=[c.pk]),
                          "digest": f"{c.title}：提名{'今天' if days == 0 else f'还有{days}天'}截止"
                          if 0 <= days <= 3 else ""})
        elif c.phase == Phase.REVIEW and organiser:
            pending = Nomination.objects.filter(campaign=c, status=NominationStatus.PENDING).count()
            items.append({"label": f"{c.title}：待审核的提名", "value": pending,
                          "url": reverse("honours:nominations") + f"?campaign={c.pk}&status=pending",
                          "digest": f"{c.title}：{pending}条提名待审核" if pending else ""})
        elif c.phase == Phase.COUNTING and organiser:
            items.append({"label": f"{c.title}：计票中，待公布", "value": "计票",
                          "url": reverse("honours:counting", args=[c.pk]),
                          "digest": f"{c.title}：投票已结束，待计票公布"})
    return items


def honours_panel(request):
    """Open selections on the home page (open_items)."""
    if not request.user.is_authenticated:
        return None
    items = my_open_items(request)
    if not items:
        return None
    return {"title": "评选表彰", "order": 60, "items": items}


def my_open_items(request) -> list[dict]:
    """open_items for the request's user, once per request (the panel, 今天要办 and the member's home)."""
    from changqing.core.today import memo

    return memo(request, "honours:open_items", lambda: open_items(request.user))


def digest(user, today):
    """The daily digest: a ballot not yet cast while voting is open, a nomination deadline within three days,
    nominations waiting for review, a count to publish."""
    from changqing.core.notify import DigestItem

    return [DigestItem(i["digest"], i["url"]) for i in open_items(user, today) if i.get("digest")]


def _wins_section(wins, order: int):
    """A page section listing published wins, each linking to its campaign's results (None when there are none)."""
    wins = list(wins)
    if not wins:
        return None
    return {"title": "评选表彰", "order": order, "items": [
        {"label": f"{n.campaign.year}年度", "value": f"{n.category.name}（{n.campaign.title}）",
         "url": reverse("honours:results", args=[n.campaign_id])} for n in wins]}


def record_section(request, retiree):
    """On the member record: the honours this person won (published results only)."""
    return _wins_section(selectors.wins_of_retiree(retiree), 150)


def org_section(request, org):
    """On an organisation's page: the honours it won as an organisation (published results only)."""
    return _wins_section(selectors.wins_of_org(org), 60)
