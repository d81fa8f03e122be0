"""Demo configuration of ticket templates and quality review (seed 002 场景化模板, seed 003
质检团队抽检). Idempotent: rows are matched by their natural keys and never overwritten, so
ops' edits survive a second seed_demo."""

from tickets.models import Category, ForbiddenPhrase, SamplingPolicy, TemplateField

# category code → [(code, label, kind, required, choices, prompt)]; GROUPS: one of them
GROUPS = {("change_delivery", "new_address"): "change", ("change_delivery", "new_time"): "change",
          ("change_delivery", "pickup_point"): "change"}
TEMPLATES = {
    "damaged_parcel": [
        ("goods_value", "商品价值（元）", "money", True, [], "请问破损或变质商品的价值是多少元？"),
        ("photo", "破损照片", "evidence", True, [], ""),
    ],
    "complaint_service": [
        ("complaint_level", "投诉等级", "choice", True, ["一般", "严重", "非常严重"],
         "请问这次投诉的严重程度是：一般、严重，还是非常严重？"),
        ("expected_solution", "期望解决方案", "text", True, [],
         "您希望我们怎么处理？例如道歉、重新派送或赔偿。"),
    ],
    "change_delivery": [  # one of the three (group "change")
        ("new_address", "新收货地址", "address", True, [],
         "请告诉我新的收货地址、希望的派送时间，或是否改为驿站/快递柜自提。"),
        ("new_time", "新的派送时间", "time", True, [], "请问希望什么时间派送？"),
        ("pickup_point", "自提点/其他要求", "text", True, [], "请问改到哪个驿站或快递柜自提？"),
    ],
    "claim": [
        ("claim_amount", "申请赔付金额（元）", "money", True, [], "请问您申请赔付多少元？"),
        ("proof", "价值凭证（发票/订单截图）", "evidence", False, [], ""),
    ],
    "wrong_item": [
        ("received_item", "实际收到的物品", "text", False, [], "请问您实际收到的是什么？"),
        ("photo", "收到物品的照片", "evidence", True, [], ""),
    ],
    "lost_parcel": [
        ("goods_value", "商品价值（元）", "money", False, [], "请问丢失的商品价值是多少元？"),
    ],
    "fee_dispute": [
        ("quoted_fee", "下单报价（元）", "money", False, [], "请问下单时的报价是多少元？"),
        ("charged_fee", "实际收费（元）", "money", False, [], "请问实际收了多少元？"),
    ],
}
# Answers about fees and claims must follow the published rules: cite the article.
KB_REQUIRED = ("fee_dispute", "claim")

PHRASES = [  # ops-editable list of promises agents must not make
    ("保证", "不得做出保证性承诺"), ("百分百", ""), ("100%", ""), ("绝对", ""), ("包赔", ""),
    ("一定 赔", "赔付以核实结果为准"), ("肯定 赔", ""), ("全额 赔付", "保价规则决定赔付金额"),
    ("一定 送到", "派送时间以网点为准"), ("马上 到账", "退款时效以财务流程为准"),
]

POLICIES = [  # name, order, rate %, conditions (seed 003: 质检团队抽检)
    ("新人全检", 10, 100, {"new_agent_tickets": 20}),
    ("二次投诉必检", 20, 100, {"reopened": True}),
    ("P0/P1 重点抽检", 30, 50, {"priorities": ["P0", "P1"]}),
    ("理赔/破损类抽检", 40, 50, {"categories": ["damaged_parcel", "claim", "lost_parcel"]}),
    ("低满意度坐席加抽", 50, 60, {"agent_csat_below": 3.5}),
    ("质检团队抽检（基础）", 100, 10, {}),
]


def seed_templates() -> int:
    created = 0
    categories = {c.code: c for c in Category.objects.filter(code__in=TEMPLATES)}
    for code, rows in TEMPLATES.items():
        category = categories.get(code)
        if category is None:
            continue
        for order, (field, label, kind, required, choices, prompt) in enumerate(rows):
            _row, made = TemplateField.objects.get_or_create(
                category=category, code=field,
                defaults={"label": label, "kind": kind, "required": required,
                          "choices": choices, "prompt": prompt, "sort_order": order,
                          "group": GROUPS.get((code, field), "")})
            created += made
    Category.objects.filter(code__in=KB_REQUIRED, requires_kb_reference=False).update(
        requires_kb_reference=True)
    return created


def seed_quality() -> int:
    """Forbidden promises and sampling policies; run after the demo tickets exist (they were
    reviewed by hand, as the demo shows them)."""
    created = 0
    for phrase, note in PHRASES:
        created += ForbiddenPhrase.objects.get_or_create(phrase=phrase,
                                                         defaults={"note": note})[1]
    for name, order, rate, conditions in POLICIES:
        created += SamplingPolicy.objects.get_or_create(
            name=name, defaults={"order": order, "rate": rate, **conditions})[1]
    return created
