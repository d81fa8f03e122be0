"""config/effects.py: after-commit pushes and task scheduling."""

import pytest
from django.core.cache import cache

from config.effects import enqueue_once_on_commit


class _Task:
    def __init__(self, eager):
        self.app = type("App", (), {"conf": type("Conf", (), {"task_always_eager": eager})})()
        self.queued, self.ran = [], []

    def apply_async(self, *, kwargs, countdown):
        self.queued.append((kwargs, countdown))

    def run(self, **kwargs):
        self.ran.append(kwargs)


@pytest.mark.django_db
def test_a_burst_of_changes_queues_one_delayed_run_per_key(django_capture_on_commit_callbacks):
    cache.clear()
    task = _Task(eager=False)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            enqueue_once_on_commit(task, key="queue-figures:[1]", within=1.0, queue_ids=[1])
        enqueue_once_on_commit(task, key="queue-figures:[2]", within=1.0, queue_ids=[2])
    assert task.queued == [({"queue_ids": [1]}, 1.0), ({"queue_ids": [2]}, 1.0)]
    cache.delete("enqueue-once:queue-figures:[1]")  # the window has passed
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_once_on_commit(task, key="queue-figures:[1]", within=1.0, queue_ids=[1])
    assert len(task.queued) == 3


@pytest.mark.django_db
def test_eager_celery_runs_at_once_every_time(django_capture_on_commit_callbacks):
    task = _Task(eager=True)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_once_on_commit(task, key="k", within=1.0, queue_ids=[1])
        enqueue_once_on_commit(task, key="k", within=1.0, queue_ids=[1])
    assert task.ran == [{"queue_ids": [1]}, {"queue_ids": [1]}] and not task.queued
