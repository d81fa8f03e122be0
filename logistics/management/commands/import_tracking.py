import json
import os

from django.core.management.base import BaseCommand, CommandError

from logistics.actions.bulk import do_import_events


class Command(BaseCommand):
    help = ("Bulk-imports tracking events from a JSON-lines file (COPY on PostgreSQL); prints "
            "a JSON summary. Line: {tracking_number, carrier, time, status, location, "
            "description, source}.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--batch-size", type=int, default=20_000)
        parser.add_argument("--no-progress", action="store_true",
                            help="no progress bar (it goes to stderr)")

    def handle(self, *args, file, batch_size, no_progress=False, **options):
        from tqdm import tqdm

        try:
            size = os.path.getsize(file)
            handle = open(file, "rb")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        bar = tqdm(total=size, unit="B", unit_scale=True, desc="import_tracking",
                   disable=no_progress, file=self.stderr._out)
        try:
            with handle:
                summary = do_import_events(handle, batch_size=max(batch_size, 1),
                                           progress=bar.update)
        finally:
            bar.close()
        self.stdout.write(json.dumps(summary.__dict__, ensure_ascii=False))
        if summary.lines and summary.rejected == summary.lines:
            raise CommandError("no line could be imported")
