"""A node without a trained NLU model answers 503 with a stable code, never a 500."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from chatbot.models import Message
from chatbot.nlu import pipeline
from tickets.actions import ensure_customer_user


@pytest.fixture
def no_model(settings, tmp_path):
    settings.NLU_MODEL_DIR = str(tmp_path / "empty")
    pipeline.reset()
    yield
    pipeline.reset()


@pytest.mark.django_db
def test_a_message_without_a_model_is_503_nlu_unavailable_and_not_kept(no_model, setup):
    customer = ensure_customer_user("13900002222")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=customer.user)}")
    session = client.post("/api/chat/sessions/", {}, format="json").json()["id"]
    before = Message.objects.count()
    response = client.post(f"/api/chat/sessions/{session}/messages/", {"text": "我的快递到哪了"},
                           format="json")
    assert response.status_code == 503
    assert response.json()["code"] == "nlu_unavailable"
    assert Message.objects.count() == before  # the client sends it again later
