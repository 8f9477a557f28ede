"""python manage.py yearly_report --org YS --year 2025 --kind summary --out DIR

Writes <DIR>/<org name><year>年度<工作总结|统计报告>.docx and .pdf (when LibreOffice is
installed) and keeps the generation in the 年度报告 list like one made on the page.
"""
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from changqing.orgs.models import Organization
from changqing.reports.models import ReportKind
from changqing.reports.services import report_generate


class Command(BaseCommand):
    help = "生成一个单位的年度工作总结或年度统计报告（Word 和 PDF）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="单位编码，如 YS")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--kind", required=True, choices=ReportKind.values)
        parser.add_argument("--out", required=True, help="输出目录")

    def handle(self, *args, org, year, kind, out, **options):
        organization = Organization.objects.filter(code=org).first()
        if organization is None:
            raise CommandError(f"找不到编码为 {org} 的组织")
        out_dir = Path(out)
        out_dir.mkdir(parents=True, exist_ok=True)
        verbosity = options.get("verbosity", 1)

        def progress(percent, message):
            if verbosity > 1:
                self.stderr.write(f"{percent:3d}% {message}")

        try:
            report = report_generate(organization=organization, year=year, kind=kind, progress=progress)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        written = []
        for field, ext in ((report.docx, "docx"), (report.pdf, "pdf")):
            if field:
                target = out_dir / f"{report}.{ext}"
                with field.open("rb") as src:
                    target.write_bytes(src.read())
                written.append(str(target))
        for path in written:
            self.stdout.write(path)
        if report.pdf_note:
            self.stderr.write(report.pdf_note)
