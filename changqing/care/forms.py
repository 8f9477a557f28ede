from django import forms
from django.utils import timezone

from changqing.core.conflicts import VersionedFormMixin
from changqing.core.forms import default_own_organization
from changqing.core.masking import Reveal
from changqing.members.picker import person_picker
from changqing.core.scope import restrict, restrict_shared
from changqing.core.widgets import DateInput
from changqing.members.models import Retiree
from changqing.orgs.models import Organization

from .models import (
    AssistanceApplication, AssistanceProgramme, Booking, Campaign, CommunityDuty, HardshipRecord, OralHistory, Pairing,
    RetireeRole, Venue, VisitKind, VolunteerActivity, VolunteerTeam,
)


class ScopedModelForm(VersionedFormMixin, forms.ModelForm):
    """Every foreign key offers only what the user may change; dates use the native picker."""

    action = "change"

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                model = field.queryset.model
                if model is Retiree:
                    field.queryset = restrict(Retiree.objects.filter(status="alive"), user, self.action)
                    field.label_from_instance = lambda r: f"{r.name}（{r.organization.name}）"
                    field.queryset = field.queryset.select_related("organization")
                    person_picker(field)
                elif hasattr(model, "scope_spec"):
                    field.queryset = restrict(model.objects.all(), user, self.action)
            if isinstance(field, forms.DateField):
                field.widget = DateInput()


class VisitForm(forms.Form):
    retiree = forms.ModelChoiceField(label="走访对象", queryset=Retiree.objects.none())
    visited_on = forms.DateField(label="走访日期", widget=DateInput())
    kind = forms.ChoiceField(label="走访类型", choices=VisitKind.choices)
    visitors = forms.CharField(label="走访人", max_length=200)
    notes = forms.CharField(label="走访情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    gifts = forms.CharField(label="慰问品", required=False, max_length=200)
    amount = forms.DecimalField(label="慰问金（元）", required=False, min_value=0, max_digits=9, decimal_places=2)
    photo = forms.FileField(label="照片（可不传）", required=False, widget=forms.FileInput(
        attrs={"accept": "image/*", "capture": "environment"}),
        help_text="可用手机拍一张；不传照片不影响任何统计")
    voice = forms.FileField(label="语音记录（可不传）", required=False, widget=forms.FileInput(
        attrs={"accept": "audio/*", "capture": "user"}),
        help_text="不方便打字时可录一段简短的语音")

    class Media:
        css = {"all": ("care/care.css",)}

    def clean_photo(self):
        from django.conf import settings

        from changqing.core.uploads import IMAGE_EXTENSIONS, check_content

        f = self.cleaned_data.get("photo")
        if not f:
            return None
        ext = f.name.rsplit(".", 1)[-1].lower() if "." in f.name else ""
        if ext not in IMAGE_EXTENSIONS:
            raise forms.ValidationError("照片只能是 JPG、PNG 等图片文件")
        limit = settings.CHANGQING["VISIT_PHOTO_MAX_BYTES"]
        if f.size > limit:
            raise forms.ValidationError(f"照片太大（{f.size / 1048576:.1f} MB），不能超过 {limit / 1048576:.0f} MB")
        check_content(f)
        return f

    def clean_voice(self):
        from django.conf import settings

        from changqing.core.uploads import check_audio

        f = self.cleaned_data.get("voice")
        if not f:
            return None
        check_audio(f, max_bytes=settings.CHANGQING["VISIT_VOICE_MAX_BYTES"])
        return f

    def __init__(self, *args, user=None, retirees=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = retirees if retirees is not None else restrict(Retiree.objects.all(), user, "change")
        self.fields["retiree"].queryset = qs.select_related("organization")
        self.fields["retiree"].label_from_instance = lambda r: f"{r.name}（{r.organization.name}）"
        # Whose visit is overdue (their pairing's cadence has passed) comes first.
        person_picker(self.fields["retiree"], concerned=overdue_retiree_ids(user) if user is not None else ())
        self.fields["visited_on"].initial = timezone.localdate()
        if user is not None and not self.is_bound:
            self.fields["visitors"].initial = user.display_name


def overdue_retiree_ids(user) -> set[int]:
    """The retirees in the user's scope whose pairing is overdue for a visit (care.selectors.pairing_status)."""
    from .selectors import pairing_status

    pairings = restrict(Pairing.objects.filter(ended_on__isnull=True), user, "change")
    return {s.pairing.retiree_id for s in pairing_status(pairings, timezone.localdate()) if s.overdue}


class CampaignForm(ScopedModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "festival", "organization", "starts_on", "due_on", "include_lixiu", "include_hardship",
                  "min_age", "include_members_only"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["organization"].queryset = restrict(Organization.objects.exclude(kind="group"), user, "change")
        default_own_organization(self.fields["organization"], user)
        if not Reveal(user).everywhere:
            # An age rule with a chosen age and day is a question about birth dates: asked again and again, it
            # answers what the masked ID number hides (core.masking). Only a role that may reveal sets one.
            del self.fields["min_age"]
            self.instance.min_age = None  # not the model's default 80 either


class AssignForm(forms.Form):
    visitor = forms.CharField(label="责任走访人", max_length=100)


class PairingForm(ScopedModelForm):
    class Meta:
        model = Pairing
        fields = ["carer", "retiree", "started_on", "cadence_days", "reason"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        from changqing.accounts.models import User
        from changqing.core.scope import restrict_shared

        # Carers get the 服务专员 role in user management first (under an organisation); then they can be paired
        # here by whoever reaches that organisation, its subtree or a branch below it. Carers of other
        # subtrees are not offered.
        carers = User.objects.filter(is_active=True, role_assignments__role="carer")
        self.fields["carer"].queryset = User.objects.filter(
            pk__in=restrict_shared(carers, user).values("pk")).order_by("full_name", "username")
        self.fields["carer"].help_text = "只列出本单位及上级单位已分配“服务专员/结对干部”角色的用户"
        person_picker(self.fields["carer"])

    def clean(self):
        data = super().clean()
        if data.get("carer") and data.get("retiree") and Pairing.objects.filter(
                carer=data["carer"], retiree=data["retiree"], ended_on__isnull=True).exists():
            self.add_error("retiree", "该服务专员与这位同志已经结对")
        return data


class HardshipForm(ScopedModelForm):
    class Meta:
        model = HardshipRecord
        fields = ["retiree", "reason", "since", "note"]


class ProgrammeForm(ScopedModelForm):
    action = "manage"

    class Meta:
        model = AssistanceProgramme
        fields = ["name", "organization", "description", "lixiu_only", "yearly_budget"]


class ApplicationForm(ScopedModelForm):
    class Meta:
        model = AssistanceApplication
        fields = ["programme", "retiree", "applied_on", "reason", "amount_requested"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["programme"].queryset = restrict_shared(AssistanceProgramme.objects.all(), user, "view")
        # Survivors apply for a deceased retiree, so the deceased are offered here.
        self.fields["retiree"].queryset = restrict(Retiree.objects.all(), user, "change").select_related("organization")
        person_picker(self.fields["retiree"])

    def clean(self):
        data = super().clean()
        p, r = data.get("programme"), data.get("retiree")
        if p and r and p.lixiu_only and r.retirement_kind != "lixiu":
            self.add_error("retiree", f"「{p.name}」只面向离休干部或其遗属")
        return data


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "批准"), ("reject", "不批准")],
                                 widget=forms.RadioSelect)
    amount = forms.DecimalField(label="批准金额（元）", required=False, min_value=0, max_digits=9, decimal_places=2)
    note = forms.CharField(label="审批意见", required=False, max_length=300)


class PayForm(forms.Form):
    paid_on = forms.DateField(label="发放日期", widget=DateInput())
    payee_name = forms.CharField(label="领款人", max_length=50)
    payee_relation = forms.CharField(label="与本人关系", max_length=20, initial="本人")


class TeamForm(ScopedModelForm):
    class Meta:
        model = VolunteerTeam
        fields = ["name", "organization", "services", "leader", "founded_on"]


class MemberAddForm(forms.Form):
    retiree = forms.ModelChoiceField(label="队员", queryset=Retiree.objects.none())
    skills = forms.CharField(label="能提供的服务", max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["retiree"].queryset = restrict(Retiree.objects.filter(status="alive"), user, "change").select_related("organization")
        self.fields["retiree"].label_from_instance = lambda r: f"{r.name}（{r.organization.name}）"
        person_picker(self.fields["retiree"])


class ActivityForm(ScopedModelForm):
    class Meta:
        model = VolunteerActivity
        fields = ["team", "held_on", "title", "place", "beneficiaries"]

    def clean_held_on(self):
        value = self.cleaned_data["held_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("活动日期不能晚于今天")
        return value


class DutyForm(ScopedModelForm):
    class Meta:
        model = CommunityDuty
        fields = ["retiree", "community", "served_on", "days", "content"]

    def clean_served_on(self):
        value = self.cleaned_data["served_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("服务日期不能晚于今天")
        return value


class RoleForm(ScopedModelForm):
    class Meta:
        model = RetireeRole
        fields = ["retiree", "kind", "since", "note"]

    def clean(self):
        data = super().clean()
        if data.get("retiree") and data.get("kind") and RetireeRole.objects.filter(
                retiree=data["retiree"], kind=data["kind"]).exists():
            self.add_error("kind", "该同志已担任这一角色")
        return data


class OralHistoryForm(ScopedModelForm):
    media = forms.FileField(label="音视频或照片（可选）", required=False)

    class Meta:
        model = OralHistory
        fields = ["title", "organization", "interviewee", "interviewee_name", "interviewer", "interviewed_on",
                  "tags", "transcript"]
        widgets = {"transcript": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["interviewee"].required = False
        self.fields["interviewee"].queryset = restrict(Retiree.objects.all(), user, "change").select_related("organization")
        person_picker(self.fields["interviewee"])

    def clean_media(self):
        from .models import MEDIA_EXTENSIONS, MAX_UPLOAD_BYTES

        f = self.cleaned_data.get("media")
        if f:
            ext = f.name.rsplit(".", 1)[-1].lower() if "." in f.name else ""
            if ext not in MEDIA_EXTENSIONS:
                raise forms.ValidationError(f"不支持的文件类型 .{ext}，允许：{'、'.join(MEDIA_EXTENSIONS)}")
            if f.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError("文件过大")
        return f


class VenueForm(ScopedModelForm):
    class Meta:
        model = Venue
        fields = ["name", "kind", "organization", "address", "capacity", "equipment"]


class BookingForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Booking
        fields = ["organization", "starts_at", "ends_at", "purpose", "attendees"]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                   "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = restrict(Organization.objects.all(), user, "change")
        default_own_organization(self.fields["organization"], user)
        for f in ("starts_at", "ends_at"):
            self.fields[f].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
