"""`manage.py import_roster FILE [--school MOE_CODE] [--full]`: the registry's CSV export."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from tqdm import tqdm

from binding_forms.models import School
from binding_forms.registry.roster import RosterFileError, roster_import


class _BarStream:
    """tqdm redraws with "\\r"; OutputWrapper would end every write with a newline."""

    def __init__(self, stream: OutputWrapper) -> None:
        self._stream = stream

    def write(self, text: str) -> None:
        self._stream.write(text, style_func=str, ending="")

    def flush(self) -> None:
        self._stream.flush()


class Command(BaseCommand):
    help = (
        "Import students and their guardians from the registry system's CSV export "
        "(format: binding_forms/registry/roster.py). Bad rows are reported and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file, UTF-8 or Big5 (CP950).")
        parser.add_argument(
            "--school",
            metavar="MOE_CODE",
            help="Accept only this school's rows (its six-digit MOE code).",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="The file lists every student of its schools: mark the others not enrolled.",
        )

    def handle(self, *args, file: Path, school: str | None, full: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"無法讀取檔案 {file}：{error.strerror}") from None
        own_school = None
        if school is not None:
            own_school = School.objects.filter(moe_code=school.strip()).first()
            if own_school is None:
                raise CommandError(f"查無學校代碼 {school} 的學校。")

        # Lines after the header: the number of rows, unless a quoted cell spans lines.
        with tqdm(
            total=max(len(data.splitlines()) - 1, 1),
            unit="列",
            file=_BarStream(self.stderr),
            disable=not self.stderr.isatty(),
            leave=False,
        ) as bar:

            def progress(done: int) -> None:
                bar.update(done - bar.n)

            try:
                report = roster_import(data=data, school=own_school, full=full, progress=progress)
            except RosterFileError as error:
                raise CommandError(error.message) from None

        summary = (
            f"共 {report.rows} 列：新增 {report.created}、更新 {report.updated}、"
            f"未變更 {report.unchanged}、離校 {report.left}、錯誤 {len(report.errors)}"
        )
        self.stdout.write(summary, self.style.SUCCESS if report.ok else self.style.WARNING)
        for error in report.errors:
            self.stdout.write(f"第 {error.line} 行：{error.reason}")
