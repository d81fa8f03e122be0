"""The console WebSocket: who may connect, which groups each role joins, and which events
reach whom — through the real actions and the configured channel layer (in-memory, or Redis
when REDIS_URL is set)."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from tests.factories import CustomerFactory, UserFactory, make_ticket, ticket_in
from tickets import actions
from tickets.consumers import ConsoleConsumer

pytestmark = pytest.mark.django_db
QUIET = 0.2  # seconds of silence that count as "nothing more arrives"


async def connect(user):
    comm = WebsocketCommunicator(ConsoleConsumer.as_asgi(), "/ws/console/")
    comm.scope["user"] = user
    connected, code = await comm.connect()
    assert connected, code
    hello = await comm.receive_json_from(timeout=2)
    assert hello["type"] == "hello"
    return comm


async def drain(comm) -> list[dict]:
    out = []
    while not await comm.receive_nothing(timeout=QUIET):
        out.append(await comm.receive_json_from(timeout=1))
    return out


def act(commit, fn, **kwargs):
    return database_sync_to_async(commit)(fn, **kwargs)


def test_anonymous_is_refused_through_the_real_stack(run):
    from config.asgi import application

    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/console/",
                                     headers=[(b"origin", b"http://testserver")])
        connected, code = await comm.connect()
        assert (connected, code) == (False, 4401)

    run(scenario)


def test_a_session_cookie_signs_the_socket_in(run, setup):
    from config.asgi import application

    client = Client()
    client.force_login(setup.agent)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/console/", headers=[
            (b"origin", b"http://testserver"), (b"cookie", cookie)])
        connected, _ = await comm.connect()
        assert connected
        hello = await comm.receive_json_from()
        assert hello["user_id"] == setup.agent.pk
        await comm.disconnect()

    run(scenario)


def test_a_foreign_origin_is_refused(run, setup):
    from config.asgi import application

    client = Client()
    client.force_login(setup.agent)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/console/", headers=[
            (b"origin", b"http://evil.example"), (b"cookie", cookie)])
        connected, _ = await comm.connect()
        assert not connected

    run(scenario)


def test_customers_and_anonymous_scopes_are_refused(run, setup):
    customer = CustomerFactory(phone="13800138000").user

    async def scenario():
        for user, code in ((AnonymousUser(), 4401), (customer, 4403)):
            comm = WebsocketCommunicator(ConsoleConsumer.as_asgi(), "/ws/console/")
            comm.scope["user"] = user
            assert await comm.connect() == (False, code)

    run(scenario)


def test_groups_per_role(run, setup):
    ops = UserFactory(username="ops01", roles=["ops"])
    expected = {
        setup.agent: [f"user.{setup.agent.pk}", f"queue.{setup.queue.pk}"],
        setup.outsider: [f"user.{setup.outsider.pk}", f"queue.{setup.other_queue.pk}"],
        setup.reviewer: [f"user.{setup.reviewer.pk}", "role.reviewer"],
        setup.supervisor: [f"user.{setup.supervisor.pk}", "role.supervisor"],
        ops: [f"user.{ops.pk}", "role.supervisor"],
    }

    async def scenario():
        for user, groups in expected.items():
            comm = WebsocketCommunicator(ConsoleConsumer.as_asgi(), "/ws/console/")
            comm.scope["user"] = user
            assert (await comm.connect())[0]
            assert (await comm.receive_json_from())["groups"] == groups
            await comm.disconnect()

    run(scenario)


def test_a_new_ticket_reaches_its_queue_and_supervisors_only(run, setup, commit):
    async def scenario():
        agent, agent2, outsider = (await connect(setup.agent), await connect(setup.agent2),
                                   await connect(setup.outsider))
        reviewer, supervisor = await connect(setup.reviewer), await connect(setup.supervisor)
        ticket = await act(commit, make_ticket, setup=setup, title="包裹丢失 SF1")
        for comm in (agent, agent2):
            (event,) = await drain(comm)
            assert event == {
                "type": "ticket", "op": "create", "change": "created", "id": ticket.pk,
                "number": ticket.number, "status": "received", "priority": "P1",
                "owner_id": None, "queue_id": setup.queue.pk, "title": "包裹丢失 SF1"}
        sup = await drain(supervisor)
        assert [e["type"] for e in sup] == ["ticket", "queue"]
        assert sup[1]["queues"] == [{
            "id": setup.queue.pk, "code": "general", "name": "general", "waiting": 1,
            "breached": 0, "online_agents": 0, "oldest_since": sup[1]["queues"][0]["oldest_since"]}]
        assert await drain(outsider) == []
        assert await drain(reviewer) == []

    run(scenario)


def test_assignment_status_changes_and_review_items(run, setup, commit):
    ticket = make_ticket(setup)

    async def scenario():
        agent, agent2 = await connect(setup.agent), await connect(setup.agent2)
        reviewer, outsider = await connect(setup.reviewer), await connect(setup.outsider)
        await act(commit, actions.check_assign_ticket, user=setup.supervisor,
                  ticket_id=ticket.pk, assignee_id=setup.agent.pk)
        (event,) = await drain(agent)  # owner and queue member: once, not twice
        assert (event["change"], event["owner_id"], event["status"], event["from_status"]) == (
            "assign", setup.agent.pk, "assigned", "received")
        assert len(await drain(agent2)) == 1
        assert await drain(reviewer) == []
        await act(commit, actions.check_start_ticket, user=setup.agent, ticket_id=ticket.pk)
        await act(commit, actions.check_submit_review, user=setup.agent, ticket_id=ticket.pk,
                  note="已联系网点找回")
        assert [e["change"] for e in await drain(agent)] == ["start", "submit_review"]
        (review_item,) = await drain(reviewer)
        assert (review_item["change"], review_item["status"]) == ("submit_review", "review")
        await act(commit, actions.check_reject_review, user=setup.reviewer, ticket_id=ticket.pk,
                  reason="缺少网点回执")
        (back,) = await drain(reviewer)  # leaves the review queue
        assert (back["change"], back["status"]) == ("reject", "processing")
        assert (await drain(agent))[0]["change"] == "reject"
        assert await drain(outsider) == []

    run(scenario)


def test_a_transfer_tells_those_who_lose_sight_only_the_id(run, setup, commit):
    ticket = ticket_in(setup, "processing")

    async def scenario():
        agent2, outsider = await connect(setup.agent2), await connect(setup.outsider)
        await act(commit, actions.check_transfer_ticket, user=setup.agent, ticket_id=ticket.pk,
                  reason="费用问题转费用组", queue_id=setup.other_queue.pk)
        (gone,) = await drain(agent2)  # member of the old queue only
        assert gone == {"type": "ticket", "op": "remove", "change": "release", "id": ticket.pk}
        (arrived,) = await drain(outsider)  # member of the new queue
        assert (arrived["op"], arrived["queue_id"], arrived["title"]) == (
            "update", setup.other_queue.pk, ticket.title)

    run(scenario)


def test_previous_owner_outside_the_queue_gets_no_details(run, setup, commit):
    ticket = make_ticket(setup, queue_code=setup.other_queue.code)
    commit(actions.check_assign_ticket, user=setup.supervisor, ticket_id=ticket.pk,
           assignee_id=setup.agent.pk)  # agent01 owns it but is not in that queue

    async def scenario():
        agent = await connect(setup.agent)
        await act(commit, actions.check_transfer_ticket, user=setup.supervisor,
                  ticket_id=ticket.pk, reason="换人", assignee_id=setup.outsider.pk)
        assert await drain(agent) == [{"type": "ticket", "op": "remove", "change": "transfer",
                                       "id": ticket.pk}]

    run(scenario)


def test_customer_messages_reach_the_ticket_console(run, setup, commit):
    customer = CustomerFactory(phone="13800138000")
    ticket = ticket_in(setup, "processing")

    async def scenario():
        agent, outsider = await connect(setup.agent), await connect(setup.outsider)
        await act(commit, actions.check_add_comment, user=customer.user, ticket_id=ticket.pk,
                  body="请尽快帮我找回，里面是药")
        (event,) = await drain(agent)
        assert event["change"] == "comment"
        assert event["comment"]["body"] == "请尽快帮我找回，里面是药"
        assert event["comment"]["from_customer"] is True
        assert event["comment"]["visibility"] == "public"
        assert await drain(outsider) == []

    run(scenario)


def test_sla_warning_goes_to_the_owner_once(run, setup, commit):
    from tickets.actions.sla import warn_sla_deadlines

    ticket = ticket_in(setup, "assigned")  # P1: respond within 15 minutes

    async def scenario():
        agent = await connect(setup.agent)
        await drain(agent)
        near = ticket.response_due - timedelta(minutes=2)
        assert await act(commit, warn_sla_deadlines, now=near) == 1
        (event,) = await drain(agent)
        assert event == {"type": "sla", "op": "warning", "sla": "response",
                         "ticket_id": ticket.pk, "number": ticket.number, "title": ticket.title,
                         "due": ticket.response_due.isoformat(), "minutes_left": 2}
        assert await act(commit, warn_sla_deadlines, now=near) == 0  # once
        early = ticket.created_at + timedelta(minutes=1)
        assert await act(commit, warn_sla_deadlines, now=early) == 0  # not yet near

    from django.core.cache import cache

    cache.clear()
    run(scenario)


def test_sla_breach_pushes_to_owner_and_supervisors(run, setup, commit):
    from tickets.actions.sla import record_sla_breaches

    ticket = ticket_in(setup, "assigned")

    async def scenario():
        agent, supervisor = await connect(setup.agent), await connect(setup.supervisor)
        later = ticket.response_due + timedelta(minutes=1)
        await act(commit, record_sla_breaches, now=later)
        (event,) = await drain(agent)
        assert (event["change"], event["sla"]) == ("sla_breach", "response")
        sup = await drain(supervisor)
        assert sup[0]["change"] == "sla_breach" and sup[1]["type"] == "queue"
        assert sup[1]["queues"][0]["breached"] == 1

    run(scenario)


def test_removed_from_a_queue_stops_hearing_it(run, setup, commit, settings):
    import asyncio

    settings.CONSOLE_GROUPS_TTL = 0.2

    async def scenario():
        agent2 = await connect(setup.agent2)
        await database_sync_to_async(setup.queue.members.remove)(setup.agent2)
        await asyncio.sleep(0.4)  # the background re-read of the memberships
        await act(commit, make_ticket, setup=setup)
        assert await drain(agent2) == []
        await database_sync_to_async(setup.queue.members.add)(setup.agent2)
        await asyncio.sleep(0.4)
        await act(commit, make_ticket, setup=setup)
        assert [e["op"] for e in await drain(agent2)] == ["create"]
        await agent2.disconnect()

    run(scenario)


def test_agent_status_changes_reach_supervisors(run, setup, commit):
    from routing.actions import check_set_agent_status

    async def scenario():
        supervisor, agent2 = await connect(setup.supervisor), await connect(setup.agent2)
        await act(commit, check_set_agent_status, user=setup.agent, status="online")
        events = await drain(supervisor)
        assert {"type": "agent", "op": "update", "user_id": setup.agent.pk, "status": "online",
                "changed_by": setup.agent.pk} in events
        assert await drain(agent2) == []

    run(scenario)


def test_the_consumer_never_writes(run, setup, django_assert_max_num_queries):
    """Connecting reads the groups; forwarding an event reads nothing."""

    async def scenario():
        comm = WebsocketCommunicator(ConsoleConsumer.as_asgi(), "/ws/console/")
        comm.scope["user"] = setup.agent
        await comm.connect()
        await comm.receive_json_from()
        await comm.send_json_to({"type": "ping"})
        assert await comm.receive_json_from() == {"type": "pong"}
        await comm.disconnect()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run(scenario)
    assert queries.captured_queries
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)
