"""The chatbot answers informational questions from customer articles, records "did this
help?", and leaves the customer's own parcel problems to the dialogue."""

import pytest

from knowledge.models import Article, ArticleFeedback

STUCK = [(80, "picked_up", "上海", "【上海浦东新区公司】已揽收"),
         (72, "arrived_at_hub", "杭州转运中心", "快件已到达【杭州转运中心】")]


@pytest.fixture
def chat(nlu_model, setup, kb, customer_chat):
    return customer_chat()


@pytest.mark.django_db
def test_the_bot_answers_a_fee_question_from_the_article(chat):
    turn = chat("運費怎麼算")
    reply = turn["replies"][0]
    article = Article.objects.get(slug="fee-how-calculated")
    assert reply["article"]["id"] == article.pk
    assert reply["article"]["url"] == f"/api/kb/articles/{article.pk}/"
    assert "首重" in reply["text"] and "有帮助吗" in reply["text"]
    assert reply["buttons"] == ["查看全文", "有帮助", "没帮助"]
    assert turn["ticket"] is None and turn["handoff"] is False
    article.refresh_from_db()
    assert article.bot_answers == 1
    # "查看全文" shows the link, then the vote is recorded against this conversation.
    assert f"/api/kb/articles/{article.pk}/" in chat("查看全文")["replies"][0]["text"]
    thanks = chat("有帮助")
    assert "感谢您的反馈" in thanks["replies"][0]["text"]
    article.refresh_from_db()
    assert article.helpful_yes == 1
    assert ArticleFeedback.objects.get(article=article).conversation_id == chat.session


@pytest.mark.django_db
@pytest.mark.parametrize("question,slug", [
    ("驿站几点关门", "station-hours"),
    ("取件码收不到", "pickup-code-missing"),
    ("充电宝能寄吗", "prohibited-battery"),
])
def test_other_informational_questions(chat, question, slug):
    reply = chat(question)["replies"][0]
    assert reply.get("article", {}).get("id") == Article.objects.get(slug=slug).pk, reply


@pytest.mark.django_db
def test_the_customers_own_parcel_is_not_answered_with_an_article(chat, parcel):
    parcel("SF1409821733526", "13900001111", STUCK)
    turn = chat("我的快递到哪了")
    assert "article" not in turn["replies"][0]
    assert "杭州转运中心" in turn["replies"][0]["text"]  # the dialogue's tracking answer


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["快递丢了", "你们多收了我运费", "我的包裹怎么还没到"])
def test_parcel_problems_go_to_the_dialogue(chat, text):
    for reply in chat(text)["replies"]:
        assert "article" not in reply


@pytest.mark.django_db
def test_unsure_falls_back_to_the_normal_dialogue_never_a_random_article(chat):
    turn = chat("你们老板是谁")
    assert all("article" not in r for r in turn["replies"])
    assert Article.objects.filter(bot_answers__gt=0).count() == 0


@pytest.mark.django_db
def test_not_helpful_offers_the_menu(chat):
    chat("驿站几点关门")
    reply = chat("没帮助")["replies"][0]
    assert "抱歉没能帮到您" in reply["text"] and reply["buttons"]
    assert Article.objects.get(slug="station-hours").helpful_no == 1


@pytest.mark.django_db
def test_feedback_endpoint_records_one_vote_per_customer_and_conversation(chat):
    article = Article.objects.get(slug="station-hours")
    url = f"/api/kb/articles/{article.pk}/feedback/"
    first = chat.client.post(url, {"helpful": True, "conversation": chat.session}, format="json")
    assert first.status_code == 201 and first.json() == {"helpful_yes": 1, "helpful_no": 0}
    again = chat.client.post(url, {"helpful": False, "conversation": chat.session},
                             format="json")
    assert again.json() == {"helpful_yes": 0, "helpful_no": 1}
    internal = Article.objects.get(slug="internal-claim-authority")
    denied = chat.client.post(f"/api/kb/articles/{internal.pk}/feedback/", {"helpful": True},
                              format="json")
    assert denied.status_code == 404


@pytest.mark.django_db
def test_bot_evaluation_never_answers_a_case_with_an_article(nlu_model, kb, capsys):
    from django.core.management import call_command

    call_command("eval_kb", "knowledge/data/eval_kb.tsv", bot="knowledge/data/"
                 "eval_kb_not_articles.tsv")
    out = capsys.readouterr().out
    assert "answered with an article 0" in out, out
    right = int(out.split("right article ")[1].split("/")[0])
    wrong = int(out.split("wrong article ")[1].split("/")[0])
    assert right >= 70 and wrong <= 5, out
