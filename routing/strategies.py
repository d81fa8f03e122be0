"""Routing strategies: plug-ins that rank eligible candidates (HOUSE_STYLE.md, plug-ins).

A strategy sees plain Candidates (already filtered: online, in the queue, required skills,
free capacity) and returns them best first with a score. Ties always break by user id, so the
same input gives the same winner on every node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone


@dataclass
class Candidate:
    user_id: int
    username: str
    load: int
    capacity: int
    proficiency: float = 0.0  # mean 0–5 over the skills the ticket calls for
    performance: float = 0.5  # 0–1, AgentPerformance.score for the ticket's category
    region_match: bool = False
    last_assigned_at: datetime | None = None
    skills: dict[str, int] = field(default_factory=dict)

    @property
    def free(self) -> int:
        return self.capacity - self.load


@dataclass
class Scored:
    candidate: Candidate
    score: float

    def as_dict(self) -> dict:
        c = self.candidate
        return {"user_id": c.user_id, "username": c.username, "load": c.load,
                "capacity": c.capacity, "proficiency": round(c.proficiency, 3),
                "performance": round(c.performance, 3), "region_match": c.region_match,
                "last_assigned_at": c.last_assigned_at.isoformat() if c.last_assigned_at
                else None, "skills": dict(c.skills), "score": round(self.score, 4)}


class Strategy:
    code = ""

    def score(self, candidate: Candidate) -> float:
        raise NotImplementedError

    def rank(self, candidates: list[Candidate]) -> list[Scored]:
        scored = [Scored(c, self.score(c)) for c in candidates]
        scored.sort(key=lambda s: (-s.score, s.candidate.user_id))
        return scored


_registry: dict[str, type[Strategy]] = {}


def register_strategy(code: str):
    def decorator(cls: type[Strategy]) -> type[Strategy]:
        cls.code = code
        _registry[code] = cls
        return cls

    return decorator


def get_strategy(code: str) -> Strategy:
    """The strategy registered under `code`; the default one for an unknown code."""
    cls = _registry.get(code) or _registry[settings.ROUTING_DEFAULT_STRATEGY]
    return cls()


def strategy_codes() -> list[str]:
    return sorted(_registry)


@register_strategy("skills_and_load")
class SkillsAndLoad(Strategy):
    """Weighted sum: proficiency, learned performance on the category, spare capacity."""

    def __init__(self):
        self.weights = settings.ROUTING_WEIGHTS

    def score(self, c: Candidate) -> float:
        w = self.weights
        spare = 1 - c.load / c.capacity if c.capacity else 0.0
        return (w["proficiency"] * c.proficiency / 5 + w["performance"] * c.performance
                + w["load"] * spare + (w["region"] if c.region_match else 0.0))


@register_strategy("least_loaded")
class LeastLoaded(Strategy):
    def score(self, c: Candidate) -> float:
        return 1 - c.load / c.capacity if c.capacity else 0.0


@register_strategy("round_robin")
class RoundRobin(Strategy):
    """The agent idle longest since their last assignment goes next (never assigned: first).
    The score is the idle time in minutes (never assigned: NEVER_ASSIGNED)."""

    NEVER_ASSIGNED = 10.0**6

    def score(self, c: Candidate) -> float:
        if c.last_assigned_at is None:
            return self.NEVER_ASSIGNED
        return min((timezone.now() - c.last_assigned_at).total_seconds() / 60,
                   self.NEVER_ASSIGNED - 1)
