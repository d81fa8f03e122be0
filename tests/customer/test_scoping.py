"""Generated over the URL patterns: every customer endpoint is scoped to the caller (IDOR),
staff tokens cannot act as a customer, customer tokens reach no staff endpoint."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from tests.customer.conftest import PNG, client_for

pytestmark = pytest.mark.django_db


def _routes(patterns, prefix=""):
    """(route, view class) for every URL pattern, nested includes flattened."""
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, getattr(p.callback, "view_class", None)


ALL_ROUTES = list(_routes(get_resolver().url_patterns))
CUSTOMER_ROUTES = [(r, v) for r, v in ALL_ROUTES if r.startswith("api/customer/")]
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# Endpoints without an object in the path, each classified: a new one fails the test until it
# is (so it cannot be forgotten).
PUBLIC = {"api/customer/auth/sms/code/", "api/customer/auth/sms/login/",
          "api/customer/auth/wechat/login/"}
OWN_LISTS = {"api/customer/me/", "api/customer/shipments/", "api/customer/tickets/",
             "api/customer/chat/sessions/"}
WRITES_NAMING_OBJECTS = {"api/customer/delivery-changes/", "api/customer/shipments/",
                         "api/customer/auth/logout/", "api/customer/chat/sessions/"}


def _methods(view_class):
    return [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)]


def _fills(w):
    """For each path parameter, the objects of customer A to try."""
    return {
        "ticket_id": [w.closed_a.pk, w.open_a.pk],
        "number": [w.parcel_a.tracking_number, w.parcel_bound.tracking_number],
        "conversation_id": [w.conv_a.pk],
    }


def _body():
    """Valid for every write, so a 404 comes from scoping and not from validation."""
    return {"body": "补充信息", "reason": "还是没解决", "score": "5", "comment": "",
            "text": "我的快递到哪了", "file": SimpleUploadedFile("e.png", PNG, "image/png")}


def _urls_with_objects(route, w):
    names = [name for _conv, name in PARAM.findall(route)]
    fills = _fills(w)
    unknown = [n for n in names if n not in fills]
    assert not unknown, f"{route}: add objects of customer A for {unknown} to _fills()"
    urls = []
    for i in range(max(len(fills[n]) for n in names)):
        url = route
        for name in names:
            value = str(fills[name][min(i, len(fills[name]) - 1)])
            url = re.sub(rf"<(?:\w+:)?{name}>", value, url, count=1)
        urls.append("/" + url)
    return urls


def test_every_customer_endpoint_is_classified():
    assert len(CUSTOMER_ROUTES) >= 18
    for route, view in CUSTOMER_ROUTES:
        assert view is not None, route
        if not PARAM.search(route):
            assert route in PUBLIC | OWN_LISTS | WRITES_NAMING_OBJECTS, (
                f"new customer endpoint {route}: classify it in test_scoping.py")


@pytest.mark.parametrize("route,view", [(r, v) for r, v in CUSTOMER_ROUTES if PARAM.search(r)],
                         ids=lambda x: x if isinstance(x, str) else "")
def test_other_customers_objects_are_404_on_every_method(world, route, view):
    from tickets.models import TicketAttachment, TicketComment, TicketEvent

    before = (TicketEvent.objects.count(), TicketComment.objects.count(),
              TicketAttachment.objects.count())
    for url in _urls_with_objects(route, world):
        for method in _methods(view):
            response = getattr(world.api_b, method)(url, _body(), format="multipart")
            assert response.status_code == 404, (method, url, response.status_code,
                                                 response.content[:200])
            assert response.json()["code"] in ("not_found", "shipment_not_found")
            # Indistinguishable from a missing object.
            missing = re.sub(r"/(\d+|[A-Z]{2}\d+)/", "/999999/", url, count=1)
            if missing != url:
                other = getattr(world.api_b, method)(missing, _body(), format="multipart")
                assert other.status_code == 404
                assert other.json()["detail"] == response.json()["detail"]
        if "get" in _methods(view):  # the object really is there: its owner sees it
            assert world.api_a.get(url).status_code == 200, url
    assert before == (TicketEvent.objects.count(), TicketComment.objects.count(),
                      TicketAttachment.objects.count())


def test_lists_hold_only_own_objects(world):
    for route in OWN_LISTS:
        text = world.api_b.get("/" + route).content.decode()
        for secret in (world.closed_a.number, world.open_a.number,
                       world.parcel_a.tracking_number, world.parcel_bound.tracking_number,
                       world.a.phone, f'"id":{world.conv_a.pk},'):
            assert secret not in text, (route, secret)
    own = world.api_b.get("/api/customer/tickets/").json()["results"]
    assert [t["number"] for t in own] == [world.ticket_b.number]


def test_writes_naming_anothers_objects_are_404(world):
    response = world.api_b.post("/api/customer/delivery-changes/", {
        "waybill": world.parcel_a.tracking_number, "kind": "self_pickup"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "shipment_not_found"
    wrong = world.api_b.post("/api/customer/shipments/", {
        "number": world.parcel_bound.tracking_number, "phone_last4": "0000"}, format="json")
    missing = world.api_b.post("/api/customer/shipments/", {
        "number": "YT7999999999999", "phone_last4": "2222"}, format="json")
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json() == missing.json()


def test_staff_tokens_cannot_act_as_a_customer(world):
    staff = client_for(world.setup.supervisor)
    for route, view in CUSTOMER_ROUTES:
        if route in PUBLIC:
            continue
        url = _urls_with_objects(route, world)[0] if PARAM.search(route) else "/" + route
        for method in _methods(view):
            response = getattr(staff, method)(url, _body(), format="multipart")
            assert response.status_code == 403, (method, url, response.status_code)
            assert response.json()["code"] == "permission_denied"


def test_session_login_is_not_accepted_by_customer_endpoints(world, client):
    client.force_login(world.a.user)
    assert client.get("/api/customer/tickets/").status_code == 401


SHARED_WITH_CUSTOMERS = ("api/customer/", "api/chat/", "api/auth/token/", "api/schema/",
                         "api/docs/", "api/logistics/webhooks/")


def test_customer_tokens_reach_no_staff_endpoint(world):
    # Open to customers by design: public (signature or one-time-token) endpoints, and those
    # whose permission names customers (the knowledge base's public articles, /api/chat/).
    def open_to_customers(view):
        names = {p.__name__ for p in getattr(view, "permission_classes", [])}
        return bool(names & {"AllowAny", "StaffOrCustomer", "CanChat", "IsCustomer"})

    staff_routes = [(r, v) for r, v in ALL_ROUTES
                    if r.startswith("api/") and not r.startswith(SHARED_WITH_CUSTOMERS)
                    and v is not None and not open_to_customers(v)]
    assert len(staff_routes) >= 8
    for route, view in staff_routes:
        url = "/" + PARAM.sub(lambda m: {"int": str(world.open_a.pk)}.get(
            m.group(1), world.parcel_a.tracking_number if m.group(1) == "str" else "start"),
            route)
        for method in _methods(view) or ["get"]:
            response = getattr(world.api_a, method)(url, {}, format="json")
            assert response.status_code in (401, 403, 404, 405), (method, url,
                                                                  response.status_code)
