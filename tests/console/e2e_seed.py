"""The small world the browser test and the multi-node test run against, in a database of
their own (run with `manage.py shell -c "from tests.console.e2e_seed import seed; seed()"`).
Prints one JSON line: the API token of the acting supervisor and the people's ids."""

import json

PASSWORD = "console-e2e-pw"


def seed() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from routing.models import AgentProfile, Queue
    from tickets.models import Category, SlaPolicy
    from tickets.roles import Role

    User = get_user_model()
    for role in Role.values:
        Group.objects.get_or_create(name=role)

    def person(username, name, role):
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": name})
        user.set_password(PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        return user

    agent = person("agent01", "王芳", Role.AGENT)
    reviewer = person("reviewer01", "周敏", Role.REVIEWER)
    supervisor = person("supervisor01", "黄强", Role.SUPERVISOR)
    for code, name, priority in (("urge_delivery", "催件/延误", "P1"),
                                 ("lost_parcel", "丢件", "P1")):
        Category.objects.get_or_create(code=code, defaults={"name": name,
                                                            "default_priority": priority})
    for priority, response, resolve in (("P0", 10, 60), ("P1", 15, 120), ("P2", 30, 240),
                                        ("P3", 120, 1440)):
        SlaPolicy.objects.get_or_create(priority=priority, category=None, defaults={
            "name": priority, "response_minutes": response, "resolve_minutes": resolve})
    queue, _ = Queue.objects.get_or_create(code="general", defaults={"name": "综合服务",
                                                                      "is_default": True})
    queue.members.add(agent)
    AgentProfile.objects.update_or_create(user=agent, defaults={"status": "online",
                                                                "capacity": 5,
                                                                "team": "华东一组"})
    token, _ = Token.objects.get_or_create(user=supervisor)
    print(json.dumps({"token": token.key, "agent": agent.pk, "reviewer": reviewer.pk,
                      "supervisor": supervisor.pk, "queue": queue.pk}))
