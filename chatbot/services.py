"""The tickets-side operations the dialogue needs, through tickets' actions and selectors."""

from tickets import actions as ticket_actions
from tickets import catalog
from tickets import selectors as ticket_selectors
from tickets.choices import Channel, raised
from tickets.roles import system_user

CLAIM_CATEGORIES = ("claim", "lost_parcel", "damaged_parcel")


def priority_for(category_code: str, understanding: dict, goods: set, customer) -> str:
    """The category's default, one level up for anger, fresh or valuable goods (at most P1),
    and for VIP customers."""
    category = catalog.active_category(category_code)
    priority = category.default_priority if category else "P2"
    bumps = (understanding["emotion"] == "angry") + bool(goods & {"fresh", "valuable"}) + (
        "vip" in (customer.tags or []))
    for _ in range(bumps):
        if raised(priority) == "P0":
            break
        priority = raised(priority)
    return priority


class TicketPorts:
    def template(self, category: str) -> list[dict]:
        """The category's ticket template fields (tickets.selectors.category_template)."""
        return ticket_selectors.category_template(category)

    def missing_fields(self, category: str, values: dict) -> list[dict]:
        """The required template fields `values` lacks: the bot asks for exactly these."""
        return ticket_selectors.missing_template_fields(category, values)

    def open_ticket(self, *, conversation, category, understanding, shipment, summary,
                    handoff_reason=None, form_values=None):
        state = conversation.state
        goods = set(state.get("slots", {}).get("goods", [])) | set(
            (shipment or {}).get("goods", []))
        customer = conversation.customer
        transcript = [{"sender": m.sender, "text": m.text,
                       "time": m.created_at.isoformat()} for m in conversation.messages.all()]
        title_target = (shipment or {}).get("number") or state.get("waybill") or ""
        names = {"lost_parcel": "丢件", "damaged_parcel": "破损/变质", "wrong_item": "错发/漏发",
                 "signed_not_received": "显示签收未收到", "change_delivery": "改派/改约",
                 "fee_dispute": "费用争议", "complaint_service": "服务投诉", "pickup": "预约取件",
                 "urge_delivery": "催件", "other": "转人工"}
        tags = sorted({*goods, *(["handoff"] if handoff_reason else [])})
        return ticket_actions.check_create_ticket(
            user=system_user(), title=f"{names.get(category, category)} {title_target}".strip(),
            description="\n".join(s for s in state.get("said", []) if s),
            category_code=category,
            priority=priority_for(category, understanding, goods, customer),
            channel=Channel.CHATBOT, customer_phone=customer.phone,
            waybills=[title_target] if title_target else [], tags=tags,
            context={"handoff": summary, "shipment": shipment, "transcript": transcript,
                     "conversation_id": conversation.pk, "handoff_reason": handoff_reason,
                     "slots": state.get("slots", {})},
            form_values=form_values or {})

    def customer_tickets(self, customer, *, number=None, claims=False):
        return ticket_selectors.customer_tickets(
            customer, number=number, categories=CLAIM_CATEGORIES if claims else None)

    def relay_to_ticket(self, conversation, text: str):
        """After handoff, the customer's words go to the ticket's thread for the agent."""
        user = conversation.customer.user
        if conversation.ticket_id and user is not None:
            ticket_actions.check_add_comment(user=user, ticket_id=conversation.ticket_id,
                                             body=text, visibility="public")
