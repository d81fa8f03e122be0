"""The knowledge base in the agent console: the "knowledge and suggestions" panel of the ticket
page (registered in tickets.hooks: tickets never imports knowledge), the article page, and the
form posts that use a suggestion or apply a macro through knowledge's actions."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import DomainError
from knowledge import actions, assist, selectors
from knowledge.choices import Audience, UsageKind
from tickets.choices import Status
from tickets.console.views import render_page, staff_required
from tickets.selectors import access_ticket

TEMPLATE = "knowledge/console/ticket_panel.html"


def ticket_panel(user, ticket) -> dict:
    """Caller (the console) got `ticket` through tickets.selectors scoping for `user`."""
    found = assist.suggestions(user, ticket)
    macros = selectors.macro_list(user, category_code=ticket.category.code)
    return {"template": TEMPLATE, "context": {
        "internal": found["articles"]["internal"], "customer": found["articles"]["customer"],
        "similar": found["similar_tickets"], "open": ticket.status != Status.CLOSED,
        "macros": [{"macro": m, "text": selectors.render_macro(user, m, ticket)}
                   for m in macros]}}


@staff_required
def article_page(request, article_id):
    try:
        article = selectors.access_article(request.user, article_id)
    except DomainError:
        from django.http import Http404

        raise Http404 from None
    actions.do_count_view(article)
    ticket_id = request.GET.get("ticket")
    ticket = None
    if ticket_id and ticket_id.isdigit():
        try:
            ticket = access_ticket(request.user, ticket_id)
        except DomainError:
            ticket = None
    return render_page(request, "knowledge/console/article.html", {
        "article": article, "body": article.body_html or actions.render_markdown(article.body),
        "internal": article.audience == Audience.INTERNAL, "ticket": ticket}, active="kb")


@staff_required
@require_POST
def use_suggestion(request, ticket_id):
    """An agent used a suggested article, or consulted a similar closed ticket."""
    kind = (UsageKind.ARTICLE if request.POST.get("kind") == "article"
            else UsageKind.SIMILAR_TICKET)
    object_id = request.POST.get("id") or ""
    try:
        if not object_id.isdigit():
            raise DomainError(_("Choose a suggestion."), code="missing_fields")
        assist.check_use_suggestion(user=request.user, ticket_id=ticket_id, kind=kind,
                                    object_id=int(object_id))
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Marked as used for this ticket."))
    return redirect("console:ticket", ticket_id=ticket_id)


@staff_required
@require_POST
def apply_macro(request, ticket_id, macro_id):
    """The macro's reply goes to the customer and its actions run (knowledge.assist)."""
    try:
        assist.check_apply_macro(user=request.user, ticket_id=ticket_id, macro_id=macro_id)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Quick reply applied."))
    return redirect("console:ticket", ticket_id=ticket_id)
