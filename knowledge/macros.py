"""Macro variables: which names exist and how each is filled from a ticket, its customer and
its shipment (logistics' selectors). Phone numbers always come out masked."""

import string

from django.utils import timezone

VARIABLES = ("waybill", "last_node", "eta", "ticket_no", "phone", "customer_name", "agent_name",
             "category", "status", "priority")


def variables_in(body: str) -> list[str]:
    """Field names used in `body`; raises ValueError on a malformed template ("{waybill")."""
    names = []
    for _literal, name, _spec, _conv in string.Formatter().parse(body or ""):
        if name is not None and name not in names:
            names.append(name)
    return names


def unknown_variables(body: str) -> list[str]:
    try:
        names = variables_in(body)
    except ValueError:
        return ["{"]
    return [n for n in names if n not in VARIABLES]


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%m月%d日 %H:%M") if dt else ""


def ticket_variables(ticket, *, agent=None) -> dict[str, str]:
    """Every variable's value for `ticket` (empty strings where nothing is known)."""
    from config.masking import mask_phone
    from logistics import selectors as logistics

    waybills = [w.number for w in ticket.waybill_rows.all()]
    waybill = waybills[0] if waybills else ""
    last_node = eta = ""
    shipment = logistics.shipment_get(waybill) if waybill else None
    if shipment is not None:
        node = logistics.last_valid_node(shipment)
        if node is not None:
            last_node = f"{_local(node.time)} {node.location} {node.description}".strip()
        if shipment.status != "delivered":
            figures = logistics.shipment_eta(shipment)
            eta = figures.get("explanation") or _local(figures.get("time"))
    customer = ticket.customer
    return {
        "waybill": waybill,
        "last_node": last_node,
        "eta": eta,
        "ticket_no": ticket.number,
        "phone": mask_phone(customer.phone) if customer else "",
        "customer_name": (customer.name if customer and customer.name else "您"),
        "agent_name": (agent.first_name or agent.username) if agent else "",
        "category": ticket.category.name,
        "status": ticket.get_status_display(),
        "priority": ticket.priority,
    }


def render(body: str, values: dict[str, str]) -> str:
    return string.Formatter().vformat(body, (), {k: values.get(k, "") for k in VARIABLES})
