"""Vocabularies of stations: task kinds with their result codes and default deadlines."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    STAFF = "staff", _("Station staff")
    COURIER = "courier", _("Courier")


class TaskKind(models.TextChoices):
    VERIFY_DELIVERY = "verify_delivery", _("Verify delivery")
    POD_PHOTO = "pod_photo", _("Proof-of-delivery photo")
    URGE_DISPATCH = "urge_dispatch", _("Urge dispatch")
    DAMAGE_INSPECTION = "damage_inspection", _("Damage inspection")
    RETURN_TO_SENDER = "return_to_sender", _("Return to sender")
    ADDRESS_CHECK = "address_check", _("Address check")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Answered")
    CANCELLED = "cancelled", _("Cancelled")


class TaskResult(models.TextChoices):
    DELIVERED_TO_PERSON = "delivered_to_person", _("Delivered to the recipient in person")
    DELIVERED_TO_LOCKER = "delivered_to_locker", _("Delivered to a locker or 驿站")
    DELIVERED_TO_OTHER = "delivered_to_other", _("Delivered to someone else (guard, neighbour)")
    NOT_DELIVERED = "not_delivered", _("Not delivered yet")
    LOST_CONFIRMED = "lost_confirmed", _("Confirmed lost")
    PHOTO_PROVIDED = "photo_provided", _("Photo provided")
    NO_PHOTO = "no_photo", _("No photo available")
    DISPATCHED = "dispatched", _("Out for delivery now")
    SCHEDULED = "scheduled", _("Delivery scheduled")
    CANNOT_DISPATCH = "cannot_dispatch", _("Cannot dispatch")
    DAMAGE_CONFIRMED = "damage_confirmed", _("Damage confirmed")
    NO_DAMAGE = "no_damage", _("No damage found")
    RETURNED = "returned", _("Returned to sender")
    RETURN_REFUSED = "return_refused", _("Cannot return")
    ADDRESS_CONFIRMED = "address_confirmed", _("Address confirmed")
    ADDRESS_CORRECTED = "address_corrected", _("Address corrected")
    RESCHEDULED = "rescheduled", _("Another delivery time")
    LOCKER = "locker", _("Leave in a locker or 驿站")
    NO_ANSWER = "no_answer", _("Recipient did not answer")


R = TaskResult
RESULTS_BY_KIND: dict[str, tuple[str, ...]] = {
    TaskKind.VERIFY_DELIVERY: (R.DELIVERED_TO_PERSON, R.DELIVERED_TO_LOCKER,
                               R.DELIVERED_TO_OTHER, R.NOT_DELIVERED, R.LOST_CONFIRMED),
    TaskKind.POD_PHOTO: (R.PHOTO_PROVIDED, R.NO_PHOTO),
    TaskKind.URGE_DISPATCH: (R.DISPATCHED, R.SCHEDULED, R.CANNOT_DISPATCH, R.LOST_CONFIRMED),
    TaskKind.DAMAGE_INSPECTION: (R.DAMAGE_CONFIRMED, R.NO_DAMAGE),
    TaskKind.RETURN_TO_SENDER: (R.RETURNED, R.RETURN_REFUSED),
    TaskKind.ADDRESS_CHECK: (R.ADDRESS_CONFIRMED, R.ADDRESS_CORRECTED, R.RESCHEDULED, R.LOCKER,
                             R.NO_ANSWER),
}

# Default deadline per kind, in hours of the station's business time.
DEFAULT_HOURS: dict[str, float] = {
    TaskKind.VERIFY_DELIVERY: 2,
    TaskKind.POD_PHOTO: 2,
    TaskKind.URGE_DISPATCH: 4,
    TaskKind.DAMAGE_INSPECTION: 8,
    TaskKind.RETURN_TO_SENDER: 24,
    TaskKind.ADDRESS_CHECK: 4,
}

# Kinds where a courier is out delivering: their courier may see the recipient's number.
DELIVERY_KINDS = frozenset({TaskKind.URGE_DISPATCH, TaskKind.ADDRESS_CHECK,
                            TaskKind.VERIFY_DELIVERY, TaskKind.POD_PHOTO})


class AddressCheckReason(models.TextChoices):
    ADDRESS_UNCLEAR = "address_unclear", _("Address unclear")
    NOBODY_HOME = "nobody_home", _("Nobody home")
    REFUSED = "refused", _("Refused")
    PHONE_UNREACHABLE = "phone_unreachable", _("Phone unreachable")
    OTHER = "other", _("Other")


class AddressCheckStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for the recipient")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("No answer, handed to the desk")


class AddressAnswer(models.TextChoices):
    CONFIRM = "confirm", _("Address is right")
    CORRECT = "correct", _("Corrected address")
    RESCHEDULE = "reschedule", _("Another time")
    LOCKER = "locker", _("Locker or 驿站")


ANSWER_RESULT = {AddressAnswer.CONFIRM: R.ADDRESS_CONFIRMED,
                 AddressAnswer.CORRECT: R.ADDRESS_CORRECTED,
                 AddressAnswer.RESCHEDULE: R.RESCHEDULED,
                 AddressAnswer.LOCKER: R.LOCKER}
