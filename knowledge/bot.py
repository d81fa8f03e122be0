"""The chatbot's answers from customer articles (registered in chatbot.dialogue.answers).

The bot answers only a general question it can match with confidence; anything about the
customer's own parcel or ticket stays with the dialogue (facts from tracking, tickets):
- a waybill, phone or ticket number in the message → the customer means a specific case;
- an intent about a parcel problem, or a wish for action (complaint, dispute, booking),
  stated confidently and in the first person ("我的快递…", "多收了我…") → the dialogue;
- otherwise the best customer article must cover enough of the question (`coverage`, the
  share of the question's weighted words it contains) and score clearly; else None.
"""

import re

from django.conf import settings
from django.template.loader import render_to_string

from chatbot.nlu.normalize import normalize
from knowledge import actions, selectors
from knowledge.choices import Audience, UsageKind
from knowledge.models import Article

# Intents about the customer's own parcel or case, and wishes for action.
CASE_INTENTS = {"track_query", "urge_delivery", "lost_parcel", "damaged_parcel", "wrong_item",
                "signed_not_received", "claim_progress", "ticket_progress", "human_agent",
                "complaint_service", "fee_dispute", "change_delivery", "pickup_request"}
# The customer talks about their own parcel or asks us to act: never an article.
FIRST_PERSON = re.compile(
    r"我的|我家|我寄的|我买的|我收的|我这个|我那个|我快递|我包裹|我的件|我的东西|"
    r"了我|"
    r"我.{0,4}没(收到|拿到)|给我|帮我|你们.{0,4}(多收|乱收|扣)|我要|我想投诉|马上|赶紧")
# Something happened to a parcel (a problem statement, not a question about rules).
PROBLEM = re.compile(r"丢了|坏了|破了|烂了|碎了|没到|还没|没收到|没拿到|不动|没动|卡在|卡住|延误|"
                     r"太差|骂人|不接|错了|少了|空的|多收了|多扣了|扣了我|收了我")
QUESTION = re.compile(r"怎么|怎样|如何|咋|多少|几点|几天|多久|多长|能不能|可不可以|"
                      r"可以.{0,6}[吗不]|能.{0,6}[吗不]|吗|什么|哪些|哪里|哪儿|啥|要不要|是不是|规定|标准|流程|清单|[?？]")
CONFIDENT_INTENT = 0.6
FEEDBACK_BUTTONS = ["有帮助", "没帮助"]


def _confident(hit, *, strict: bool) -> bool:
    """Settings KB_BOT_MIN_*: a clear score and enough of the question covered; `strict` for
    statements the intent model reads as a case (only a near-exact match answers those)."""
    if strict:
        return hit.coverage >= settings.KB_BOT_STRICT_COVERAGE and (
            hit.score >= settings.KB_BOT_MIN_SCORE)
    return ((hit.score >= settings.KB_BOT_MIN_SCORE
             and hit.coverage >= settings.KB_BOT_MIN_COVERAGE)
            or (hit.score >= settings.KB_BOT_HIGH_SCORE
                and hit.coverage >= settings.KB_BOT_HIGH_SCORE_COVERAGE))


def mode(text: str, understanding: dict) -> str | None:
    """None: the dialogue's (a case); "strict" or "normal": how sure an article must be."""
    clean = normalize(text)
    slots = understanding.get("slots", {})
    if slots.get("waybill") or slots.get("ticket_no") or slots.get("phone"):
        return None
    if FIRST_PERSON.search(clean):
        return None
    intent, confidence = understanding.get("intent"), understanding.get("confidence", 0.0)
    if intent in CASE_INTENTS and confidence >= CONFIDENT_INTENT:
        if PROBLEM.search(clean):
            return None  # "运费怎么多收了20元" asks why, but about their own charge
        if not QUESTION.search(clean):
            return "strict"
    return "normal"


def best_article(text: str, *, strict: bool = False):
    """The customer article that answers `text` with confidence, else None."""
    hits = selectors.search_hits(text, audiences=(Audience.CUSTOMER,), limit=2)
    if not hits or not _confident(hits[0], strict=strict):
        return None
    if len(hits) > 1 and hits[1].score >= hits[0].score * settings.KB_BOT_MARGIN:
        return None  # two articles fit about as well: asking beats guessing
    return hits[0]


def answer(text: str, understanding: dict, state: dict) -> dict | None:
    how = mode(text, understanding)
    if how is None:
        return None
    hit = best_article(text, strict=how == "strict")
    if hit is None:
        return None
    actions.do_record_usage(kind=UsageKind.BOT_ANSWER, object_id=hit.id)
    url = f"/api/kb/articles/{hit.id}/"
    return {
        "text": render_to_string("knowledge/bot_answer.txt", {"hit": hit,
                                                             "answer": hit.summary or hit.snippet}),
        "buttons": ["查看全文", *FEEDBACK_BUTTONS],
        "article": {"id": hit.id, "title": hit.title, "url": url,
                    "feedback_url": f"{url}feedback/"},
        "feedback_key": hit.id,
    }


def feedback(key, helpful: bool, conversation) -> None:
    article = Article.objects.filter(pk=key).first()
    if article is None:
        return
    user = getattr(conversation.customer, "user", None)
    actions.check_record_feedback(user=user, article=article, helpful=helpful,
                                  conversation_id=conversation.pk)
