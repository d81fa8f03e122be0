"""Schemathesis over /api/schema/: every operation of every app (staff ones with an ops
token, /api/customer/ with a customer token), bounded and derandomised. No 5xx, and every
answer matches the schema (status code, content type, body)."""

import os
import random

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import checks

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "15"))
# Reproducible by default; SCHEMA_FUZZ_RANDOM=1 explores new inputs on each run (bug hunting).
DERANDOMIZE = os.environ.get("SCHEMA_FUZZ_RANDOM", "") != "1"
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance]


def _real_parameters(world, case):
    """Half of the examples use objects that exist, so answers other than 404 are checked."""
    rng = random.Random(repr(sorted((case.path_parameters or {}).items())))
    known = {"ticket_id": [world.open_a.pk, world.closed_a.pk],
             "conversation_id": [world.conv_a.pk],
             "number": [world.parcel_a.tracking_number, world.parcel_bound.tracking_number],
             "tracking_number": [world.parcel_a.tracking_number],
             "source": ["kuaidi100", "sf"], "name": ["start", "assign", "reopen"]}
    for name, value in list((case.path_parameters or {}).items()):
        if name in known:
            case.path_parameters[name] = rng.choice(known[name])
        elif isinstance(value, int):
            case.path_parameters[name] = rng.choice([world.open_a.pk, 1])
    return case


def _fuzz(operation, token, world, statuses):
    strategy = operation.as_strategy()
    # Invalid input too (wrong types, missing fields): it must get a documented 4xx, never 5xx.
    negative = operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)

    @hsettings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
               suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=st.one_of(strategy, strategy.map(lambda c: _real_parameters(world, c)),
                          negative.map(lambda c: _real_parameters(world, c))))
    def run(case):
        # Generated security headers would replace ours: set it on the case itself.
        case.headers = {**(case.headers or {}), "Authorization": f"Token {token}"}
        with transaction.atomic():  # a database error in one request must not end the run
            response = case.call()
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS)

    run()


def test_every_operation_conforms_to_the_schema(world, nlu_model):
    from tests.factories import UserFactory

    ops = UserFactory(username="ops01", is_superuser=True, is_staff=True, roles=["ops"])
    staff_token = Token.objects.get_or_create(user=ops)[0].key
    # The real WSGI handler closes "old" connections around each request, and inside the
    # test's transaction PostgreSQL's would count as such; the test client disconnects the
    # same receivers.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _fuzz_all(world, staff_token)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz_all(world, staff_token):
    from config.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures, seen, statuses = [], 0, {}
    for result in schema.get_all_operations():
        operation = result.ok()
        seen += 1
        # Fetched per operation: the logout operation revokes the customer's token.
        customer_token = Token.objects.get_or_create(user=world.a.user)[0].key
        token = customer_token if operation.path.startswith("/api/customer/") else staff_token
        try:
            _fuzz(operation, token, world, statuses)
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failure, not one
            failures.append(f"{operation.label}: {exc}"[:3000])
    print(f"{seen} operations, answers by status: {dict(sorted(statuses.items()))}")
    assert seen >= 40
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("query,status", [
    ("owner=-4.536374399775134e%2B194", 400), ("parent=1e%2B30", 400),
    ("owner=99999999999999999999", 400), ("owner=1.5", 400),
    ("created_after=4000-12-18T16:11:24-19:18", 200),
    ("created_before=9999-12-31T23:00:00-05:00", 400)])
def test_staff_ticket_filters_out_of_range(setup, query, status):
    """Found by the run above: a huge owner/parent id was a 500 (driver overflow), and so was
    a time offset PostgreSQL does not accept (beyond ±15:59)."""
    from tests.customer.conftest import client_for

    response = client_for(setup.supervisor).get("/api/tickets/?" + query)
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["code"] == "invalid"
