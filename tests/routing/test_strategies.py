from datetime import timedelta

import pytest
from django.utils import timezone

from routing.strategies import Candidate, Strategy, get_strategy, register_strategy


def c(uid, **kw):
    return Candidate(user_id=uid, username=f"u{uid}", load=kw.pop("load", 0),
                     capacity=kw.pop("capacity", 4), **kw)


def test_skills_and_load_weighs_proficiency_performance_and_load():
    ranked = get_strategy("skills_and_load").rank([
        c(1, proficiency=2, performance=0.5), c(2, proficiency=5, performance=0.5),
        c(3, proficiency=5, performance=0.9, load=3)])
    assert [s.candidate.user_id for s in ranked] == [2, 3, 1]


def test_least_loaded_and_deterministic_tie_break():
    ranked = get_strategy("least_loaded").rank([c(3, load=1), c(2, load=1), c(1, load=2)])
    assert [s.candidate.user_id for s in ranked] == [2, 3, 1]


def test_round_robin_takes_the_longest_idle_first():
    now = timezone.now()
    ranked = get_strategy("round_robin").rank([
        c(1, last_assigned_at=now - timedelta(minutes=1)),
        c(2, last_assigned_at=now - timedelta(minutes=9)), c(3)])
    assert [s.candidate.user_id for s in ranked] == [3, 2, 1]


@pytest.mark.django_db
def test_registry_plug_in_and_default_for_unknown_codes():
    @register_strategy("test_lowest_id")
    class LowestId(Strategy):
        def score(self, candidate):
            return -candidate.user_id

    assert get_strategy("test_lowest_id").code == "test_lowest_id"
    assert get_strategy("no-such-strategy").code == "skills_and_load"
