"""Demo routing data for `make run`: skills, a skill matrix for agent01…agent06, queue
settings, rules; then the waiting demo tickets are routed so decisions show in the console.

Runs after tickets.demo.seed_demo (its queues and agents). Idempotent: a second run changes
nothing (the routing pass runs only when the profiles are first created).
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from routing import roster
from routing.actions import check_route_ticket, do_refresh_performance
from routing.choices import AgentStatus, EscalationPolicy, SkillKind, StrategyCode
from routing.models import AgentProfile, AgentSkill, Queue, RoutingRule, Skill
from routing.selectors import waiting_tickets

SKILLS = [  # code, name, kind, match
    ("cat_lost_parcel", "丢件处理", SkillKind.CATEGORY, "lost_parcel"),
    ("cat_damaged_parcel", "破损理赔", SkillKind.CATEGORY, "damaged_parcel"),
    ("cat_urge_delivery", "催件/延误", SkillKind.CATEGORY, "urge_delivery"),
    ("cat_wrong_item", "错发漏发", SkillKind.CATEGORY, "wrong_item"),
    ("cat_signed_not_received", "签收未收到", SkillKind.CATEGORY, "signed_not_received"),
    ("cat_change_delivery", "改址改约", SkillKind.CATEGORY, "change_delivery"),
    ("cat_fee_dispute", "运费争议", SkillKind.CATEGORY, "fee_dispute"),
    ("cat_claim", "理赔进度", SkillKind.CATEGORY, "claim"),
    ("cat_complaint_service", "服务投诉", SkillKind.CATEGORY, "complaint_service"),
    ("cat_batch_incident", "批量异常", SkillKind.CATEGORY, "batch_incident"),
    ("carrier_sf", "顺丰", SkillKind.CARRIER, "sf"),
    ("carrier_yto", "圆通", SkillKind.CARRIER, "yto"),
    ("carrier_jd", "京东", SkillKind.CARRIER, "jd"),
    ("region_east", "华东（浙江）", SkillKind.REGION, "浙江"),
    ("region_shanghai", "上海", SkillKind.REGION, "上海"),
    ("region_south", "华南（广东）", SkillKind.REGION, "广东"),
    ("vip", "VIP 客户", SkillKind.SPECIAL, "vip"),
    ("elderly", "老年客户", SkillKind.SPECIAL, "elderly"),
    ("international", "国际件", SkillKind.SPECIAL, "international"),
    ("english", "英文服务", SkillKind.SPECIAL, "english"),
]

# username: team, status, capacity, regions, {skill: proficiency}
AGENTS = {
    "agent01": ("华东一组", AgentStatus.ONLINE, 3, ["浙江"], {
        "cat_lost_parcel": 5, "cat_urge_delivery": 4, "cat_complaint_service": 4,
        "carrier_sf": 5, "region_east": 5, "vip": 4, "elderly": 3}),
    "agent02": ("华东一组", AgentStatus.ONLINE, 3, ["广东", "浙江"], {
        "cat_damaged_parcel": 5, "cat_wrong_item": 4, "cat_urge_delivery": 3,
        "carrier_jd": 4, "region_south": 4, "vip": 5, "english": 3}),
    "agent03": ("费用组", AgentStatus.ONLINE, 3, ["上海"], {
        "cat_fee_dispute": 5, "cat_change_delivery": 4, "cat_signed_not_received": 3,
        "carrier_yto": 4, "region_shanghai": 5, "elderly": 4}),
    "agent04": ("费用组", AgentStatus.OFFLINE, 4, ["上海"], {
        "cat_fee_dispute": 4, "cat_claim": 5, "carrier_yto": 3, "region_shanghai": 4,
        "english": 4}),
    "agent05": ("专家组", AgentStatus.AWAY, 4, [], {
        "cat_signed_not_received": 5, "cat_lost_parcel": 4, "cat_damaged_parcel": 4,
        "cat_claim": 4, "vip": 5, "international": 4, "english": 5}),
    "agent06": ("专家组", AgentStatus.ONLINE, 2, [], {
        "cat_batch_incident": 5, "cat_signed_not_received": 4, "cat_urge_delivery": 4,
        "carrier_sf": 4, "international": 3, "elderly": 5}),
}

QUEUE_SETTINGS = {  # code: strategy, wait alert minutes, escalation policy
    "general": (StrategyCode.SKILLS_AND_LOAD, 15, EscalationPolicy.REASSIGN),
    "fee_dispute_a": (StrategyCode.SKILLS_AND_LOAD, 30, EscalationPolicy.SUPERVISOR),
    "expert_review": (StrategyCode.SKILLS_AND_LOAD, 10, EscalationPolicy.SUPERVISOR),
    "batch_incident": (StrategyCode.LEAST_LOADED, 5, EscalationPolicy.SUPERVISOR),
}

RULES = [  # order, name, conditions, queue, required skills, priority override, add tags
    (10, "批量异常 → 批量异常队列", {"categories": ["batch_incident"]}, "batch_incident",
     ["cat_batch_incident"], "P0", []),
    (20, "华东/上海运费争议 → 费用争议_A区",
     {"categories": ["fee_dispute"], "regions": ["上海", "浙江", "江苏"]}, "fee_dispute_a",
     ["cat_fee_dispute"], "", []),
    (30, "VIP 客户", {"customer_tags": ["vip"]}, None, ["vip"], "", ["vip"]),
    (40, "国际件（UPU 单号或关键词）", {"carriers": ["upu"]}, None, ["international"], "",
     ["international"]),
    (50, "国际件关键词", {"keywords": ["国际", "海关", "清关", "international"]}, None,
     ["international"], "", ["international"]),
    (60, "生鲜易腐加急", {"keywords": ["生鲜", "荔枝", "大闸蟹", "变质"]}, None, [], "P1",
     ["fresh"]),
    (1000, "兜底（保持原队列）", {}, None, [], "", []),
]


@transaction.atomic
def seed_configuration() -> bool:
    """Skills, queues' settings, rules, profiles and matrix. True when profiles were new."""
    skills = {}
    for code, name, kind, match in SKILLS:
        skills[code], _ = Skill.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "match": match})
    for code, (strategy, minutes, policy) in QUEUE_SETTINGS.items():
        Queue.objects.filter(code=code).update(strategy=strategy, wait_alert_minutes=minutes,
                                               escalation_policy=policy)
    if not RoutingRule.objects.exists():
        queues = {q.code: q for q in Queue.objects.all()}
        for order, name, conditions, queue, required, priority, tags in RULES:
            rule = RoutingRule.objects.create(
                name=name, order=order, queue=queues.get(queue) if queue else None,
                priority_override=priority, add_tags=tags, **conditions)
            rule.required_skills.set(skills[c] for c in required)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=AGENTS)}
    created_any = False
    now = timezone.now()
    for username, (team, status, capacity, regions, matrix) in AGENTS.items():
        if username not in users:
            continue
        profile, created = AgentProfile.objects.get_or_create(
            user=users[username], defaults={
                "team": team, "status": status, "capacity": capacity, "regions": regions,
                "status_changed_at": now,
                "last_online_at": now if status == AgentStatus.ONLINE else None})
        if created:
            created_any = True
            AgentSkill.objects.bulk_create(
                AgentSkill(profile=profile, skill=skills[code], proficiency=level)
                for code, level in matrix.items())
    roster.clear()  # bulk writes send no signals
    return created_any


def seed_routing() -> int:
    """Returns how many waiting demo tickets the routing pass assigned."""
    if not seed_configuration():
        return 0
    do_refresh_performance()
    assigned = 0
    queue_ids = Queue.objects.values_list("pk", flat=True)
    for ticket_id in list(waiting_tickets(queue_ids).filter(context__demo=True)
                          .values_list("pk", flat=True)):
        decision = check_route_ticket(ticket_id=ticket_id, trigger="created")
        assigned += bool(decision and decision.winner_id)
    return assigned
