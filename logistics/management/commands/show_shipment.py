import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from logistics.selectors import shipment_get, trajectory


def shipment_json(shipment) -> dict:
    """The documented shape: events oldest first, times ISO 8601 in Asia/Shanghai."""
    return {
        "tracking_number": shipment.tracking_number,
        "carrier": shipment.carrier,
        "status": shipment.status,
        "events": [{"time": timezone.localtime(e.time).isoformat(), "status": e.status,
                    "location": e.location, "description": e.description}
                   for e in trajectory(shipment)],
    }


class Command(BaseCommand):
    help = "Prints a shipment's trajectory (oldest first); --json for machine-readable output."

    def add_arguments(self, parser):
        parser.add_argument("tracking_number")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, tracking_number, as_json=False, **options):
        shipment = shipment_get(tracking_number)
        if shipment is None:
            raise CommandError(f"no shipment with tracking number {tracking_number!r}")
        data = shipment_json(shipment)
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(f"{data['tracking_number']}  carrier: {data['carrier'] or '-'}  "
                          f"status: {data['status'] or '-'}")
        if shipment.stalled:
            self.stdout.write(f"STALLED ({shipment.stall_reason}) since "
                              f"{timezone.localtime(shipment.stalled_since):%Y-%m-%d %H:%M}")
        if shipment.eta:
            self.stdout.write(f"ETA {timezone.localtime(shipment.eta):%Y-%m-%d %H:%M} "
                              f"({shipment.eta_confidence}) {shipment.eta_explanation}")
        rows = [(e["time"][:19].replace("T", " "), e["status"], e["location"],
                 e["description"]) for e in data["events"]]
        widths = [19, max([6, *(len(r[1]) for r in rows)]),
                  max([8, *(_width(r[2]) for r in rows)])]
        self.stdout.write(f"{'time':<19}  {'status':<{widths[1]}}  "
                          f"{_pad('location', widths[2])}  description")
        for time, status, location, description in rows:
            self.stdout.write(f"{time:<19}  {status:<{widths[1]}}  "
                              f"{_pad(location, widths[2])}  {description}")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)
