"""My parcels: by my phone, added by waybill + 4 phone digits, trajectory and ETA."""

import pytest

from tickets.models import CustomerShipment

pytestmark = pytest.mark.django_db


def test_my_parcels_by_phone_and_added(world):
    rows = world.api_a.get("/api/customer/shipments/").json()["results"]
    relations = {r["number"]: r["relation"] for r in rows}
    assert relations == {"SF1409821733526": "recipient", "YT7000000000001": "added"}
    mine = next(r for r in rows if r["number"] == "SF1409821733526")
    assert mine["status"] == "arrived_at_hub" and mine["status_label"]
    assert mine["recipient_phone"] == "138****8000"


def test_add_a_parcel_by_waybill_and_last_4_digits(world, parcel):
    parcel("JT0000000000123", "13755556666", [(1, "in_transit", "深圳", "运输中")],
           carrier="jt")
    wrong = world.api_b.post("/api/customer/shipments/", {
        "number": "JT0000000000123", "phone_last4": "6667"}, format="json")
    assert wrong.status_code == 404 and wrong.json()["code"] == "shipment_not_found"
    assert wrong.json()["detail"] == "没有与该运单号和手机尾号匹配的包裹。"
    ok = world.api_b.post("/api/customer/shipments/", {
        "number": "jt 0000 0000 00123", "phone_last4": "6666"}, format="json")
    assert ok.status_code == 201
    assert ok.json()["relation"] == "added"
    assert ok.json()["recipient_phone"] == "137****6666"
    assert CustomerShipment.objects.filter(customer=world.b, number="JT0000000000123").exists()
    again = world.api_b.post("/api/customer/shipments/", {
        "number": "JT0000000000123", "phone_last4": "6666"}, format="json")
    assert again.status_code == 200
    numbers = [r["number"] for r in world.api_b.get("/api/customer/shipments/").json()["results"]]
    assert "JT0000000000123" in numbers
    bad = world.api_b.post("/api/customer/shipments/", {"number": "X", "phone_last4": "66"},
                           format="json")
    assert bad.status_code == 400 and "phone_last4" in bad.json()["errors"]


def test_adding_parcels_is_throttled_per_customer(world, settings):
    settings.CUSTOMER_THROTTLE_RATES = {**settings.CUSTOMER_THROTTLE_RATES,
                                        "customer_bind": "3/hour"}
    codes = [world.api_b.post("/api/customer/shipments/", {
        "number": "SF1409821733526", "phone_last4": f"{i:04d}"}, format="json").status_code
        for i in range(4)]
    assert codes == [404, 404, 404, 429]
    # Reading the list is not counted against the binding budget.
    assert world.api_b.get("/api/customer/shipments/").status_code == 200


def test_trajectory_and_eta(world):
    url = "/api/customer/shipments/SF1409821733526/"
    trajectory = world.api_a.get(url + "trajectory/").json()
    assert [e["status"] for e in trajectory["events"]] == ["picked_up", "in_transit",
                                                          "arrived_at_hub"]
    # A courier's number inside a scan text is masked too.
    assert "137****5678" in trajectory["events"][1]["description"]
    assert "13712345678" not in str(trajectory)
    eta = world.api_a.get(url + "eta/").json()
    assert set(eta) == {"time", "confidence", "explanation"}
    detail = world.api_a.get(url).json()
    assert detail["eta"] == eta and detail["relation"] == "recipient"
    bound = world.api_a.get("/api/customer/shipments/YT7000000000001/trajectory/")
    assert bound.status_code == 200
    assert world.api_a.get("/api/customer/shipments/NOPE123/").status_code == 404


def test_throttle_per_customer(world, settings):
    settings.CUSTOMER_THROTTLE_RATES = {**settings.CUSTOMER_THROTTLE_RATES,
                                        "customer_user": "3/min"}
    codes = [world.api_a.get("/api/customer/me/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert world.api_b.get("/api/customer/me/").status_code == 200  # B has their own budget


def test_throttle_per_ip(world, settings):
    settings.CUSTOMER_THROTTLE_RATES = {**settings.CUSTOMER_THROTTLE_RATES,
                                        "customer_ip": "2/min"}
    assert world.api_a.get("/api/customer/me/", REMOTE_ADDR="10.2.2.2").status_code == 200
    assert world.api_b.get("/api/customer/me/", REMOTE_ADDR="10.2.2.2").status_code == 200
    response = world.api_a.get("/api/customer/me/", REMOTE_ADDR="10.2.2.2")
    assert response.status_code == 429 and response.json()["code"] == "throttled"
    assert world.api_a.get("/api/customer/me/", REMOTE_ADDR="10.2.2.3").status_code == 200


def test_list_query_count_is_constant(world, parcel, django_assert_max_num_queries):
    from tickets.models import CustomerShipment

    for i in range(6):
        parcel(f"SF14098217340{i:02d}", world.a.phone, [(1, "in_transit", "上海", "运输中")])
        parcel(f"YT70000000001{i:02d}", "13611112222", [(1, "in_transit", "广州", "运输中")],
               carrier="yto")
        CustomerShipment.objects.create(customer=world.a, number=f"YT70000000001{i:02d}")
    with django_assert_max_num_queries(8):
        rows = world.api_a.get("/api/customer/shipments/").json()["results"]
    assert len(rows) == 14
