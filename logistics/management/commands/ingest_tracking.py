import json
import sys

from django.core.management.base import BaseCommand, CommandError

from logistics import actions
from logistics.choices import PayloadChannel


class Command(BaseCommand):
    help = ("Ingests one raw body exactly as received over HTTP (a push or a query response) "
            "through the webhook's path; prints a JSON summary.")

    def add_arguments(self, parser):
        parser.add_argument("--source", required=True, help="adapter code, e.g. kuaidi100")
        parser.add_argument("file", help="the raw body; - for standard input")
        parser.add_argument("--header", action="append", default=[], metavar="'Name: value'",
                            help="a request header that came with the body (repeatable)")

    def handle(self, *args, source, file, header, **options):
        headers = {}
        for item in header:
            name, sep, value = item.partition(":")
            if not sep or not name.strip():
                raise CommandError(f"--header must look like 'Name: value', not {item!r}")
            headers[name.strip()] = value.strip()
        try:
            body = sys.stdin.buffer.read() if file == "-" else open(file, "rb").read()  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        try:
            result = actions.check_ingest_payload(source_code=source, body=body,
                                                  headers=headers,
                                                  channel=PayloadChannel.COMMAND)
        except actions.LogisticsError as exc:
            raise CommandError(f"{exc.code}: {exc.detail}") from None
        self.stdout.write(json.dumps(result.summary(), ensure_ascii=False))
        if not result.ok:
            raise CommandError(f"payload {result.payload_id} kept as a dead letter: "
                               f"{result.error_code}")
