from rest_framework import serializers

from changqing.api.base import ScopedReadOnlyViewSet

from .models import Campaign, OralHistory, Pairing, Visit


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = ["id", "retiree", "visited_on", "kind", "visitors", "notes", "gifts", "amount", "campaign", "pairing",
                  "created_at"]


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "festival", "organization", "starts_on", "due_on"]


class PairingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Pairing
        fields = ["id", "carer", "retiree", "started_on", "ended_on", "cadence_days", "reason"]


class OralHistorySerializer(serializers.ModelSerializer):
    class Meta:
        model = OralHistory
        fields = ["id", "title", "organization", "interviewee_name", "interviewer", "interviewed_on", "tags"]


class VisitViewSet(ScopedReadOnlyViewSet):
    queryset = Visit.objects.order_by("-visited_on", "-id")
    serializer_class = VisitSerializer


class CampaignViewSet(ScopedReadOnlyViewSet):
    queryset = Campaign.objects.order_by("-starts_on")
    serializer_class = CampaignSerializer


class PairingViewSet(ScopedReadOnlyViewSet):
    queryset = Pairing.objects.order_by("id")
    serializer_class = PairingSerializer


class OralHistoryViewSet(ScopedReadOnlyViewSet):
    queryset = OralHistory.objects.order_by("-interviewed_on")
    serializer_class = OralHistorySerializer

    def get_queryset(self):
        from .views import visible_oral_histories

        return visible_oral_histories(self.request.user).order_by("-interviewed_on")


def register(router):
    router.register("care/visits", VisitViewSet, basename="care-visit")
    router.register("care/campaigns", CampaignViewSet, basename="care-campaign")
    router.register("care/pairings", PairingViewSet, basename="care-pairing")
    router.register("care/oral-histories", OralHistoryViewSet, basename="care-oral")
