from datetime import timedelta

import pytest
from django.utils import timezone

from chatbot.nlu import model, pipeline


@pytest.fixture(scope="session")
def nlu_model(tmp_path_factory):
    """One small model for the chatbot tests (2 NER epochs: the pipeline, not its quality)."""
    from django.conf import settings

    old = settings.NLU_MODEL_DIR
    settings.NLU_MODEL_DIR = str(tmp_path_factory.mktemp("nlu"))
    pipeline.reset()
    path = model.train(seed=1, ner_epochs=2, log=lambda *_: None)
    yield path
    settings.NLU_MODEL_DIR = old
    pipeline.reset()


@pytest.fixture
def parcel(db):
    """parcel(number, phone, steps=[(hours_ago, status, location, description)], goods=())
    → a shipment stored through logistics' own actions, stalls detected."""
    from logistics import actions as logistics
    from logistics.adapters.base import TrackingEvent, TrackingUpdate
    from tickets.roles import system_user

    def make(number, phone, steps, *, goods=(), carrier="sf"):
        shipment, _ = logistics.check_register_shipment(
            acting_user=system_user(), tracking_number=number, carrier=carrier,
            recipient_phone=phone, origin="上海", destination="杭州", goods=goods)
        now = timezone.now()
        events = [TrackingEvent(time=now - timedelta(hours=h), status=status, location=place,
                                description=text) for h, status, place, text in steps]
        logistics.do_store_update(TrackingUpdate(tracking_number=number, carrier=carrier,
                                                 events=events), source="test")
        logistics.detect_stalls()
        shipment.refresh_from_db()
        return shipment

    return make
