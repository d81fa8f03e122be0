import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_index():
    from knowledge import search

    search.reset()
    yield
    search.reset()


@pytest.fixture
def kb(db):
    """The demo knowledge base (43 articles, 4 macros), published."""
    from knowledge.demo import seed_knowledge

    seed_knowledge()


@pytest.fixture
def api():
    def client_for(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
        return client

    return client_for


@pytest.fixture
def ops(roles):
    from tests.factories import UserFactory

    return UserFactory(username="ops01", roles=["ops"])


@pytest.fixture
def customer(roles):
    from tickets.actions import ensure_customer_user

    return ensure_customer_user("13900001111", name="钱女士")
