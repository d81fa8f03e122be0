import pytest

from tests.factories import CategoryFactory


@pytest.fixture
def templates(setup):
    """The demo's ticket templates on damaged_parcel, complaint_service, change_delivery, claim
    (tickets/quality/demo.py), plus the categories the chatbot opens tickets in."""
    from tickets.quality import demo

    for code, priority in (("damaged_parcel", "P1"), ("complaint_service", "P2"),
                           ("change_delivery", "P2"), ("claim", "P2"), ("wrong_item", "P2"),
                           ("signed_not_received", "P1"), ("pickup", "P3")):
        setup.categories[code] = CategoryFactory(code=code, default_priority=priority)
    demo.seed_templates()
    return setup


def png(name="photo.png"):
    import base64

    from django.core.files.uploadedfile import SimpleUploadedFile

    data = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
                            "hQGAhKmMIQAAAABJRU5ErkJggg==")
    return SimpleUploadedFile(name, data, content_type="image/png")


def api(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client
