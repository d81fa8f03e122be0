from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    PROCESSING = "processing", _("Processing")
    REVIEW = "review", _("Pending review")
    CLOSED = "closed", _("Closed")


class Priority(models.TextChoices):
    P0 = "P0", _("P0 critical")
    P1 = "P1", _("P1 urgent")
    P2 = "P2", _("P2 normal")
    P3 = "P3", _("P3 low")


PRIORITY_ORDER = ("P0", "P1", "P2", "P3")  # most urgent first


def raised(priority: str) -> str:
    """One level more urgent; P0 stays P0."""
    index = PRIORITY_ORDER.index(priority)
    return PRIORITY_ORDER[max(index - 1, 0)]


class Impact(models.TextChoices):
    SINGLE = "single", _("Single customer")
    MANY = "many", _("Many customers")


class Channel(models.TextChoices):
    CHATBOT = "chatbot", _("Chatbot")
    MINI_PROGRAM = "mini_program", _("Mini-program")
    PHONE = "phone", _("Phone")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")
    COURIER = "courier", _("Courier")


class Transition(models.TextChoices):
    ASSIGN = "assign", _("Assign")
    RELEASE = "release", _("Release to queue")
    TRANSFER = "transfer", _("Transfer")
    START = "start", _("Start processing")
    SUBMIT_REVIEW = "submit_review", _("Submit for review")
    APPROVE = "approve", _("Approve and close")
    REJECT = "reject", _("Reject")
    REOPEN = "reopen", _("Reopen")
    MERGE = "merge", _("Merge into another ticket")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    TRANSITION = "transition", _("Status change")
    ASSIGNMENT = "assignment", _("Assignment")
    PRIORITY = "priority", _("Priority change")
    FIELD_CHANGE = "field_change", _("Field change")
    COMMENT = "comment", _("Comment")
    ATTACHMENT = "attachment", _("Attachment")
    SLA_BREACH = "sla_breach", _("SLA breach")
    ESCALATION = "escalation", _("Escalation")
    NOTIFICATION = "notification", _("Notification sent")
    CSAT = "csat", _("Satisfaction answer")
    MERGE = "merge", _("Duplicate merged in")
    QUALITY_CHECK = "quality_check", _("Quality check")
    SLA_PAUSE = "sla_pause", _("Clock paused")
    SLA_RESUME = "sla_resume", _("Clock resumed")
    STATION_TASK = "station_task", _("Station task sent")
    STATION_REPLY = "station_reply", _("Station replied")
    ADDRESS_CHECK = "address_check", _("Address check")


class CommentVisibility(models.TextChoices):
    INTERNAL = "internal", _("Internal note")
    PUBLIC = "public", _("Reply to customer")


class NotificationChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom robot")
    DINGTALK = "dingtalk", _("DingTalk robot")
    WECHAT = "wechat", _("WeChat subscribe message")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class SlaKind(models.TextChoices):
    RESPONSE = "response", _("Response")
    RESOLUTION = "resolution", _("Resolution")


# --- ticket templates and quality review (#10, tickets/quality/README.md) ---
class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number (quantity)")
    MONEY = "money", _("Amount (yuan)")
    CHOICE = "choice", _("Choice")
    ADDRESS = "address", _("Address")
    TIME = "time", _("Date or time")
    PHONE = "phone", _("Phone number")
    EVIDENCE = "evidence", _("Evidence file (photo, PDF)")


class FindingKind(models.TextChoices):
    FORBIDDEN_PROMISE = "forbidden_promise", _("Forbidden promise")
    UNMASKED_PHONE = "unmasked_phone", _("Unmasked phone number")
    UNMASKED_ADDRESS = "unmasked_address", _("Unmasked address")
    MISSING_EVIDENCE = "missing_evidence", _("Missing evidence")
    MISSING_KB_REFERENCE = "missing_kb_reference", _("Missing knowledge-base reference")


class FindingSource(models.TextChoices):
    REPLY = "reply", _("Reply to the customer")
    RESOLUTION = "resolution", _("Resolution submitted for review")
    TICKET = "ticket", _("The ticket as a whole")


class ReviewItem(models.TextChoices):
    ACCURACY = "accuracy", _("Accuracy")
    ATTITUDE = "attitude", _("Attitude")
    PROCESS = "process", _("Process")
    TIMELINESS = "timeliness", _("Timeliness")


class Verdict(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected (退回重处理)")
