"""The organisation tree (DOMAIN.md §2).

Each node stores its materialised path of codes ("/YS/YS-Z01/YS-B003/"), so
"everything under X" is one indexed prefix query: path LIKE 'X.path%'.
"""
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.urls import reverse

from changqing.core.scope import ScopeSpec
from changqing.core.changelog import ChangeLoggedModel, ChangeLoggedQuerySet
from changqing.core.fieldcrypt import BlindIndexField, EncryptedCharField
from changqing.core.tree import in_subtree

code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$", "编码只能包含字母、数字、短横线和下划线，最长32位")


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", "党工委/党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"


class SetupKind(models.TextChoices):
    ALONE = "alone", "单独建"
    # 联合建: one retirees' branch for several units, or (for retirees) sectors/communities, at most 5
    # (DOMAIN.md §3 rule 2); the units are JointUnit rows.
    JOINT = "joint", "联合建（多个单位联合组建）"
    # The stored value "combined" predates the distinction: it always meant retired members placed in an
    # in-service branch (与在职人员合编), whatever the old label said (migration 0006 moved the joint ones).
    COMBINED = "combined", "与在职人员合编"
    COMMUNITY = "community", "社区（编入社区党组织）"
    SENIOR_UNIVERSITY = "senior_university", "老年大学临时"
    MOBILE = "mobile", "流动"


class Nature(models.TextChoices):
    STRUCTURAL = "structural", "建制型"
    FUNCTIONAL = "functional", "功能型"


# Which kinds of organisation may sit directly above each kind (条例 2018; DOMAIN.md §2).
PARENT_KINDS = {
    OrgKind.COMMITTEE: (OrgKind.COMMITTEE,),
    OrgKind.GENERAL_BRANCH: (OrgKind.COMMITTEE,),
    OrgKind.BRANCH: (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH),
    OrgKind.GROUP: (OrgKind.BRANCH,),
}


class OrganizationQuerySet(ChangeLoggedQuerySet):
    def subtree(self, org):
        """The organisation and everything under it, in one prefix query."""
        return self.filter(in_subtree(org.path))

    def branches(self):
        return self.filter(kind=OrgKind.BRANCH)

    def active(self):
        return self.filter(dissolved_on__isnull=True)


class Organization(ChangeLoggedModel):
    code = models.CharField("组织编码", max_length=32, unique=True, validators=[code_validator])
    name = models.CharField("组织名称", max_length=100)
    kind = models.CharField("组织类别", max_length=20, choices=OrgKind.choices)
    setup_kind = models.CharField("组建方式", max_length=20, choices=SetupKind.choices, default=SetupKind.ALONE)
    nature = models.CharField("类型", max_length=20, choices=Nature.choices, default=Nature.STRUCTURAL)
    parent = models.ForeignKey(
        "self", verbose_name="上级组织", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=400, editable=False)
    depth = models.PositiveSmallIntegerField("层级", editable=False, default=1)
    zone = models.ForeignKey(
        "Zone", verbose_name="所属片组", null=True, blank=True, on_delete=models.SET_NULL, related_name="organizations"
    )
    established_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)
    address = models.CharField("活动地点", max_length=200, blank=True)
    contact_phone = EncryptedCharField("联系电话", max_length=20, blank=True)
    contact_phone_hash = BlindIndexField(of="contact_phone", db_index=True)
    term_years = models.PositiveSmallIntegerField("委员会任期（年）", default=3, choices=[(3, "3年"), (5, "5年")])

    objects = OrganizationQuerySet.as_manager()
    scope_spec = ScopeSpec(org="")

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="orgs_org_path_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "path"], name="orgs_org_kind_path_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("orgs:detail", args=[self.code])

    @staticmethod
    def build_path(parent_path: str | None, code: str) -> str:
        return f"{parent_path or '/'}{code}/"

    def clean(self):
        parent = None
        if self.parent_id:
            parent = Organization.objects.only("path", "kind", "name", "dissolved_on").get(pk=self.parent_id)
            if self.pk and self.path and parent.path.startswith(self.path):
                raise ValidationError({"parent": "不能把组织移到它自己或它的下级组织之下"})
            if parent.dissolved_on and not self.dissolved_on:
                raise ValidationError({"parent": f"「{parent.name}」已撤销，不能作为上级组织"})
        if self.parent_id is None and self.kind != OrgKind.COMMITTEE:
            raise ValidationError({"parent": "除党工委/党委外，组织必须有上级组织"})
        if parent is not None and parent.kind not in PARENT_KINDS[self.kind]:
            allowed = "或".join(OrgKind(k).label for k in PARENT_KINDS[self.kind])
            raise ValidationError({"parent": f"{OrgKind(self.kind).label}的上级应是{allowed}，"
                                             f"「{parent.name}」是{OrgKind(parent.kind).label}"})
        if self.pk:
            bad = [c for c in Organization.objects.filter(parent_id=self.pk, dissolved_on__isnull=True).only("kind", "name")
                   if self.kind not in PARENT_KINDS[c.kind]]
            if bad:
                raise ValidationError({"kind": f"下级组织「{bad[0].name}」是{OrgKind(bad[0].kind).label}，"
                                               f"不能隶属于{OrgKind(self.kind).label}，请先调整下级组织"})
        if self.established_on and self.dissolved_on and self.dissolved_on < self.established_on:
            raise ValidationError({"dissolved_on": "撤销日期不能早于成立日期"})

    def save(self, *args, **kwargs):
        parent_path = None
        if self.parent_id:
            parent_path = Organization.objects.only("path").get(pk=self.parent_id).path
        new_path = self.build_path(parent_path, self.code)
        old_path = self.path
        self.path = new_path
        self.depth = new_path.strip("/").count("/") + 1
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != new_path:
                self._rewrite_descendants(old_path, new_path)

    @staticmethod
    def _rewrite_descendants(old_path: str, new_path: str):
        """Move a whole subtree in one UPDATE: swap the old prefix for the new one."""
        delta = new_path.count("/") - old_path.count("/")
        Organization.objects.filter(in_subtree(old_path)).exclude(path=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1, output_field=models.CharField())),
            depth=F("depth") + delta,
        )

    @property
    def ancestors_paths(self) -> list[str]:
        parts = self.path.strip("/").split("/")
        return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts) - 1)]

    def ancestors(self):
        return Organization.objects.filter(path__in=self.ancestors_paths).order_by("depth")

    def descendants(self, include_self=True):
        qs = Organization.objects.filter(in_subtree(self.path))
        return qs if include_self else qs.exclude(pk=self.pk)



class Zone(ChangeLoggedModel):
    """片组: a cluster of branches with a lead and a deputy-lead unit (seed 003)."""

    code = models.CharField("片组编码", max_length=32, unique=True, validators=[code_validator])
    name = models.CharField("片组名称", max_length=100)
    organization = models.ForeignKey(
        Organization, verbose_name="所属党工委", on_delete=models.PROTECT, related_name="zones"
    )
    lead_org = models.ForeignKey(
        Organization, verbose_name="片组长单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deputy_org = models.ForeignKey(
        Organization, verbose_name="副片组长单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_spec = ScopeSpec(org="organization", zone="")

    class Meta:
        verbose_name = "片组"
        verbose_name_plural = "片组"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """A zone's page is the list of its organisations."""
        return reverse("orgs:list") + f"?zone={self.pk}"


class JointUnitKind(models.TextChoices):
    UNIT = "unit", "单位"
    SECTOR = "sector", "系统/行业"
    COMMUNITY = "community", "社区"


MAX_JOINT_UNITS = 5  # 条例 Art. 5: a joint branch covers at most 5 units (DOMAIN.md §3 rule 2)


class JointUnit(ChangeLoggedModel):
    """One unit (or, for retirees, a sector or community) a 联合建 branch covers; at most 5 per branch."""

    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.CASCADE,
                                     related_name="joint_units")
    name = models.CharField("单位/系统/社区名称", max_length=100)
    kind = models.CharField("类别", max_length=20, choices=JointUnitKind.choices, default=JointUnitKind.UNIT)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "联合组建单位"
        verbose_name_plural = "联合组建单位"
        ordering = ["organization_id", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="orgs_joint_unit_once")]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"


# -- committees, terms and elections (DOMAIN.md §3 rules 3–6) -----------------

class CommitteeForm(models.TextChoices):
    COMMITTEE = "committee", "支部委员会"
    SECRETARY = "secretary", "不设委员会（书记、副书记）"


class Committee(ChangeLoggedModel):
    """支部委员会 (班子): the standing body of one organisation; its terms follow one another."""

    organization = models.OneToOneField(Organization, verbose_name="党组织", on_delete=models.PROTECT,
                                        related_name="committee")
    form = models.CharField("班子形式", max_length=20, choices=CommitteeForm.choices, default=CommitteeForm.COMMITTEE)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "支部委员会"
        verbose_name_plural = "支部委员会"

    def __str__(self):
        return f"{self.organization.name}{self.get_form_display()}"


class Election(ChangeLoggedModel):
    """换届选举: closes one term, opens the next. Validated by DOMAIN.md §3 rule 6 (orgs.rules)."""

    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT,
                                     related_name="elections")
    held_on = models.DateField("选举日期")
    seats = models.PositiveSmallIntegerField("应选名额")
    due_to_attend = models.PositiveSmallIntegerField("应到会人数", help_text="有选举权的正式党员；经批准不能参加的年老体弱、卧床党员可不计入")
    present = models.PositiveSmallIntegerField("实到会人数")
    win_basis = models.CharField("当选票数基数", max_length=10,
                                 choices=[("due", "应到会人数"), ("present", "实到会人数")], default="due")
    votes_to_win = models.PositiveSmallIntegerField("当选最低票数", default=0, editable=False)
    excused_note = models.CharField("经批准不计入应到会的党员", max_length=200, blank=True)
    approval_no = models.CharField("上级批复文号", max_length=50, blank=True,
                                   help_text="提前或延期换届须经上级党组织批准（选举工作条例第三条）")
    approval_on = models.DateField("上级批复日期", null=True, blank=True)
    result_note = models.CharField("选举结果说明", max_length=500, blank=True)
    notes = models.TextField("备注", blank=True)
    correction_note = models.TextField("更正记录", blank=True, editable=False,
                                       help_text="每次更正的日期、更正人、原因和改动，逐行追加")

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "换届选举"
        verbose_name_plural = "换届选举"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.organization.name} {self.held_on:%Y-%m-%d} 换届选举"

    def get_absolute_url(self):
        return reverse("orgs:election_detail", args=[self.pk])


class ElectionCandidate(ChangeLoggedModel):
    election = models.ForeignKey(Election, verbose_name="选举", on_delete=models.CASCADE, related_name="candidates")
    membership = models.ForeignKey("members.Membership", verbose_name="候选人", on_delete=models.PROTECT,
                                   related_name="candidacies")
    votes = models.PositiveSmallIntegerField("得票数")
    elected = models.BooleanField("当选", default=False)

    scope_spec = ScopeSpec(org="election__organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "候选人"
        verbose_name_plural = "候选人"
        ordering = ["election_id", "-votes", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "membership"], name="orgs_candidate_once")]

    def __str__(self):
        return f"{self.membership.retiree.name} {self.votes}票"


class CommitteeTerm(ChangeLoggedModel):
    """One term (届) of a committee: start, length (Organization.term_years), due date, the election that opened it."""

    committee = models.ForeignKey(Committee, verbose_name="支部委员会", on_delete=models.PROTECT, related_name="terms")
    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT,
                                     related_name="committee_terms")
    number = models.PositiveSmallIntegerField("届次", null=True, blank=True)
    form = models.CharField("班子形式", max_length=20, choices=CommitteeForm.choices, default=CommitteeForm.COMMITTEE)
    start_on = models.DateField("任期开始")
    years = models.PositiveSmallIntegerField("任期（年）", choices=[(3, "3年"), (5, "5年")])
    end_on = models.DateField("任期届满", db_index=True)
    ended_on = models.DateField("实际结束日期", null=True, blank=True,
                                help_text="下一届产生或组织撤销时填写；为空表示本届是现任班子")
    election = models.OneToOneField(Election, verbose_name="产生本届的选举", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="opened_term")
    deferral_approval = models.CharField("延期/提前换届批复", max_length=100, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "委员会任期"
        verbose_name_plural = "委员会任期"
        ordering = ["organization__path", "-start_on"]
        indexes = [models.Index(fields=["ended_on", "end_on"], name="orgs_term_current_idx")]

    def __str__(self):
        label = f"第{self.number}届" if self.number else ""
        return f"{self.organization.name}{label}（{self.start_on:%Y.%m}—{self.end_on:%Y.%m}）"

    def get_absolute_url(self):
        return reverse("orgs:committee", args=[self.organization.code])

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    def ordered_posts(self):
        """书记, 副书记, then 委员, from the prefetched posts."""
        rank = {Post.SECRETARY: 0, Post.DEPUTY: 1, Post.MEMBER: 2}
        return sorted(self.posts.all(), key=lambda p: (rank.get(p.post, 3), p.pk))


class Post(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY = "deputy", "副书记"
    MEMBER = "member", "委员"


class CommitteePost(ChangeLoggedModel):
    """A member's post in one term: 书记, 副书记 or 委员 with their duty (组织委员, 宣传委员…)."""

    term = models.ForeignKey(CommitteeTerm, verbose_name="任期", on_delete=models.CASCADE, related_name="posts")
    membership = models.ForeignKey("members.Membership", verbose_name="党员", on_delete=models.PROTECT,
                                   related_name="committee_posts")
    post = models.CharField("职务", max_length=20, choices=Post.choices)
    duty = models.CharField("分工", max_length=50, blank=True)

    scope_spec = ScopeSpec(org="term__organization", retiree="membership__retiree")

    class Meta:
        verbose_name = "班子成员"
        verbose_name_plural = "班子成员"
        ordering = ["term_id", "post", "id"]
        constraints = [models.UniqueConstraint(fields=["term", "membership"], name="orgs_post_once_per_term")]

    def __str__(self):
        return f"{self.membership.retiree.name} {self.get_post_display()}"


class ExcuseReason(models.TextChoices):
    FRAIL = "frail", "年老体弱"
    BEDRIDDEN = "bedridden", "卧床"
    AWAY = "away", "长期外出居住"


class ElectionPlan(ChangeLoggedModel):
    """The election helper's one record per coming 换届: who is due, the seats, the candidates; the
    Election it led to once the vote is entered. Kept in the database because the 请示, its 批复 and
    the vote are weeks apart."""

    organization = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.PROTECT,
                                     related_name="election_plans")
    seats = models.PositiveSmallIntegerField("应选名额", default=1)
    # [{"membership": id, "reason": ExcuseReason, "approval": "批准情况"}]: left out of 应到会 with approval
    excused = models.JSONField("经批准不计入应到会的党员", default=list, blank=True)
    candidates = models.JSONField("候选人（党员记录编号）", default=list, blank=True)
    planned_on = models.DateField("计划选举日期", null=True, blank=True)
    election = models.OneToOneField(Election, verbose_name="选举结果", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="plan")

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "换届选举准备"
        verbose_name_plural = "换届选举准备"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.organization.name} 换届选举准备"


# -- liaisons and 党工委 members' branches (seed 000 篇6, seed 003) ------------

class Liaison(ChangeLoggedModel):
    """联络员: an in-service cadre assigned to a branch, contacting it at least monthly."""

    organization = models.ForeignKey(Organization, verbose_name="联系支部", on_delete=models.PROTECT,
                                     related_name="liaisons")
    name = models.CharField("姓名", max_length=50)
    unit = models.CharField("工作单位", max_length=100)
    post = models.CharField("职务", max_length=50, blank=True)
    phone = EncryptedCharField("联系电话", max_length=20)
    phone_hash = BlindIndexField(of="phone", db_index=True)
    user = models.ForeignKey("accounts.User", verbose_name="系统账号", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="liaisons")
    role_assignment = models.ForeignKey("accounts.RoleAssignment", verbose_name="角色", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+", editable=False)
    start_on = models.DateField("起始日期")
    end_on = models.DateField("截止日期", null=True, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "联络员"
        verbose_name_plural = "联络员"
        ordering = ["organization__path", "-start_on"]

    def __str__(self):
        return f"{self.name}（{self.unit}）"

    def get_absolute_url(self):
        return reverse("orgs:liaison_detail", args=[self.pk])


class LiaisonContact(ChangeLoggedModel):
    class Way(models.TextChoices):
        LIFE = "life", "参加组织生活"
        VISIT = "visit", "走访慰问"
        ACTIVITY = "activity", "参加支部活动"
        PHONE = "phone", "电话/微信联系"
        OTHER = "other", "其他"

    liaison = models.ForeignKey(Liaison, verbose_name="联络员", on_delete=models.CASCADE, related_name="contacts")
    organization = models.ForeignKey(Organization, verbose_name="支部", on_delete=models.PROTECT,
                                     related_name="liaison_contacts")
    contacted_on = models.DateField("联系日期")
    way = models.CharField("联系方式", max_length=20, choices=Way.choices, default=Way.LIFE)
    notes = models.CharField("内容", max_length=300, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "联络员联系记录"
        verbose_name_plural = "联络员联系记录"
        ordering = ["-contacted_on", "-id"]
        indexes = [models.Index(fields=["organization", "contacted_on"], name="orgs_liaison_contact_idx")]


class CommitteeMemberAssignment(ChangeLoggedModel):
    """党工委委员联系支部: each member of the 党工委 contacts one branch, visiting it ≥4 times a year (seed 003)."""

    committee_org = models.ForeignKey(Organization, verbose_name="党工委", on_delete=models.PROTECT,
                                      related_name="member_assignments")
    organization = models.ForeignKey(Organization, verbose_name="联系支部", on_delete=models.PROTECT,
                                     related_name="committee_member_assignments")
    name = models.CharField("党工委委员", max_length=50)
    post = models.CharField("党工委职务", max_length=50, blank=True)
    phone = EncryptedCharField("联系电话", max_length=20, blank=True)
    phone_hash = BlindIndexField(of="phone", db_index=True)
    user = models.ForeignKey("accounts.User", verbose_name="系统账号", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="committee_member_assignments")
    role_assignment = models.ForeignKey("accounts.RoleAssignment", verbose_name="角色", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+", editable=False)
    start_on = models.DateField("起始日期")
    end_on = models.DateField("截止日期", null=True, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "党工委委员联系支部"
        verbose_name_plural = "党工委委员联系支部"
        ordering = ["committee_org_id", "name"]

    def __str__(self):
        return f"{self.name} 联系 {self.organization.name}"

    def get_absolute_url(self):
        return reverse("orgs:assignment_detail", args=[self.pk])


class CommitteeVisit(ChangeLoggedModel):
    """到点指导: a 党工委 member's visit to the branch they contact."""

    assignment = models.ForeignKey(CommitteeMemberAssignment, verbose_name="联系安排", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="visits")
    organization = models.ForeignKey(Organization, verbose_name="支部", on_delete=models.PROTECT,
                                     related_name="committee_visits")
    visited_on = models.DateField("指导日期")
    visitor = models.CharField("指导人", max_length=50)
    notes = models.CharField("指导内容", max_length=300, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "党工委委员到点指导"
        verbose_name_plural = "党工委委员到点指导"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["organization", "visited_on"], name="orgs_committee_visit_idx")]


# -- restructuring (化并转, seed 000 篇1) ----------------------------------------

class Restructuring(ChangeLoggedModel):
    class Kind(models.TextChoices):
        MERGE = "merge", "合并"
        SPLIT = "split", "拆分"
        MOVE = "move", "调整隶属关系"
        DISSOLVE = "dissolve", "撤销"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    on = models.DateField("日期")
    organization = models.ForeignKey(Organization, verbose_name="保留/新建/调整的组织", on_delete=models.PROTECT,
                                     related_name="restructurings")
    source = models.ForeignKey(Organization, verbose_name="被合并/拆出的组织", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="restructurings_as_source")
    from_parent = models.ForeignKey(Organization, verbose_name="原上级组织", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    to_parent = models.ForeignKey(Organization, verbose_name="新上级组织", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    letter_no = models.CharField("批复文号", max_length=50, blank=True)
    reason = models.CharField("原因", max_length=200)
    moved_members = models.PositiveIntegerField("转接党员数", default=0)
    detail = models.JSONField("明细", default=dict, blank=True)

    scope_spec = ScopeSpec(org="organization")

    class Meta:
        verbose_name = "化并转记录"
        verbose_name_plural = "化并转记录"
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.organization.name} {self.on:%Y-%m-%d}"
