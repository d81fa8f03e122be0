"""Agents' slowly-changing routing data, held per process: usernames, regions, the skill
matrix and learned performance. Status, capacity, queue membership and open loads are read
live on every decision (routing/selectors.py: candidate_list).

Held for ROUTING_RULES_TTL seconds and dropped at once when this process saves a profile, a
skill cell, a performance row or a user, or edits the matrix grid; another process sees an
edit within the TTL (like tickets/catalog.py). The beat task that learns performance clears
it in its own process only: decisions elsewhere pick new scores up within the TTL.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from config.snapshot import ProcessSnapshot
from routing.models import AgentPerformance, AgentProfile, AgentSkill


@dataclass(frozen=True)
class AgentCard:
    user_id: int
    username: str
    active: bool
    regions: tuple
    skills: dict  # skill id → proficiency 1–5


def _load() -> dict:
    skills: dict[int, dict[int, int]] = {}
    for profile_id, skill_id, level in AgentSkill.objects.values_list(
            "profile_id", "skill_id", "proficiency"):
        skills.setdefault(profile_id, {})[skill_id] = level
    cards = {}
    for pk, user_id, username, active, regions in AgentProfile.objects.values_list(
            "pk", "user_id", "user__username", "user__is_active", "regions"):
        cards[user_id] = AgentCard(user_id, username, active,
                                   tuple(r for r in regions or () if r), skills.get(pk, {}))
    performance = {(u, c): s for u, c, s in AgentPerformance.objects.values_list(
        "user_id", "category_id", "score")}
    return {"cards": cards, "performance": performance}


_snapshot = ProcessSnapshot(_load, ttl_setting="ROUTING_RULES_TTL")
_current = _snapshot.get
clear = _snapshot.clear


def snapshot() -> tuple[dict, dict]:
    """(cards by user id, performance by (user id, category id)) as held now."""
    current = _current()
    return current["cards"], current["performance"]


def card(user_id: int) -> AgentCard | None:
    found = _current()["cards"].get(user_id)
    if found is None:  # a profile created after the snapshot
        clear()
        found = _current()["cards"].get(user_id)
    return found


def performance(user_id: int, category_id: int | None) -> float | None:
    return _current()["performance"].get((user_id, category_id))


# Fields of each model the cards hold; a save that names only other fields (a profile's status
# or last_assigned_at, a user's last_login) leaves the snapshot as it is.
_CARD_FIELDS = {AgentProfile: {"regions", "user"}, get_user_model(): {"username", "is_active"}}


def _on_save(sender, update_fields=None, **kwargs) -> None:
    watched = _CARD_FIELDS.get(sender)
    if update_fields is not None and watched is not None and not watched & set(update_fields):
        return
    clear()


for _model in (AgentProfile, AgentSkill, AgentPerformance, get_user_model()):
    post_save.connect(_on_save, sender=_model,
                      dispatch_uid=f"routing-roster-save-{_model.__name__}")
    post_delete.connect(clear, sender=_model,
                        dispatch_uid=f"routing-roster-delete-{_model.__name__}")
