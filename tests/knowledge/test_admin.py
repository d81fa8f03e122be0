"""Ops edit articles and macros in admin; saving goes through knowledge's actions."""

import pytest

from knowledge.models import Article, ArticleVersion, KbCategory, Macro
from tests.factories import UserFactory


@pytest.fixture
def admin_ops(roles):
    return UserFactory(username="ops01", roles=["ops"], is_staff=True, is_superuser=True)


def form(category, **overrides):
    data = {"slug": "locker-new", "title": "快递柜新规", "summary": "",
            "body": "超过 **18 小时** 收费。", "category": category.pk, "audience": "customer",
            "keywords": '["快递柜"]', "synonyms": '["丰巢"]', "status": "published"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_saves_articles_with_versions_and_search_tokens(client, admin_ops):
    from knowledge import selectors

    category = KbCategory.objects.create(code="pickup_point")
    client.force_login(admin_ops)
    response = client.post("/admin/knowledge/article/add/", form(category))
    assert response.status_code == 302, response.content[:2000]
    article = Article.objects.get(slug="locker-new")
    assert article.version == 1 and "<strong>" in article.body_html
    assert [h.id for h in selectors.search_hits("丰巢收费吗", audiences=("customer",))][:1] == [
        article.pk]
    response = client.post(f"/admin/knowledge/article/{article.pk}/change/",
                           form(category, title="快递柜超时新规"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.version == 2
    assert ArticleVersion.objects.filter(article=article).first().changes == ["title"]
    page = client.get(f"/admin/knowledge/article/{article.pk}/change/")
    assert page.status_code == 200 and "v2" in page.content.decode()


@pytest.mark.django_db
def test_admin_refuses_a_macro_with_an_unknown_variable(client, admin_ops):
    client.force_login(admin_ops)
    response = client.post("/admin/knowledge/macro/add/", {
        "code": "bad", "name": "坏模板", "body": "您好 {tracking}", "category_codes": "[]",
        "add_tags": "[]", "set_priority": "", "active": "on"})
    assert response.status_code == 200  # the form again, with the error
    assert "tracking" in response.content.decode()
    assert not Macro.objects.filter(code="bad").exists()
