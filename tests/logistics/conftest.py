import pytest

from tests.factories.logistics import (
    AFTERSHIP_SECRET,
    KDNIAO_APP_KEY,
    KUAIDI100_SALT,
    SF_TOKEN,
    TRACK17_KEY,
)


@pytest.fixture(autouse=True)
def _logistics_keys(settings):
    """Test keys for every source; memoised ops tables start empty for each test."""
    from logistics.actions.derive import clear_caches

    settings.KUAIDI100_SALT = KUAIDI100_SALT
    settings.KDNIAO_APP_KEY = KDNIAO_APP_KEY
    settings.TRACK17_SECURITY_KEY = TRACK17_KEY
    settings.AFTERSHIP_WEBHOOK_SECRET = AFTERSHIP_SECRET
    settings.SF_CHECKWORD = ""
    settings.SF_WEBHOOK_TOKEN = SF_TOKEN
    settings.DEBUG = False
    clear_caches()
    yield
    clear_caches()
