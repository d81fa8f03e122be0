"""Every write of stations: tasks tickets send to stations, their answers, overdue escalation,
couriers' address checks and the recipients' answers (HOUSE_STYLE.md: check_* then do_*).

Tickets are changed only through tickets' actions; the station's answer reaches the ticket as a
`station_reply` event, an internal note with the photo, a live push to the ticket's consoles, the
`station_check` key of the ticket's context (customer-facing progress) and a reply the chatbot
carries into the customer's chat.
"""

import hashlib
import re
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.effects import send_event_on_commit
from config.errors import Conflict, DomainError, Forbidden, NotFound
from logistics import selectors as logistics_selectors
from stations.choices import (
    ANSWER_RESULT,
    DEFAULT_HOURS,
    RESULTS_BY_KIND,
    AddressAnswer,
    AddressCheckReason,
    AddressCheckStatus,
    MemberRole,
    TaskKind,
    TaskResult,
    TaskStatus,
)
from stations.models import AddressCheck, Station, StationMember, StationTask
from stations.selectors import (
    access_station_task,
    membership,
    station_for_district,
    station_for_location,
)
from tickets import calendars
from tickets.actions import (
    check_create_ticket,
    do_add_attachment,
    do_add_comment,
    do_enqueue_notification,
    do_update_ticket,
    record_event,
)
from tickets.actions.clock import CUSTOMER, do_pause_clock, do_resume_clock, station_task_reason
from tickets.actions.common import push_ticket
from tickets.actions.context import do_set_context
from tickets.actions.sla import supervisors
from tickets.choices import Channel, CommentVisibility, EventKind, Status
from tickets.files import sniff_content_type
from tickets.models import Ticket
from tickets.roles import Role, has_role, system_user
from tickets.selectors import access_ticket

# Scans made at the delivery end: the station that did them is the one to ask.
DELIVERY_SIDE = ("out_for_delivery", "available_for_pickup", "delivered", "delivery_failed")
TASK_CREATORS = (Role.AGENT, Role.SUPERVISOR, Role.OPS, Role.SYSTEM)
# Progress wording the customer sees (ticket.context["station_check"]["label"]).
CHECKING, ANSWERED = "checking", "answered"


def _progress_label(state: str) -> str:
    """Stored for the customer: always in the site language, whoever's request wrote it."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Station checking") if state == CHECKING else _("Station replied")


# --- station of a ticket -------------------------------------------------------------------

def station_of_shipment(shipment) -> Station | None:
    """The station of the shipment's last delivery-side scan, else the destination district's."""
    for event in reversed(logistics_selectors.trajectory(shipment)):
        if event.status in DELIVERY_SIDE and event.location:
            station = station_for_location(event.location, carrier=shipment.carrier)
            if station is not None:
                return station
    return station_for_district(shipment.destination, carrier=shipment.carrier)


def derive_station(ticket: Ticket) -> Station | None:
    """The station of the ticket's parcel (station_of_shipment), else the ticket region's."""
    for number in ticket.waybill_rows.values_list("number", flat=True):
        shipment = logistics_selectors.shipment_get(number)
        station = station_of_shipment(shipment) if shipment is not None else None
        if station is not None:
            return station
    return station_for_district(ticket.region)


def station_calendar(station: Station) -> calendars.Calendar:
    if station.calendar_id:
        return calendars.calendar_by_id(station.calendar_id)
    return calendars.Calendar.daily(station.opens_at, station.closes_at,
                                    code=f"station:{station.code}")


def task_payload(task: StationTask) -> dict:
    return {"id": task.pk, "kind": task.kind, "ticket": task.ticket_id,
            "station": task.station.code, "status": task.status,
            "due_at": task.due_at.isoformat(), "result": task.result}


def _push_station(task: StationTask, op: str) -> None:
    """The station's task list (and the courier's) follows live."""
    event = {"type": "station_task", "op": op, **task_payload(task)}
    groups = [f"station.{task.station_id}"]
    if task.courier_id:
        groups.append(f"user.{task.courier_id}")
    send_event_on_commit(groups, event)


# --- creating a task -----------------------------------------------------------------------

def check_create_station_task(*, user, ticket_id, kind: str, note: str = "",
                              station_code: str | None = None) -> StationTask:
    if not has_role(user, *TASK_CREATORS):
        raise Forbidden(_("Your role may not send tasks to stations."))
    if kind not in TaskKind.values:
        raise DomainError(_("Unknown task kind."), code="invalid_kind",
                          extra={"kinds": TaskKind.values})
    with transaction.atomic():
        ticket = access_ticket(user, ticket_id, lock=True)
        if ticket.status == Status.CLOSED:
            raise DomainError(_("The ticket is closed."), code="ticket_closed", status=409)
        if station_code:
            station = Station.objects.filter(code=station_code, active=True).first()
            if station is None:
                raise DomainError(_("Unknown station “%(code)s”.") % {"code": station_code},
                                  code="unknown_station")
        else:
            station = derive_station(ticket)
            if station is None:
                raise DomainError(_("No station found for this ticket's parcel; name one."),
                                  code="station_not_found")
        return do_create_station_task(ticket, station=station, kind=kind, note=note,
                                      acting_user=user)


def do_create_station_task(ticket: Ticket, *, station: Station, kind: str, note: str,
                           acting_user, courier=None, now=None) -> StationTask:
    """Caller holds the ticket's row lock. Deadline in the station's business time; the
    ticket's resolution clock waits for the answer."""
    now = now or timezone.now()
    due_at = station_calendar(station).add(now, hours=DEFAULT_HOURS[kind])
    number = ticket.waybill_rows.values_list("number", flat=True).first() or ""
    shipment = logistics_selectors.shipment_get(number) if number else None
    task = StationTask.objects.create(
        ticket=ticket, station=station, kind=kind, note=note, tracking_number=number,
        recipient_phone=shipment.recipient_phone if shipment else "", courier=courier,
        due_at=due_at, created_by=acting_user, created_at=now)
    record_event(ticket, EventKind.STATION_TASK, actor=acting_user, note=note,
                 data={"task_id": task.pk, "kind": kind, "station": station.code,
                       "station_name": station.name, "due_at": due_at.isoformat()})
    do_set_context(ticket, "station_check", {
        "state": CHECKING, "label": _progress_label(CHECKING), "task_id": task.pk,
        "kind": kind, "station": station.name, "due_at": due_at.isoformat()})
    do_pause_clock(ticket, station_task_reason(task.pk), acting_user=acting_user, now=now)
    push_ticket(ticket, op="update", change="station_task",
                data={"station_task": {**task_payload(task), "station_name": station.name}})
    _push_station(task, "create")
    return task


def on_ticket_created(*, ticket: Ticket, acting_user=None, **kwargs) -> None:
    """The chatbot's 丢件 flow triggers 网点核实 (a verify_delivery task) when the parcel's
    station is known. Registered in StationsConfig.ready through tickets.hooks."""
    if ticket.channel != Channel.CHATBOT or ticket.category.code != "lost_parcel":
        return
    station = derive_station(ticket)
    if station is None:
        return
    do_create_station_task(ticket, station=station, kind=TaskKind.VERIFY_DELIVERY,
                           note=_("Opened by the chatbot: the customer reports a lost parcel."),
                           acting_user=acting_user or system_user())


# --- answering a task ----------------------------------------------------------------------

def _check_photo(photo):
    if photo is None:
        return None, None
    if photo.size > settings.ATTACHMENT_MAX_BYTES:
        raise DomainError(_("The file is larger than %(mb)d MB.")
                          % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
                          code="file_too_large")
    photo.seek(0)
    content_type = sniff_content_type(photo.read(16))
    if content_type is None or not content_type.startswith("image/"):
        raise DomainError(_("Only JPEG, PNG, GIF and WebP photos are accepted."),
                          code="unsupported_file_type")
    digest = hashlib.sha256()
    for chunk in photo.chunks():
        digest.update(chunk)
    photo.seek(0)
    return content_type, digest.hexdigest()


def check_complete_station_task(*, user, task_id, result: str, note: str = "",
                                photo=None) -> StationTask:
    content_type, sha256 = _check_photo(photo)
    with transaction.atomic():
        task = access_station_task(user, task_id, lock=True)
        if not task.is_open:
            raise Conflict(_("This task has already been answered."), code="task_closed")
        if result not in RESULTS_BY_KIND[task.kind]:
            raise DomainError(_("This result does not fit the task."), code="invalid_result",
                              extra={"results": list(RESULTS_BY_KIND[task.kind])})
        return do_complete_station_task(task, result=result, note=note, photo=photo,
                                        content_type=content_type, sha256=sha256,
                                        acting_user=user)


CUSTOMER_WORDS = {
    TaskResult.DELIVERED_TO_PERSON: "网点核实：包裹已当面交给收件人签收。",
    TaskResult.DELIVERED_TO_LOCKER: "网点核实：包裹已放入快递柜/驿站，请留意取件码。",
    TaskResult.DELIVERED_TO_OTHER: "网点核实：包裹已由他人（如门卫、邻居）代收。",
    TaskResult.NOT_DELIVERED: "网点核实：包裹尚未派送，网点会尽快安排。",
    TaskResult.LOST_CONFIRMED: "网点核实：包裹确认遗失，客服会尽快为您办理理赔。",
    TaskResult.DISPATCHED: "网点已安排派送，包裹正在派送途中。",
    TaskResult.SCHEDULED: "网点已为您安排派送时间。",
}


def do_complete_station_task(task: StationTask, *, result: str, note: str, acting_user,
                             photo=None, content_type=None, sha256=None,
                             now=None) -> StationTask:
    """Caller holds the task's row lock. The answer lands in the ticket (see module doc)."""
    now = now or timezone.now()
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=task.ticket_id)
    label = TaskResult(result).label
    who = acting_user.get_full_name() or acting_user.username
    body = _("Station %(station)s (%(who)s) answered “%(kind)s”: %(result)s.") % {
        "station": task.station.name, "who": who, "kind": task.get_kind_display(),
        "result": label}
    if note:
        body = f"{body}\n{note}"
    comment = do_add_comment(ticket, author=system_user(), body=body,
                             visibility=CommentVisibility.INTERNAL)
    attachment = None
    if photo is not None:
        attachment = do_add_attachment(ticket, upload=photo, content_type=content_type,
                                       sha256=sha256, uploaded_by=acting_user, comment=comment)
    task.status, task.result, task.result_note = TaskStatus.DONE, result, note
    task.completed_by, task.completed_at = acting_user, now
    task.attachment_id = attachment.pk if attachment else None
    task.save(update_fields=["status", "result", "result_note", "completed_by", "completed_at",
                             "attachment_id"])
    data = {"task_id": task.pk, "kind": task.kind, "station": task.station.code,
            "station_name": task.station.name, "result": result, "result_label": str(label),
            "attachment_id": task.attachment_id, "comment_id": comment.pk}
    record_event(ticket, EventKind.STATION_REPLY, actor=acting_user, note=note, data=data)
    do_set_context(ticket, "station_check", {
        **(ticket.context.get("station_check") or {}), "state": ANSWERED,
        "label": _progress_label(ANSWERED), "task_id": task.pk, "kind": task.kind,
        "station": task.station.name, "result": result, "result_label": str(label),
        "answered_at": now.isoformat()})
    do_resume_clock(ticket, station_task_reason(task.pk), acting_user=acting_user, now=now)
    words = CUSTOMER_WORDS.get(result)
    if words and ticket.customer_id and task.kind != TaskKind.ADDRESS_CHECK:
        # In the ticket's thread, and in the customer's chat (the conversation that opened the
        # ticket, else their latest one).
        do_add_comment(ticket, author=system_user(), body=words,
                       visibility=CommentVisibility.PUBLIC)
        _tell_in_chat(ticket, f"{ticket.number}：{words}")
    push_ticket(ticket, op="update", change="station_reply",
                data={"station_reply": {**data, "note": note, "answered_by": who}})
    _push_station(task, "update")
    return task


# --- overdue tasks -------------------------------------------------------------------------

def do_escalate_overdue_tasks(now=None) -> int:
    """Each overdue open task once (a conditional UPDATE marks it): to the station manager and
    the supervisors through the outbox, with an escalation event on the ticket."""
    now = now or timezone.now()
    count = 0
    ids = list(StationTask.objects.filter(status=TaskStatus.OPEN, due_at__lt=now,
                                          escalated_at__isnull=True).values_list("pk", flat=True))
    for task_id in ids:
        with transaction.atomic():
            marked = StationTask.objects.filter(pk=task_id, status=TaskStatus.OPEN,
                                                escalated_at__isnull=True).update(escalated_at=now)
            if not marked:
                continue
            task = StationTask.objects.select_related("station", "station__manager",
                                                      "ticket").get(pk=task_id)
            ticket = task.ticket
            text = _("Station task overdue: %(kind)s for ticket %(number)s at %(station)s was "
                     "due %(due)s.") % {
                "kind": task.get_kind_display(), "number": ticket.number,
                "station": task.station.name,
                "due": timezone.localtime(task.due_at).strftime("%Y-%m-%d %H:%M")}
            recipients = list(supervisors())
            if task.station.manager is not None:
                recipients.insert(0, task.station.manager)
            for user in dict.fromkeys(recipients):
                do_enqueue_notification(
                    channel=settings.NOTIFY_SUPERVISOR_CHANNEL, recipient=user.username,
                    subject=_("Station task overdue"), body=text, ticket=ticket,
                    payload={"kind": "station_task_overdue", "task_id": task.pk},
                    dedupe_key=f"station_task_overdue:{task.pk}:{user.pk}")
            record_event(ticket, EventKind.ESCALATION, actor=system_user(),
                         data={"reason": "station_task_overdue", "task_id": task.pk,
                               "to": "station_manager,supervisor"})
            push_ticket(ticket, op="update", change="station_task_overdue",
                        data={"station_task": task_payload(task)})
            _push_station(task, "update")
            count += 1
    return count


# --- courier address checks ----------------------------------------------------------------

def _courier(user) -> StationMember:
    member = membership(user)
    if member is None or member.role != MemberRole.COURIER:
        raise Forbidden(_("Only couriers may ask for address checks."))
    return member


def _answer_link(token: str) -> str:
    return f"{settings.STATIONS_PUBLIC_URL.rstrip('/')}/station/answer/{token}/"


def check_create_address_check(*, user, tracking_number: str, reason: str,
                               note: str = "") -> AddressCheck:
    member = _courier(user)
    if reason not in AddressCheckReason.values:
        raise DomainError(_("Unknown reason."), code="invalid_reason",
                          extra={"reasons": AddressCheckReason.values})
    shipment = logistics_selectors.shipment_get(tracking_number or "")
    owner = station_of_shipment(shipment) if shipment is not None else None
    if shipment is None or (owner is not None and owner.pk != member.station_id):
        # Another station's parcel answers like an unknown one: no recipient data leaks.
        raise NotFound(_("Unknown tracking number."))
    from routing.models import Queue  # the holding queue (settings) if ops created it

    queue = Queue.objects.filter(code=settings.STATIONS_ADDRESS_CHECK_QUEUE).first()
    reason_label = AddressCheckReason(reason).label
    with transaction.atomic():
        waiting = _("Address check (%(reason)s): waiting for the recipient's answer.") % {
            "reason": reason_label}
        ticket = check_create_ticket(
            form_values=_template_values("change_delivery", {"pickup_point": waiting}),
            user=system_user(), category_code="change_delivery", channel=Channel.COURIER,
            title=_("Address check %(number)s: %(reason)s") % {
                "number": shipment.tracking_number, "reason": reason_label},
            description=note, customer_phone=shipment.recipient_phone or None,
            waybills=[shipment.tracking_number], region=shipment.destination,
            queue_code=queue.code if queue else None,
            context={"address_check": {"reason": reason, "courier": user.username,
                                       "station": member.station.code}})
        ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
        task = do_create_station_task(ticket, station=member.station,
                                      kind=TaskKind.ADDRESS_CHECK, note=note, acting_user=user,
                                      courier=user)
        check = AddressCheck.objects.create(
            task=task, tracking_number=shipment.tracking_number,
            recipient_phone=shipment.recipient_phone, reason=reason, note=note,
            token=secrets.token_urlsafe(18), due_at=task.due_at)
        record_event(ticket, EventKind.ADDRESS_CHECK, actor=user, note=note,
                     data={"check_id": check.pk, "reason": reason, "state": "asked"})
        do_pause_clock(ticket, CUSTOMER, acting_user=user)
        message = _("Your parcel %(number)s could not be delivered (%(reason)s). Please confirm "
                    "or correct the address, pick another time or choose a locker/驿站: "
                    "%(link)s") % {"number": shipment.tracking_number, "reason": reason_label,
                                   "link": _answer_link(check.token)}
        if shipment.recipient_phone:
            do_enqueue_notification(channel="sms", recipient=shipment.recipient_phone,
                                    body=message, ticket=ticket,
                                    payload={"kind": "address_check", "check_id": check.pk},
                                    dedupe_key=f"address_check:{check.pk}:sms")
        if ticket.customer_id:
            # In the ticket's thread and in the customer's chat, where they can answer.
            do_add_comment(ticket, author=system_user(), body=message,
                           visibility=CommentVisibility.PUBLIC)
            with translation.override(settings.LANGUAGE_CODE):
                buttons = [str(_("The address is right")), str(AddressAnswer.LOCKER.label)]
                chat_text = _("Your parcel %(number)s could not be delivered (%(reason)s). Is "
                              "the address right? Tap a button, or reply with the corrected "
                              "address or the time you want it delivered.") % {
                    "number": shipment.tracking_number, "reason": reason_label}
            _tell_in_chat(ticket, chat_text, buttons=buttons, data={"address_check": check.pk})
    return check


def _template_values(category_code: str, values: dict) -> dict:
    """Only the values the category's ticket template has (tickets/quality/fields.py)."""
    from tickets import catalog
    from tickets.quality.fields import fields_for

    category = catalog.active_category(category_code)
    codes = {f.code for f in fields_for(category.pk)} if category else set()
    return {code: value for code, value in values.items() if code in codes}


def _fill_form(ticket: Ticket, *, acting_user, values: dict) -> None:
    """The recipient's answer into the ticket's delivery-change form, where it has the field."""
    from tickets.actions.forms import do_update_form
    from tickets.quality.fields import clean_values, fields_for

    codes = {f.code for f in fields_for(ticket.category_id)}
    values = {code: value for code, value in values.items() if code in codes and value}
    if not values:
        return
    cleaned = clean_values(ticket.category_id, values, current=ticket.form_values,
                           require=False)
    do_update_form(ticket, acting_user=acting_user, values=cleaned,
                   reason=_("The recipient answered the address check."))


def _tell_in_chat(ticket: Ticket, text: str, *, buttons=(), data=None) -> None:
    """Through the chatbot's action (stations talks to the chatbot, never the reverse)."""
    from chatbot.actions import do_notify_customer

    do_notify_customer(customer=ticket.customer, text=text, buttons=buttons, data=data,
                       conversation_id=(ticket.context or {}).get("conversation_id"))


def access_address_check(token: str, *, lock: bool = False) -> AddressCheck:
    qs = AddressCheck.objects.select_related("task", "task__station", "task__ticket")
    if lock:
        qs = qs.select_for_update(of=("self",))
    check = qs.filter(token=token).first() if token else None
    if check is None:
        raise NotFound(_("Unknown address check."))
    return check


def check_answer_address_check(*, token: str, answer: str, new_address: str = "",
                               new_time: str = "", note: str = "",
                               acting_user=None) -> AddressCheck:
    """The recipient's answer (the link's page, the customer API or the chat)."""
    if answer not in AddressAnswer.values:
        raise DomainError(_("Unknown answer."), code="invalid_answer",
                          extra={"answers": AddressAnswer.values})
    new_address, new_time = (new_address or "").strip(), (new_time or "").strip()
    if answer == AddressAnswer.CORRECT and not new_address:
        raise DomainError(_("Please give the corrected address."), code="missing_fields",
                          extra={"fields": ["new_address"]})
    if answer == AddressAnswer.RESCHEDULE and not new_time:
        raise DomainError(_("Please give the delivery time you want."), code="missing_fields",
                          extra={"fields": ["new_time"]})
    with transaction.atomic():
        check = access_address_check(token, lock=True)
        if check.status != AddressCheckStatus.WAITING:
            raise Conflict(_("This address check has already been settled."),
                           code="already_answered")
        return do_answer_address_check(check, answer=answer, new_address=new_address,
                                       new_time=new_time, note=note,
                                       acting_user=acting_user or system_user())


def do_answer_address_check(check: AddressCheck, *, answer, new_address, new_time, note,
                            acting_user, now=None) -> AddressCheck:
    now = now or timezone.now()
    check.status, check.answer, check.answered_at = AddressCheckStatus.ANSWERED, answer, now
    check.new_address, check.new_time = new_address, new_time
    check.save(update_fields=["status", "answer", "answered_at", "new_address", "new_time"])
    task = StationTask.objects.select_for_update(of=("self",)).select_related(
        "station").get(pk=check.task_id)
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=task.ticket_id)
    answer_label = AddressAnswer(answer).label
    record_event(ticket, EventKind.ADDRESS_CHECK, actor=acting_user, note=note,
                 data={"check_id": check.pk, "state": "answered", "answer": answer,
                       "new_address": new_address, "new_time": new_time})
    _fill_form(ticket, acting_user=acting_user, values={
        AddressAnswer.CORRECT: {"new_address": new_address},
        AddressAnswer.RESCHEDULE: {"new_time": new_time},
        AddressAnswer.LOCKER: {"pickup_point": str(AddressAnswer.LOCKER.label)},
        AddressAnswer.CONFIRM: {"pickup_point": str(AddressAnswer.CONFIRM.label)},
    }[answer])
    if answer == AddressAnswer.CORRECT:
        # The correction is the delivery change the ticket is about.
        do_set_context(ticket, "delivery_change", {"kind": "address", "address": new_address,
                                                   "source": "address_check"})
    elif answer == AddressAnswer.RESCHEDULE:
        do_set_context(ticket, "delivery_change", {"kind": "time", "time": new_time,
                                                   "source": "address_check"})
    elif answer == AddressAnswer.LOCKER:
        do_set_context(ticket, "delivery_change", {"kind": "locker",
                                                   "source": "address_check"})
    do_resume_clock(ticket, CUSTOMER, acting_user=acting_user, now=now)
    text = " ".join(filter(None, [str(answer_label), new_address, new_time, note]))
    do_complete_station_task(task, result=ANSWER_RESULT[answer], note=text,
                             acting_user=acting_user, now=now)
    return check


def do_expire_address_checks(now=None) -> int:
    """No answer by the deadline: the ticket goes to the desk (default queue, routing decides
    who calls) and the courier's task closes as no_answer."""
    from config.effects import enqueue_on_commit
    from routing.tasks import route_ticket
    from tickets import catalog

    now = now or timezone.now()
    count = 0
    for check_id in AddressCheck.objects.filter(status=AddressCheckStatus.WAITING,
                                                due_at__lt=now).values_list("pk", flat=True):
        with transaction.atomic():
            check = AddressCheck.objects.select_for_update(of=("self",)).filter(
                pk=check_id, status=AddressCheckStatus.WAITING).first()
            if check is None:
                continue
            check.status = AddressCheckStatus.EXPIRED
            check.save(update_fields=["status"])
            task = StationTask.objects.select_for_update(of=("self",)).select_related(
                "station").get(pk=check.task_id)
            ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=task.ticket_id)
            actor = system_user()
            record_event(ticket, EventKind.ADDRESS_CHECK, actor=actor,
                         data={"check_id": check.pk, "state": "expired"})
            do_resume_clock(ticket, CUSTOMER, acting_user=actor, now=now)
            if task.is_open:
                do_complete_station_task(task, result=TaskResult.NO_ANSWER, note="",
                                         acting_user=actor, now=now)
            desk = catalog.default_queue()
            if desk is not None and ticket.status == Status.RECEIVED:
                if desk.pk != ticket.queue_id:
                    do_update_ticket(ticket, acting_user=actor, queue_id=desk.pk,
                                     reason=_("The recipient did not answer the address check; "
                                              "a desk agent calls."))
                enqueue_on_commit(route_ticket, ticket_id=ticket.pk)
            record_event(ticket, EventKind.ESCALATION, actor=actor,
                         data={"reason": "address_check_unanswered", "to": "desk"})
            count += 1
    return count


# --- membership (admin, seed) --------------------------------------------------------------

def do_set_membership(user, *, station: Station, role: str, phone: str = "") -> StationMember:
    """Puts `user` in one station with one role, and in the matching Django group."""
    from django.contrib.auth.models import Group

    member, _created = StationMember.objects.update_or_create(
        user=user, defaults={"station": station, "role": role, "phone": phone})
    wanted = Role.STATION_STAFF if role == MemberRole.STAFF else Role.COURIER
    other = Role.COURIER if role == MemberRole.STAFF else Role.STATION_STAFF
    user.groups.remove(*Group.objects.filter(name=other))
    user.groups.add(Group.objects.get_or_create(name=wanted)[0])
    return member



# --- bulk import (admin) -------------------------------------------------------------------

IMPORT_COLUMNS = ("code", "name", "carrier", "province", "city", "district", "address",
                  "latitude", "longitude", "opens_at", "closes_at", "capacity", "manager",
                  "calendar", "phone")


def _import_row(row: dict, *, users: dict, calendar_ids: dict) -> dict:
    from datetime import time

    def number(key, cast):
        value = (row.get(key) or "").strip()
        return cast(value) if value else None

    code = (row.get("code") or "").strip()
    if not code or not (row.get("name") or "").strip():
        raise ValueError(_("code and name are required"))
    fields = {key: (row.get(key) or "").strip() for key in
              ("name", "carrier", "province", "city", "district", "address", "phone")}
    fields["latitude"], fields["longitude"] = number("latitude", float), number("longitude",
                                                                                float)
    for key, default in (("opens_at", time(8)), ("closes_at", time(20))):
        fields[key] = number(key, time.fromisoformat) or default
    fields["capacity"] = number("capacity", int) or 20
    manager = (row.get("manager") or "").strip()
    if manager:
        if manager not in users:
            raise ValueError(_("unknown manager %(name)s") % {"name": manager})
        fields["manager_id"] = users[manager]
    calendar = (row.get("calendar") or "").strip()
    if calendar:
        if calendar not in calendar_ids:
            raise ValueError(_("unknown calendar %(code)s") % {"code": calendar})
        fields["calendar_id"] = calendar_ids[calendar]
    return {"code": code, **fields}


def import_stations(rows, *, chunk: int = 100):
    """Creates or updates stations from CSV rows (dicts keyed by IMPORT_COLUMNS), a chunk per
    transaction. Yields (done, created, updated, errors) after each chunk so the admin can show
    progress; errors are (line, message)."""
    from django.contrib.auth import get_user_model

    from tickets.models import BusinessCalendar

    users = dict(get_user_model().objects.values_list("username", "pk"))
    calendar_ids = dict(BusinessCalendar.objects.values_list("code", "pk"))
    done = created = updated = 0
    errors: list[tuple[int, str]] = []
    batch: list[tuple[int, dict]] = []

    def flush():
        nonlocal created, updated
        with transaction.atomic():
            for _line, fields in batch:
                code = fields.pop("code")
                _station, was_created = Station.objects.update_or_create(code=code,
                                                                         defaults=fields)
                created += was_created
                updated += not was_created

    for line, row in enumerate(rows, start=2):  # line 1 is the header
        done += 1
        try:
            batch.append((line, _import_row(row, users=users, calendar_ids=calendar_ids)))
        except (ValueError, TypeError) as exc:
            errors.append((line, str(exc)))
        if len(batch) >= chunk:
            flush()
            batch = []
            yield done, created, updated, errors
    if batch:
        flush()
    yield done, created, updated, errors


# --- the recipient answers in the chat or the customer API ---------------------------------

_LOCKER = re.compile(r"快递柜|驿站|丰巢|自提|代收点")
_CONFIRM = re.compile(r"地址(没|无)(错|问题)|地址(是)?(对|正确)|没问题|确认|是对的|就是这个地址")
_LATER = re.compile(r"改天|明天|后天|下午|晚上|上午|中午|周[一二三四五六日末]|点以后|点之后|点前")


def read_chat_answer(text: str, understanding: dict) -> tuple[str, dict] | None:
    """(answer, details) a chat message gives to an address check, or None when unsure."""
    slots = understanding.get("slots") or {}
    if _LOCKER.search(text):
        return AddressAnswer.LOCKER, {}
    if slots.get("address"):
        return AddressAnswer.CORRECT, {"new_address": slots["address"][-1]}
    if slots.get("time") or _LATER.search(text):
        return AddressAnswer.RESCHEDULE, {"new_time": (slots.get("time") or [text])[-1]}
    if _CONFIRM.search(text):
        return AddressAnswer.CONFIRM, {}
    return None


def chat_turn_hook(*, customer, text: str, understanding: dict) -> dict | None:
    """Registered with chatbot.dialogue.turn_hooks: a recipient with a waiting address check
    answers it in the chat. Anything else is left to the dialogue."""
    phone = getattr(customer, "phone", "")
    if not phone:
        return None
    check = (AddressCheck.objects.filter(recipient_phone=phone,
                                         status=AddressCheckStatus.WAITING)
             .order_by("-created_at").first())
    if check is None:
        return None
    read = read_chat_answer(text, understanding)
    if read is None:
        return None
    answer, details = read
    try:
        check_answer_address_check(token=check.token, answer=answer, note=text,
                                   acting_user=getattr(customer, "user", None), **details)
    except DomainError:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        what = " ".join(filter(None, [str(AddressAnswer(answer).label), *details.values()]))
        return {"text": _("Thank you: “%(answer)s” for parcel %(number)s. The courier "
                          "delivers accordingly.") % {"answer": what,
                                                      "number": check.tracking_number}}


def check_answer_address_check_as_customer(*, user, check_id: int, answer: str,
                                           new_address: str = "", new_time: str = "",
                                           note: str = "") -> AddressCheck:
    """The customer API's way in: the signed-in customer answers their own parcel's check
    (404 for anyone else's, like a missing one)."""
    from tickets.models import Customer

    phones = set(Customer.objects.filter(user_id=getattr(user, "pk", None))
                 .values_list("phone", flat=True))
    check = AddressCheck.objects.filter(pk=check_id).only("token", "recipient_phone").first()
    if check is None or not phones or check.recipient_phone not in phones:
        raise NotFound(_("Unknown address check."))
    return check_answer_address_check(token=check.token, answer=answer,
                                      new_address=new_address, new_time=new_time, note=note,
                                      acting_user=user)
