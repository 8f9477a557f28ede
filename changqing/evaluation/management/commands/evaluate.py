"""Compute a year's assessments for a subtree from the records (what 为辖区所有支部计算 does, without a browser)."""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from changqing.evaluation import selectors, services
from changqing.evaluation.models import Rubric, RubricKind
from changqing.orgs.models import Organization, OrgKind
from changqing.core.tree import in_subtree


class Command(BaseCommand):
    help = "按记录计算年度考核：evaluate --year 2025 [--org CODE] [--rubric star|five_good|six_good|responsibility]"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--org", default="", help="组织编码（默认：全部顶层组织）")
        parser.add_argument("--rubric", default="star", help="考核细则编码")

    def handle(self, *args, year, org, rubric, **options):
        try:
            rb = Rubric.objects.get(code=rubric)
        except Rubric.DoesNotExist:
            raise CommandError(f"没有编码为「{rubric}」的考核细则") from None
        roots = (list(Organization.objects.filter(code=org)) if org
                 else list(Organization.objects.filter(parent__isnull=True)))
        if not roots:
            raise CommandError(f"没有编码为「{org}」的组织")
        for root in roots:
            if rb.kind == RubricKind.RESPONSIBILITY:
                orgs, _ = selectors.responsibility_units(root)
            else:
                orgs = list(Organization.objects.filter(in_subtree(root.path), kind=OrgKind.BRANCH,
                                                        dissolved_on__isnull=True))
            if not orgs:
                self.stdout.write(f"{root.name}：没有可以考核的组织")
                continue
            try:
                done = services.assessments_compute(orgs=orgs, year=year, rubric=rb)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None
            self.stdout.write(f"{root.name} {year}年「{rb.name}」：已计算 {len(done)} 个，"
                              f"未改动（已确认或已按其他细则评定）{len(orgs) - len(done)} 个")
