import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.utils import timezone

from config.errors import DomainError, Forbidden, NotFound
from tests.factories import CustomerFactory, ticket_in
from tickets import actions
from tickets.choices import EventKind, NotificationStatus
from tickets.models import Notification


class FlakyBackend:
    """Fails the first `failures` sends, then succeeds."""

    failures = 0
    calls = 0

    def send(self, notification):
        FlakyBackend.calls += 1
        if FlakyBackend.calls <= FlakyBackend.failures:
            raise ConnectionError("gateway down")


@pytest.fixture
def flaky(settings):
    from tickets.notifications import _backend

    settings.NOTIFICATION_BACKENDS = {"sms": f"{__name__}.FlakyBackend"}
    _backend.cache_clear()
    FlakyBackend.calls = FlakyBackend.failures = 0
    return FlakyBackend


@pytest.mark.django_db
def test_outbox_sends_after_commit(outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = actions.do_enqueue_notification(channel="sms", recipient="13800138000",
                                                       body="您的工单已受理")
    assert outbox == [] and len(callbacks) == 1  # nothing leaves before commit
    callbacks[0]()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and notification.attempts == 1
    assert outbox[0]["recipient"] == "13800138000"


@pytest.mark.django_db
def test_dedupe_key_sends_once(outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = actions.do_enqueue_notification(channel="sms", recipient="13800138000",
                                                body="a", dedupe_key="k1")
        second = actions.do_enqueue_notification(channel="sms", recipient="13800138000",
                                                 body="a", dedupe_key="k1")
    assert first.pk == second.pk and len(outbox) == 1


@pytest.mark.django_db
def test_failed_send_is_retried_by_the_minute_task_until_it_goes(
        flaky, django_capture_on_commit_callbacks):
    from tickets.tasks import retry_notifications

    flaky.failures = 2
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        notification = actions.do_enqueue_notification(channel="sms", recipient="13800138000",
                                                       body="x")
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert "gateway down" in notification.last_error
    assert retry_notifications() == 0  # backing off: not due yet
    with time_machine.travel(start + timezone.timedelta(minutes=3)):
        assert retry_notifications() == 0  # second failure
    with time_machine.travel(start + timezone.timedelta(minutes=10)):
        assert retry_notifications() == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 3)


@pytest.mark.django_db
def test_gives_up_after_max_attempts_and_admin_can_resend(
        flaky, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_MAX_ATTEMPTS = 1
    flaky.failures = 1
    with django_capture_on_commit_callbacks(execute=True):
        notification = actions.do_enqueue_notification(channel="sms", recipient="x", body="x")
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.do_retry_notifications(Notification.objects.all()) == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT


@pytest.mark.django_db
def test_a_leased_message_is_not_sent_twice(flaky):
    notification = Notification.objects.create(channel="sms", recipient="x", body="x")
    assert actions.deliver_notification(notification.pk) is True
    assert actions.deliver_notification(notification.pk) is False
    assert flaky.calls == 1


class RobotHandler(BaseHTTPRequestHandler):
    received: list = []
    answer = {"errcode": 0, "errmsg": "ok"}

    def do_GET(self):  # noqa: N802 — the WeChat token endpoint
        RobotHandler.received.append((self.path, None))
        self._answer({"access_token": "TOKEN1", "expires_in": 7200})

    def do_POST(self):  # noqa: N802 — http.server's naming
        length = int(self.headers["Content-Length"])
        RobotHandler.received.append((self.path, json.loads(self.rfile.read(length)),
                                      dict(self.headers)))
        self._answer(RobotHandler.answer)

    def _answer(self, answer):
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot_server():
    server = HTTPServer(("127.0.0.1", 0), RobotHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    RobotHandler.received = []
    RobotHandler.answer = {"errcode": 0, "errmsg": "ok"}
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.django_db
def test_wecom_robot_posts_masked_text(robot_server, settings):
    from tickets.notifications.backends import WeComRobotBackend

    settings.WECOM_ROBOT_URL = f"{robot_server}/cgi-bin/webhook/send?key=k"
    notification = Notification(channel="wecom", recipient="supervisors", subject="升级",
                                body="客户 13800138000 投诉")
    WeComRobotBackend().send(notification)
    path, payload, _headers = RobotHandler.received[0]
    assert path == "/cgi-bin/webhook/send?key=k"
    assert payload == {"msgtype": "text", "text": {"content": "升级\n客户 138****8000 投诉"}}
    RobotHandler.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    with pytest.raises(Exception, match="93000"):
        WeComRobotBackend().send(notification)


@pytest.mark.django_db
def test_dingtalk_robot_signs_the_url(robot_server, settings):
    from tickets.notifications.backends import DingTalkRobotBackend

    settings.DINGTALK_ROBOT_URL = f"{robot_server}/robot/send?access_token=t"
    settings.DINGTALK_ROBOT_SECRET = "SEC123"
    DingTalkRobotBackend().send(Notification(channel="dingtalk", recipient="x", body="hi"))
    path, payload, _headers = RobotHandler.received[0]
    assert path.startswith("/robot/send?access_token=t&timestamp=") and "&sign=" in path
    assert payload["text"]["content"] == "hi"


@pytest.mark.django_db
def test_closing_sends_a_csat_survey_and_the_customer_answers_once(
        setup, outbox, django_capture_on_commit_callbacks):
    customer = CustomerFactory(phone="13800138000")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_in(setup, "closed")
    assert ticket.customer == customer
    survey = ticket.surveys.get()
    assert [m["payload"]["kind"] for m in outbox] == ["csat"]
    assert outbox[0]["recipient"] == "13800138000"
    with pytest.raises(DomainError) as raised:
        actions.check_answer_csat(user=customer.user, ticket_id=ticket.pk, score=6)
    assert raised.value.code == "invalid_score"
    actions.check_answer_csat(user=customer.user, ticket_id=ticket.pk, score=4, comment="快")
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (4, "快") and survey.answered_at
    assert ticket.events.filter(kind=EventKind.CSAT, data__score=4).exists()
    with pytest.raises(DomainError) as raised:
        actions.check_answer_csat(user=customer.user, ticket_id=ticket.pk, score=5)
    assert raised.value.code == "already_answered"


@pytest.mark.django_db
def test_only_the_tickets_own_customer_answers(setup):
    CustomerFactory(phone="13800138000")
    other = CustomerFactory(phone="13900139000")
    ticket = ticket_in(setup, "closed")
    with pytest.raises(NotFound):
        actions.check_answer_csat(user=other.user, ticket_id=ticket.pk, score=5)
    with pytest.raises(Forbidden):
        actions.check_answer_csat(user=setup.agent, ticket_id=ticket.pk, score=5)


@pytest.mark.django_db
def test_customer_may_reopen_own_ticket(setup):
    customer = CustomerFactory(phone="13800138000")
    ticket = ticket_in(setup, "closed")
    actions.check_reopen_ticket(user=customer.user, ticket_id=ticket.pk, reason="还是没收到")
    ticket.refresh_from_db()
    assert ticket.status == "processing" and ticket.escalated


@pytest.mark.django_db
def test_sms_gateway_signs_the_body(robot_server, settings):
    import hashlib
    import hmac

    from tickets.notifications.backends import HttpSmsGatewayBackend

    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_SECRET = f"{robot_server}/sms", "s3cret"
    HttpSmsGatewayBackend().send(Notification(channel="sms", recipient="13800138000",
                                              body="您的工单已解决"))
    path, payload, headers = RobotHandler.received[0]
    assert payload == {"phone": "13800138000", "text": "您的工单已解决", "sign_name": "ParcelDesk"}
    body = json.dumps(payload, ensure_ascii=False).encode()
    assert headers["X-Signature"] == hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()


@pytest.mark.django_db
def test_wechat_subscribe_message_fetches_and_caches_the_token(robot_server, settings):
    from django.core.cache import cache

    from tickets.notifications.backends import WeChatSubscribeBackend

    cache.clear()
    settings.WECHAT_API_BASE, settings.WECHAT_APPID, settings.WECHAT_SECRET = (
        robot_server, "wxapp", "sec")
    notification = Notification(channel="wechat", recipient="OPENID1", body="工单已受理",
                                payload={"template_id": "T1", "page": "pages/ticket?id=1",
                                         "data": {"thing1": {"value": "工单已受理"}}})
    WeChatSubscribeBackend().send(notification)
    WeChatSubscribeBackend().send(notification)
    paths = [entry[0] for entry in RobotHandler.received]
    assert sum(p.startswith("/cgi-bin/token?") for p in paths) == 1
    assert paths[1] == "/cgi-bin/message/subscribe/send?access_token=TOKEN1"
    assert RobotHandler.received[1][1] == {"touser": "OPENID1", "template_id": "T1",
                                           "page": "pages/ticket?id=1",
                                           "data": {"thing1": {"value": "工单已受理"}}}
