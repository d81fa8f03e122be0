"""Default rows: detection settings, compensation templates, the P1 backlog alert rule and the
批量异常 queue that batch incidents go to (routing's table: created only when missing)."""

from django.db import migrations

TEMPLATES = [  # code, name, text
    ("coupon", "优惠券补偿", "为表歉意，我们将向您发放一张10元无门槛运费券，已放入您的账户。"),
    ("fee_waiver", "运费减免", "本次受影响快件的运费将予以减免，无需您额外操作。"),
    ("priority_claim", "生鲜优先理赔",
     "您的快件为生鲜易腐品，已为您开通优先理赔通道：如有变质损失，回复本短信或联系客服即可优先赔付。"),
]


def forwards(apps, schema_editor):
    Template = apps.get_model("analytics", "CompensationTemplate")
    Settings = apps.get_model("analytics", "AnomalySettings")
    Rule = apps.get_model("analytics", "BacklogAlertRule")
    Queue = apps.get_model("routing", "Queue")
    made = {}
    for code, name, text in TEMPLATES:
        made[code], _ = Template.objects.get_or_create(code=code,
                                                       defaults={"name": name, "text": text})
    Settings.objects.get_or_create(pk=1, defaults={
        "default_compensation": made["coupon"], "fresh_compensation": made["priority_claim"]})
    if not Rule.objects.exists():
        Rule.objects.create(name="P1 等待 > 5 → 主管", priorities=["P1"], threshold=5,
                            channel="wecom")
    if not Queue.objects.filter(code="batch_incident").exists():
        Queue.objects.create(code="batch_incident", name="批量异常",
                             description="批量异常事件（由异常检测自动创建）")


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("routing", "0002_profiles_rules_decisions"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
