"""Read-only API of 评选表彰. Ballots are never exposed; vote totals only once results are published."""
from rest_framework import serializers

from changqing.api.base import ScopedReadOnlyViewSet

from . import selectors
from .models import Campaign, Category, Nomination, Phase


class HonourCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "nominee_rule", "quota", "max_choices", "order"]


class HonourCampaignSerializer(serializers.ModelSerializer):
    categories = HonourCategorySerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "title", "year", "organization", "phase", "nomination_ends_on", "review_ends_on",
                  "voting_starts_on", "voting_ends_on", "published_on", "categories"]


class HonourNominationSerializer(serializers.ModelSerializer):
    nominee_name = serializers.CharField(read_only=True)
    total_votes = serializers.SerializerMethodField()
    is_winner = serializers.SerializerMethodField()

    class Meta:
        model = Nomination
        fields = ["id", "campaign", "category", "retiree", "nominee_org", "nominee_name", "status", "review_reason",
                  "total_votes", "is_winner", "created_at"]

    def _published(self, obj) -> bool:
        return obj.campaign.phase == Phase.PUBLISHED

    def get_total_votes(self, obj) -> int | None:
        return obj.total_votes if self._published(obj) and obj.status == "approved" else None

    def get_is_winner(self, obj) -> bool | None:
        return obj.is_winner if self._published(obj) else None


class CampaignViewSet(ScopedReadOnlyViewSet):
    queryset = Campaign.objects.order_by("-year", "-id")
    serializer_class = HonourCampaignSerializer

    def get_queryset(self):
        # Shared down the tree like the pages: a branch sees the bureau's campaign.
        return selectors.campaigns_for(self.request.user).prefetch_related("categories").order_by("-year", "-id")


class NominationViewSet(ScopedReadOnlyViewSet):
    queryset = Nomination.objects.select_related("campaign", "retiree", "nominee_org").order_by("-campaign__year", "id")
    serializer_class = HonourNominationSerializer


def register(router):
    router.register("honours/campaigns", CampaignViewSet, basename="honours-campaign")
    router.register("honours/nominations", NominationViewSet, basename="honours-nomination")
