import pytest
from asgiref.sync import async_to_sync


@pytest.fixture
def run():
    """run(async_fn): drives one async scenario to the end on a fresh event loop; database
    calls from the consumer come back to this thread (thread-sensitive), inside the test's
    transaction."""
    return lambda fn: async_to_sync(fn)()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """commit(fn, *args, **kwargs): runs an action and its after-commit effects (the pushes)."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """Channels closes "old" connections around each database_sync_to_async call; inside the
    test's transaction that would close the test's own connection (PostgreSQL)."""
    import channels.db

    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)
