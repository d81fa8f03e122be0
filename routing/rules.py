"""Routing rules and skills, compiled once per process and matched in Python (no eval).

Held for ROUTING_RULES_TTL seconds and dropped at once when this process saves a rule, a skill
or a rule's required skills; another process sees an admin edit within the TTL (like
tickets/catalog.py). Matching semantics are in routing/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models.signals import m2m_changed, post_delete, post_save

from config.snapshot import ProcessSnapshot
from routing.choices import SkillKind
from routing.models import RoutingRule, Skill


@dataclass(frozen=True)
class TicketFacts:
    category: str
    priority: str
    region: str = ""
    channel: str = ""
    customer_tags: frozenset = frozenset()
    carriers: frozenset = frozenset()
    text: str = ""  # title + description, case-folded
    tags: frozenset = frozenset()


@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    categories: frozenset
    priorities: frozenset
    regions: tuple
    channels: frozenset
    customer_tags: frozenset
    carriers: frozenset
    keywords: tuple
    queue_id: int | None
    required_skill_ids: tuple
    priority_override: str
    add_tags: tuple

    def matches(self, f: TicketFacts) -> bool:
        return ((not self.categories or f.category in self.categories)
                and (not self.priorities or f.priority in self.priorities)
                and (not self.regions or any(r in f.region for r in self.regions))
                and (not self.channels or f.channel in self.channels)
                and (not self.customer_tags or bool(self.customer_tags & f.customer_tags))
                and (not self.carriers or bool(self.carriers & f.carriers))
                and (not self.keywords or any(k in f.text for k in self.keywords)))


@dataclass(frozen=True)
class CompiledSkill:
    id: int
    code: str
    kind: str
    match: str

    def applies(self, f: TicketFacts) -> bool:
        if self.kind == SkillKind.CATEGORY:
            return f.category == self.match
        if self.kind == SkillKind.CARRIER:
            return self.match in f.carriers
        if self.kind == SkillKind.REGION:
            return bool(self.match) and self.match in f.region
        return self.match in f.customer_tags or self.match in f.tags or (
            bool(self.match) and self.match.casefold() in f.text)


@dataclass
class Match:
    rule: CompiledRule | None
    skill_ids: tuple = ()  # what the ticket calls for: required first, then relevant
    required_ids: tuple = ()
    extra: dict = field(default_factory=dict)


def _strings(values) -> tuple:
    return tuple(str(v).strip() for v in values or () if str(v).strip())


def _load() -> dict:
    required: dict[int, list[int]] = {}
    for rule_id, skill_id in RoutingRule.required_skills.through.objects.values_list(
            "routingrule_id", "skill_id"):
        required.setdefault(rule_id, []).append(skill_id)
    rules = [CompiledRule(
        id=r.pk, name=r.name, categories=frozenset(_strings(r.categories)),
        priorities=frozenset(_strings(r.priorities)), regions=_strings(r.regions),
        channels=frozenset(_strings(r.channels)),
        customer_tags=frozenset(_strings(r.customer_tags)),
        carriers=frozenset(c.lower() for c in _strings(r.carriers)),
        keywords=tuple(k.casefold() for k in _strings(r.keywords)), queue_id=r.queue_id,
        required_skill_ids=tuple(sorted(required.get(r.pk, ()))),
        priority_override=r.priority_override, add_tags=_strings(r.add_tags),
    ) for r in RoutingRule.objects.filter(active=True).order_by("order", "id")]
    skills = [CompiledSkill(s.pk, s.code, s.kind, s.match.strip())
              for s in Skill.objects.order_by("id")]
    from tickets.models import Category

    return {"rules": rules, "skills": skills,
            "categories": dict(Category.objects.values_list("id", "code")),
            "needs_carriers": any(r.carriers for r in rules)
            or any(s.kind == SkillKind.CARRIER for s in skills)}


_snapshot = ProcessSnapshot(_load, ttl_setting="ROUTING_RULES_TTL")
_current = _snapshot.get
clear = _snapshot.clear


def needs_carriers() -> bool:
    return _current()["needs_carriers"]


def category_code(category_id: int) -> str:
    code = _current()["categories"].get(category_id)
    if code is None:  # a category created after the snapshot
        clear()
        code = _current()["categories"].get(category_id, "")
    return code


def match(facts: TicketFacts) -> Match:
    """The first active rule (by order, then id) whose conditions all hold, and the skills
    the ticket calls for: the rule's required skills plus every skill that applies."""
    snapshot = _current()
    rule = next((r for r in snapshot["rules"] if r.matches(facts)), None)
    required = rule.required_skill_ids if rule else ()
    relevant = [s.id for s in snapshot["skills"] if s.applies(facts) and s.id not in required]
    return Match(rule=rule, skill_ids=(*required, *relevant), required_ids=required)


def skill_codes() -> dict[int, str]:
    return {s.id: s.code for s in _current()["skills"]}


for _model in (RoutingRule, Skill):
    post_save.connect(clear, sender=_model, dispatch_uid=f"routing-rules-save-{_model.__name__}")
    post_delete.connect(clear, sender=_model,
                        dispatch_uid=f"routing-rules-delete-{_model.__name__}")
m2m_changed.connect(clear, sender=RoutingRule.required_skills.through,
                    dispatch_uid="routing-rules-required-skills")
