"""Sampling policies (质检抽检): at submit_review, does a reviewer see this ticket, or does the
system approve it?

In this order:
1. automatic checks found something in this submission → review (never approved unseen);
2. the ticket was rejected before in this cycle (退回重处理) → review again;
3. the active policies whose conditions all hold; the highest rate decides (ties: `order`,
   then id): review when the ticket's draw is below the rate, else approve automatically
   naming that policy;
4. no policy matches → review (QUALITY_REVIEW_WHEN_NO_POLICY).

The draw is a hash of the ticket number, its submission round and the policy, not a random
number: the same ticket always gets the same answer (tests, re-runs, several nodes), and over
many tickets the share sent to review is the rate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Avg
from django.utils import timezone

from tickets.choices import Status
from tickets.models import CsatSurvey, SamplingPolicy, Ticket


@dataclass
class Decision:
    review: bool
    reason: str  # findings, resubmission, policy, no_policy
    policy_id: int | None = None
    policy_name: str = ""
    rate: int | None = None
    draw: float | None = None

    def as_dict(self) -> dict:
        return {"review": self.review, "reason": self.reason, "policy_id": self.policy_id,
                "policy": self.policy_name, "rate": self.rate,
                "draw": None if self.draw is None else round(self.draw, 4)}


def draw(number: str, round_: int, policy_id: int, salt: str | None = None) -> float:
    """A number in [0, 1) fixed by the ticket, its submission round and the policy."""
    salt = settings.QUALITY_SAMPLING_SALT if salt is None else salt
    digest = hashlib.sha256(f"{salt}:{number}:{round_}:{policy_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class AgentFacts:
    """What the agent conditions need, each read once and only when a policy asks."""

    def __init__(self, agent):
        self.agent = agent
        self._closed = self._csat = None

    @property
    def closed(self) -> int:
        if self._closed is None:
            self._closed = Ticket.objects.filter(owner=self.agent, status=Status.CLOSED,
                                                 merged_into__isnull=True).count()
        return self._closed

    @property
    def csat(self) -> float | None:
        if self._csat is None:
            since = timezone.now() - timedelta(days=settings.QUALITY_CSAT_DAYS)
            self._csat = (CsatSurvey.objects.filter(
                ticket__owner=self.agent, score__isnull=False, answered_at__gte=since)
                .aggregate(avg=Avg("score"))["avg"], )
        return self._csat[0]

    def joined_within(self, days: int) -> bool:
        joined = getattr(self.agent, "date_joined", None)
        return joined is not None and joined >= timezone.now() - timedelta(days=days)


def matches(policy: SamplingPolicy, ticket: Ticket, facts: AgentFacts, agent_ids) -> bool:
    if policy.categories and ticket.category.code not in policy.categories:
        return False
    if policy.priorities and ticket.priority not in policy.priorities:
        return False
    if policy.reopened and not ticket.reopen_count:
        return False
    if agent_ids is not None and (facts.agent is None or facts.agent.pk not in agent_ids):
        return False
    new_rules = [r for r in (policy.new_agent_tickets, policy.new_agent_days) if r is not None]
    if new_rules:
        if facts.agent is None:
            return False
        new = ((policy.new_agent_tickets is not None
                and facts.closed < policy.new_agent_tickets)
               or (policy.new_agent_days is not None
                   and facts.joined_within(policy.new_agent_days)))
        if not new:
            return False
    if policy.agent_csat_below is not None:
        if facts.agent is None or facts.csat is None or facts.csat >= policy.agent_csat_below:
            return False
    return True


def decide(ticket: Ticket, *, agent, findings: int, resubmitted: bool) -> Decision:
    """Caller holds the ticket's row lock; `ticket.review_round` is this submission's."""
    if findings:
        return Decision(True, "findings")
    if resubmitted:
        return Decision(True, "resubmission")
    facts = AgentFacts(agent)
    best = None
    for policy in SamplingPolicy.objects.filter(active=True).prefetch_related("agents"):
        agent_ids = {u.pk for u in policy.agents.all()} or None
        if not matches(policy, ticket, facts, agent_ids):
            continue
        if best is None or policy.rate > best.rate:
            best = policy  # ordered by order, id: the first of equal rates stays
    if best is None:
        return Decision(settings.QUALITY_REVIEW_WHEN_NO_POLICY, "no_policy")
    value = draw(ticket.number, ticket.review_round, best.pk)
    return Decision(value < best.rate / 100, "policy", best.pk, best.name, best.rate, value)
