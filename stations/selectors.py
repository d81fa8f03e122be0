"""Reads of stations for the API and for other apps (analytics, chatbot, tickets' consoles).

`stations_near` is the entry point for support suggestions: stations within a radius that still
have room for work, nearest first.
"""

import math

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from config.errors import NotFound
from stations.choices import MemberRole, TaskStatus
from stations.models import AddressCheck, Station, StationMember, StationTask

EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def with_load(qs: QuerySet[Station]) -> QuerySet[Station]:
    """Annotates `open_tasks` (current load); `spare_capacity` = capacity - open_tasks."""
    return qs.annotate(open_tasks=Count("tasks", filter=Q(tasks__status=TaskStatus.OPEN)))


def spare_capacity(station: Station) -> int:
    load = getattr(station, "open_tasks", None)
    if load is None:
        load = station.tasks.filter(status=TaskStatus.OPEN).count()
    return max(station.capacity - load, 0)


def stations_near(lat: float, lon: float, radius_km: float, *, carrier: str | None = None,
                  include_full: bool = False) -> list[Station]:
    """Active stations within `radius_km` of (lat, lon) with spare capacity, nearest first.

    Each comes with `distance_km`, `open_tasks` and `spare_capacity` attributes. A bounding box
    narrows the rows in SQL (index on latitude, longitude); the exact distance is haversine.
    """
    dlat = radius_km / 111.0
    dlon = radius_km / max(111.0 * math.cos(math.radians(lat)), 1e-6)
    qs = Station.objects.filter(active=True, latitude__range=(lat - dlat, lat + dlat),
                                longitude__range=(lon - dlon, lon + dlon))
    if carrier:
        qs = qs.filter(carrier=carrier)
    found = []
    for station in with_load(qs).select_related("manager"):
        d = distance_km(lat, lon, station.latitude, station.longitude)
        if d > radius_km:
            continue
        station.distance_km = round(d, 3)
        station.spare_capacity = max(station.capacity - station.open_tasks, 0)
        if station.spare_capacity > 0 or include_full:
            found.append(station)
    found.sort(key=lambda s: (s.distance_km, s.code))
    return found


def station_get(code: str) -> Station | None:
    return Station.objects.filter(code=code).first()


def station_for_district(district: str, *, carrier: str | None = None) -> Station | None:
    """The active station whose district the place names ('广东省深圳市南山区…'), the
    carrier's own first."""
    if not district:
        return None
    qs = Station.objects.filter(active=True).exclude(district="")
    # The place must name the station's district, so a city-only destination ('杭州') does not
    # pick one of the city's stations at random. Districts repeat across cities (鼓楼区): a
    # station whose city the place also names comes first, then the carrier's own.
    candidates = [s for s in qs if s.district in district]
    candidates.sort(key=lambda s: (not (s.city and s.city.rstrip("市") in district),
                                   bool(carrier) and s.carrier != carrier, s.code))
    return candidates[0] if candidates else None


def station_for_location(location: str, *, carrier: str | None = None) -> Station | None:
    """A station named in a scan location ('深圳南山科技园网点'), by name, else by code."""
    if not location:
        return None
    for station in Station.objects.filter(active=True).order_by("code"):
        if station.name and station.name in location:
            return station
    return None


def membership(user) -> StationMember | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.station_membership
    except StationMember.DoesNotExist:
        return None


def is_courier(user) -> bool:
    member = membership(user)
    return member is not None and member.role == MemberRole.COURIER


def station_tasks_list(user) -> QuerySet[StationTask]:
    """The caller's station's tasks, open first, then by deadline. Nobody else's."""
    member = membership(user)
    if member is None:
        return StationTask.objects.none()
    from django.db.models import Case, IntegerField, Value, When

    return (StationTask.objects.filter(station_id=member.station_id)
            .select_related("station", "ticket", "courier", "address_check")
            .annotate(closed=Case(When(status=TaskStatus.OPEN, then=Value(0)),
                                  default=Value(1), output_field=IntegerField()))
            .order_by("closed", "due_at", "id"))


def access_station_task(user, task_id: int, *, lock: bool = False) -> StationTask:
    """A task of the caller's own station; another station's task is 404 like a missing one."""
    member = membership(user)
    qs = StationTask.objects.select_related("station", "ticket", "courier")
    if lock:
        qs = qs.select_for_update(of=("self",))
    task = None if member is None else qs.filter(pk=task_id, station_id=member.station_id).first()
    if task is None:
        raise NotFound(_("Task not found."))
    return task


def ticket_station_tasks(ticket_id: int) -> list[StationTask]:
    return list(StationTask.objects.filter(ticket_id=ticket_id).select_related("station")
                .order_by("created_at", "id"))


def open_station_task_count(ticket_id: int) -> int:
    return StationTask.objects.filter(ticket_id=ticket_id, status=TaskStatus.OPEN).count()


def address_check_by_token(token: str) -> AddressCheck | None:
    return (AddressCheck.objects.select_related("task", "task__ticket", "task__station")
            .filter(token=token).first())


def waiting_address_checks_for_phone(phone: str) -> list[AddressCheck]:
    from stations.choices import AddressCheckStatus

    return list(AddressCheck.objects.filter(recipient_phone=phone,
                                            status=AddressCheckStatus.WAITING)
                .select_related("task").order_by("-created_at"))
