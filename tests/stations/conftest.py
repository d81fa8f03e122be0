import pytest
from rest_framework.test import APIClient


@pytest.fixture
def stations(setup):
    """Two stations (Hangzhou Xihu, Shenzhen Nanshan) with staff, a courier and a manager."""
    from datetime import time

    from stations.actions import do_set_membership
    from stations.models import Station
    from tests.factories import CategoryFactory, QueueFactory, UserFactory

    CategoryFactory(code="change_delivery", default_priority="P2")
    QueueFactory(code="address_checks")
    manager = UserFactory(username="manager01")
    xihu = Station.objects.create(
        code="HZ-XH-01", name="杭州西湖文三路网点", carrier="sf", province="浙江省",
        city="杭州市", district="西湖区", latitude=30.2806, longitude=120.1302,
        opens_at=time(0), closes_at=time(0), capacity=5, manager=manager)
    nanshan = Station.objects.create(
        code="SZ-NS-01", name="深圳南山科技园网点", carrier="sf", province="广东省",
        city="深圳市", district="南山区", latitude=22.5405, longitude=113.9344,
        opens_at=time(0), closes_at=time(0), capacity=5)

    class S:
        pass

    s = S()
    s.setup, s.xihu, s.nanshan, s.manager = setup, xihu, nanshan, manager
    s.staff = UserFactory(username="station01")
    do_set_membership(s.staff, station=xihu, role="staff")
    s.courier = UserFactory(username="courier01")
    do_set_membership(s.courier, station=xihu, role="courier", phone="13900000001")
    s.other_staff = UserFactory(username="station02")
    do_set_membership(s.other_staff, station=nanshan, role="staff")
    return s


@pytest.fixture
def lost_ticket(stations, parcel):
    """A lost-parcel ticket whose parcel was last scanned out for delivery at the Xihu station."""
    from tests.factories import make_ticket

    parcel("SF1409821733526", "13800138000", [
        (30, "picked_up", "上海青浦", "已揽收"),
        (20, "arrived_at_hub", "杭州转运中心", "到达杭州转运中心"),
        (5, "out_for_delivery", "杭州西湖文三路网点", "派件中"),
    ])
    return make_ticket(stations.setup, user=stations.setup.supervisor)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
