"""Demo data for `make run`: people, queues, categories, SLA policies and tickets in every state.

History is produced by the real actions, run at past instants (time travel), so every ticket's
audit trail, deadlines and breaches are what the system itself would have recorded.
"""

from datetime import timedelta

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from routing.models import Queue
from tickets import actions
from tickets.models import Category, Customer, SlaPolicy, Ticket
from tickets.roles import Role, system_user

PASSWORD = "parceldesk-demo"

CATEGORIES = [  # code, name, default priority
    ("lost_parcel", "丢件", "P1"),
    ("damaged_parcel", "破损/变质", "P1"),
    ("urge_delivery", "催件/延误", "P1"),
    ("wrong_item", "错发/漏发/空包", "P2"),
    ("signed_not_received", "显示签收未收到", "P1"),
    ("change_delivery", "改地址/改约/改自提", "P2"),
    ("fee_dispute", "运费/费用争议", "P2"),
    ("claim", "理赔/赔付", "P2"),
    ("complaint_service", "服务投诉", "P2"),
    ("pickup", "寄件/预约取件", "P3"),
    ("batch_incident", "批量异常", "P0"),
    ("other", "其他", "P3"),
]

SLA = [  # name, priority, category code or None, response minutes, resolve minutes
    ("P0 重大/批量异常", "P0", None, 10, 60),
    ("P1 紧急", "P1", None, 15, 120),
    ("P2 普通", "P2", None, 30, 240),
    ("P3 咨询", "P3", None, 120, 1440),
    ("P1 订单超时未派送", "P1", "urge_delivery", 15, 120),
    ("P2 费用计算疑问", "P2", "fee_dispute", 30, 240),
    ("P1 丢件核实（需网点反馈）", "P1", "lost_parcel", 15, 480),
]

STAFF = [  # username, name, role
    ("agent01", "王芳"), ("agent02", "李娜"), ("agent03", "张伟"),
    ("agent04", "刘洋"), ("agent05", "陈静"), ("agent06", "杨磊"),
]

QUEUES = [  # code, name, members, default
    ("general", "综合服务", ["agent01", "agent02", "agent03", "agent04", "agent05", "agent06"],
     True),
    ("fee_dispute_a", "费用争议_A区", ["agent03", "agent04"], False),
    ("expert_review", "专家复核", ["agent05", "agent06"], False),
    ("batch_incident", "批量异常", ["agent06"], False),
]

CUSTOMERS = [  # phone, name, tags
    ("13800000001", "赵先生", []), ("13800000002", "钱女士", ["vip"]),
    ("13800000003", "孙阿姨", ["elderly"]), ("13800000004", "李先生", []),
    ("13800000005", "周女士", []), ("13800000006", "吴先生", ["vip"]),
    ("13800000007", "郑女士", []), ("13800000008", "王大爷", ["elderly"]),
    ("13800000009", "冯先生", []), ("13800000010", "陈女士", []),
]

# title, category, customer index, waybill, region, target state, extra
TICKETS = [
    ("快递卡在杭州中转场3天没有更新", "urge_delivery", 0, "SF1409821733526",
     "浙江省杭州市西湖区", "received", {}),
    ("生鲜荔枝延误两天，担心变质", "urge_delivery", 1, "JDVA20261120001",
     "广东省深圳市南山区", "received", {"hours_ago": 5}),
    ("到付运费比下单时报价高了20元", "fee_dispute", 3, "YT7512345678901",
     "上海市浦东新区", "received", {"queue": "fee_dispute_a"}),
    ("显示已签收但本人没有收到", "signed_not_received", 4, "75312345678901",
     "江苏省南京市鼓楼区", "received", {"hours_ago": 3}),
    ("预约明天上午上门取件", "pickup", 6, "", "北京市朝阳区", "received", {}),
    ("包裹丢失，申请核实并理赔", "lost_parcel", 2, "4312345678901",
     "四川省成都市武侯区", "assigned", {"agent": "agent01"}),
    ("收到的商品与订单不符（错发）", "wrong_item", 5, "JT0001234567890",
     "湖北省武汉市洪山区", "assigned", {"agent": "agent02"}),
    ("要求改派到公司地址", "change_delivery", 7, "SF1409821733600",
     "浙江省宁波市鄞州区", "assigned", {"agent": "agent03", "hours_ago": 2,
                                       "form": {"new_address": "宁波市鄞州区公司前台"}}),
    ("快递员态度恶劣，不送货上门", "complaint_service", 8, "77312345678901",
     "广东省广州市天河区", "processing",
     {"agent": "agent01", "form": {"complaint_level": "严重",
                                   "expected_solution": "快递员道歉，以后按约送货上门"}}),
    ("大闸蟹到货已死，外包装破损", "damaged_parcel", 1, "SF1409821733700",
     "江苏省苏州市工业园区", "processing", {"agent": "agent02", "form": {"goods_value": 398}}),
    ("保价理赔进度咨询", "claim", 9, "EA123456785CN", "上海市徐汇区", "processing",
     {"agent": "agent04", "form": {"claim_amount": 2000}}),
    ("偏远附加费收取有疑问", "fee_dispute", 3, "YT7512345678955", "新疆乌鲁木齐市天山区",
     "processing", {"agent": "agent03", "queue": "fee_dispute_a", "hours_ago": 6}),
    ("驿站拒绝代收，要求改自提点", "change_delivery", 6, "46312345678901",
     "北京市海淀区", "review",
     {"agent": "agent05", "form": {"pickup_point": "改为小区丰巢快递柜自提"}}),
    ("空包裹，只收到外箱", "wrong_item", 4, "75312345678999", "江苏省无锡市梁溪区", "review",
     {"agent": "agent06"}),
    ("包裹显示派送中但一直没到", "urge_delivery", 0, "SF1409821733811", "浙江省杭州市余杭区",
     "closed", {"agent": "agent01", "csat": 5}),
    ("运费退差价", "fee_dispute", 5, "YT7512345678977", "上海市静安区", "closed",
     {"agent": "agent04", "queue": "fee_dispute_a", "csat": 4}),
    ("快递柜取件码收不到", "other", 7, "JDVA20261120055", "浙江省宁波市海曙区", "closed",
     {"agent": "agent02"}),
    ("易碎品玻璃杯破损", "damaged_parcel", 9, "77312345678922", "广东省佛山市南海区", "closed",
     {"agent": "agent05", "csat": 2, "form": {"goods_value": 120}, "photo": True}),
    ("签收未收到，二次投诉", "signed_not_received", 2, "4312345678977", "四川省成都市锦江区",
     "reopened", {"agent": "agent06"}),
    ("退回件一直没有退回到寄件人", "other", 8, "JT0001234567999", "湖北省武汉市江汉区",
     "rejected", {"agent": "agent03"}),
]


def _user(username, *, first_name="", role=None, superuser=False):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "is_staff": bool(superuser),
                                     "is_superuser": superuser})
    if created:
        user.set_password(PASSWORD)
        user.save()
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def seed_people():
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    system_user()
    people = {username: _user(username, first_name=name, role=Role.AGENT)
              for username, name in STAFF}
    people["reviewer01"] = _user("reviewer01", first_name="质检-周敏", role=Role.REVIEWER)
    people["supervisor01"] = _user("supervisor01", first_name="主管-黄强", role=Role.SUPERVISOR)
    people["ops01"] = _user("ops01", first_name="运营-林晓", role=Role.OPS, superuser=True)
    for username in ("reviewer01", "supervisor01"):
        user = people[username]
        if not user.is_staff:
            user.is_staff = True  # may open admin to read; permissions stay with ops
            user.save(update_fields=["is_staff"])
    return people


def seed_configuration(people):
    categories = {}
    for index, (code, name, priority) in enumerate(CATEGORIES):
        categories[code], _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "default_priority": priority,
                                 "sort_order": index})
    from tickets.quality.demo import seed_templates

    seed_templates()  # ticket templates of the demo categories (seed 002 场景化模板)
    for name, priority, category, response, resolve in SLA:
        SlaPolicy.objects.get_or_create(
            priority=priority, category=categories[category] if category else None,
            defaults={"name": name, "response_minutes": response, "resolve_minutes": resolve})
    for code, name, members, default in QUEUES:
        queue, _ = Queue.objects.get_or_create(code=code, defaults={"name": name,
                                                                    "is_default": default})
        queue.members.add(*(people[m] for m in members))
    customers = []
    for phone, name, tags in CUSTOMERS:
        customer = actions.get_or_create_customer(phone, name=name, tags=tags)
        if customer.user_id is None:
            user = _user(f"customer_{phone}", role=Role.CUSTOMER)
            user.set_unusable_password()
            user.save()
            Customer.objects.filter(pk=customer.pk).update(user=user)
            customer.refresh_from_db()
        customers.append(customer)
    return customers


def _demo_photo():
    """A tiny valid PNG standing in for the customer's photo of the damage."""
    import base64

    from django.core.files.uploadedfile import SimpleUploadedFile

    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
                           "hQGAhKmMIQAAAABJRU5ErkJggg==")
    return SimpleUploadedFile("破损照片.png", png, content_type="image/png")


def _at(moment):
    return time_machine.travel(moment, tick=False)


def seed_tickets(people, customers):
    if Ticket.objects.filter(context__demo=True).exists():
        return 0
    supervisor, reviewer = people["supervisor01"], people["reviewer01"]
    now = timezone.now()
    for index, (title, category, cust, waybill, region, target, extra) in enumerate(TICKETS):
        start = now - timedelta(hours=extra.get("hours_ago", 0), minutes=12 + 6 * index)
        if target in ("closed", "rejected", "reopened"):
            start -= timedelta(days=1)
        customer = customers[cust]
        with _at(start):
            ticket = actions.check_create_ticket(
                user=supervisor, title=title, category_code=category,
                description=f"客户{customer.name}反映：{title}。", channel="chatbot",
                customer_phone=customer.phone, waybills=[waybill] if waybill else [],
                region=region, queue_code=extra.get("queue"), form_values=extra.get("form"),
                context={"demo": True, "handoff": {"用户诉求": title, "已触发": "转人工",
                                                   "补充信息": f"运单 {waybill}" if waybill
                                                   else ""}})
        if target == "received":
            continue
        agent = people[extra["agent"]]
        steps = [("assign", supervisor, {"assignee_id": agent.pk})]
        if target != "assigned":
            steps.append(("start", agent, {}))
        if target in ("review", "closed", "reopened", "rejected"):
            steps.append(("submit_review", agent, {"note": "已联系网点核实并处理，附处理凭证。"}))
            if extra.get("photo"):  # evidence the damaged_parcel template asks for
                steps.insert(-1, ("photo", agent, {}))
        if target in ("closed", "reopened"):
            steps.append(("approve", reviewer, {"note": "处理规范，同意结案。"}))
        if target == "rejected":
            steps.append(("reject", reviewer, {"reason": "未附网点反馈凭证，请补充后重新提交。"}))
        if target == "reopened":
            steps.append(("reopen", supervisor, {"reason": "客户二次投诉：仍未收到包裹。"}))
        for offset, (name, user, kwargs) in enumerate(steps, start=1):
            with _at(start + timedelta(minutes=9 * offset)):
                if name == "photo":
                    actions.check_add_attachment(user=user, ticket_id=ticket.pk,
                                                 upload=_demo_photo(), evidence_for="photo")
                    continue
                actions.TRANSITION_ACTIONS[name](user=user, ticket_id=ticket.pk, **kwargs)
                if name == "start":
                    actions.check_add_comment(user=agent, ticket_id=ticket.pk,
                                              body="您好，已收到您的反馈，正在为您核实。",
                                              visibility="public")
        if "csat" in extra:
            with _at(start + timedelta(hours=1)):
                actions.check_answer_csat(user=customer.user, ticket_id=ticket.pk,
                                          score=extra["csat"], comment="处理及时")
    # Breaches are detected by the same check Celery beat runs each minute.
    actions.record_sla_breaches()
    return len(TICKETS)


@transaction.atomic
def seed_demo():
    people = seed_people()
    customers = seed_configuration(people)
    return seed_tickets(people, customers)
