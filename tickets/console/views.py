"""The agent console: server-rendered pages, every write through tickets' (and routing's)
actions. Views parse the form, call the action, and redirect back with a message; a domain
error becomes the message (never a 500)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import DomainError
from tickets import actions, hooks
from tickets.choices import CommentVisibility, Transition
from tickets.console import queries as q
from tickets.roles import Role, has_role, is_staff_member
from tickets.selectors import ticket_form, ticket_list


class ConsoleLoginView(LoginView):
    template_name = "console/login.html"
    redirect_authenticated_user = True


def staff_required(view):
    """Signed-in staff only: others go to the console's login (then back here)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path(), reverse("console:login"))
        if not is_staff_member(user):
            return render(request, "console/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _roles(user) -> dict:
    return {"is_agent": has_role(user, Role.AGENT),
            "is_reviewer": has_role(user, Role.REVIEWER),
            "is_supervisor": has_role(user, Role.SUPERVISOR, Role.OPS)}


def render_page(request, template, context, *, active):
    """A console page with the user's roles and routing profile (also knowledge's pages)."""
    from routing.selectors import profile_get

    roles = _roles(request.user)
    profile = profile_get(request.user.pk) if roles["is_agent"] else None
    return render(request, template, {**context, **roles, "active": active,
                                      "profile": profile})


# --- panels: each is one template fragment, refreshed by console.js when an event arrives --

def _panel_context(request, name, ticket_id=None) -> dict:
    user = request.user
    if name == "my_tickets":
        return {"tickets": list(q.my_tickets(user))}
    if name == "my_queues":
        return {"queues": q.my_queues(user)}
    if name == "review":
        if not has_role(user, Role.REVIEWER):
            raise Http404
        return {"tickets": list(q.review_queue(user))}
    if name in ("team", "waiting", "breaches", "incidents"):
        if not has_role(user, Role.SUPERVISOR, Role.OPS):
            raise Http404
        if name == "team":
            return q.team()
        if name == "waiting":
            return {"tickets": list(q.waiting_list(user)[:50])}
        if name == "breaches":
            return {"tickets": list(q.breached_tickets(user)[:50])}
        return {"tickets": list(q.batch_incidents(user)[:20])}
    if name in _TICKET_PANELS:
        ticket = _visible_ticket(request, ticket_id)
        return {"ticket": ticket, **_TICKET_PANELS[name](ticket, user)}
    raise Http404


_TICKET_PANELS = {  # what each live panel of the ticket page needs, and only that
    "ticket_head": lambda ticket, user: {},
    "ticket_actions": lambda ticket, user: {"actions": q.available_actions(ticket, user),
                                            "choices": q.transfer_choices()},
    "ticket_audit": lambda ticket, user: {"events": q.audit_trail(ticket)},
    "ticket_chat": lambda ticket, user: {"chat": q.chat_thread(ticket)},
    "ticket_form": lambda ticket, user: {"form": ticket_form(ticket)},
}


PANELS = ("my_tickets", "my_queues", "review", "team", "waiting", "breaches", "incidents",
          "ticket_head", "ticket_actions", "ticket_audit", "ticket_chat", "ticket_form")


@staff_required
def panel(request, name):
    if name not in PANELS:
        return _plugin_panel(request, name)
    ticket_id = request.GET.get("ticket")
    context = _panel_context(request, name, ticket_id)
    return render(request, f"console/panels/{name}.html", {**context, **_roles(request.user)})


def _plugin_panel(request, name):
    """A panel another app registered in tickets.hooks (its own template and context)."""
    user = request.user
    if hooks.is_ticket_panel(name):
        ticket = _visible_ticket(request, request.GET.get("ticket"))
        found = hooks.ticket_panels(user, ticket, only=name)
    elif hooks.is_supervisor_panel(name) and has_role(user, Role.SUPERVISOR, Role.OPS):
        ticket, found = None, hooks.supervisor_panels(user, only=name)
    else:
        raise Http404
    if not found:
        raise Http404
    return render(request, found[0]["template"], {"panel": found[0]["context"],
                                                  "ticket": ticket, **_roles(user)})


@staff_required
def home(request):
    roles = _roles(request.user)
    if not roles["is_agent"]:
        if roles["is_supervisor"]:
            return redirect("console:supervisor")
        if roles["is_reviewer"]:
            return redirect("console:review")
        return render(request, "console/forbidden.html", status=403)  # e.g. station staff
    return render_page(request, "console/home.html", {
        "my_tickets": _panel_context(request, "my_tickets"),
        "my_queues": _panel_context(request, "my_queues")}, active="home")


@staff_required
def review(request):
    if not has_role(request.user, Role.REVIEWER):
        raise Http404
    return render_page(request, "console/review.html", _panel_context(request, "review"),
                 active="review")


@staff_required
def supervisor(request):
    if not has_role(request.user, Role.SUPERVISOR, Role.OPS):
        raise Http404
    context = {name: _panel_context(request, name)
               for name in ("team", "waiting", "breaches", "incidents")}
    context["plugin_panels"] = hooks.supervisor_panels(request.user)
    return render_page(request, "console/supervisor.html", context, active="supervisor")


def _visible_ticket(request, ticket_id):
    """The ticket if this user may see it (tickets.selectors scoping); 404 otherwise."""
    ticket = (ticket_list(request.user).select_related("customer__user", "parent", "created_by")
              .filter(pk=ticket_id).first() if str(ticket_id or "").isdigit() else None)
    if ticket is None:
        raise Http404
    return ticket


def _ticket_context(request, ticket_id) -> dict:
    ticket = _visible_ticket(request, ticket_id)
    return {
        "ticket": ticket, "customer": q.customer_card(ticket),
        "handoff": q.handoff_card(ticket), "chat": q.chat_thread(ticket),
        "actions": q.available_actions(ticket, request.user),
        "events": q.audit_trail(ticket), "attachments": list(ticket.attachments.all()),
        "children": list(ticket.children.select_related("category").order_by("-created_at")[:50])
        if ticket.category.code == "batch_incident" else [],
        "choices": q.transfer_choices(),
    }


@staff_required
def ticket_page(request, ticket_id):
    context = _ticket_context(request, ticket_id)
    ticket = context["ticket"]
    context.update(shipments=q.shipments(ticket), decision=q.routing_decision(ticket),
                   form=ticket_form(ticket),
                   plugin_panels=hooks.ticket_panels(request.user, ticket))
    return render_page(request, "console/ticket.html", context, active="ticket")


def _back(request, ticket_id=None):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    if ticket_id is not None:
        return redirect("console:ticket", ticket_id=ticket_id)
    return redirect("console:home")


def _int(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


@staff_required
@require_POST
def transition(request, ticket_id, name):
    action = actions.TRANSITION_ACTIONS.get(name)
    if action is None:
        raise Http404
    post = request.POST
    text = (post.get("text") or "").strip()
    kwargs = {"user": request.user, "ticket_id": ticket_id}
    if name == Transition.ASSIGN:
        kwargs.update(assignee_id=_int(post.get("assignee")), note=text)
    elif name == Transition.TRANSFER:
        kwargs.update(assignee_id=_int(post.get("assignee")), queue_id=_int(post.get("queue")),
                      reason=text)
    elif name in (Transition.RELEASE, Transition.REJECT, Transition.REOPEN):
        kwargs["reason"] = text
    else:
        kwargs["note"] = text
    try:
        if name == Transition.ASSIGN and kwargs["assignee_id"] is None:
            raise DomainError(_("Assigning needs an assignee."), code="missing_fields")
        action(**kwargs)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("%(action)s: done.") % {"action": Transition(name).label})
    return _back(request, ticket_id)


@staff_required
@require_POST
def comment(request, ticket_id):
    visibility = request.POST.get("visibility") or CommentVisibility.INTERNAL
    try:
        actions.check_add_comment(user=request.user, ticket_id=ticket_id,
                                  body=request.POST.get("body", ""), visibility=visibility)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Reply sent to the customer.")
                         if visibility == CommentVisibility.PUBLIC else _("Note added."))
    return _back(request, ticket_id)


@staff_required
@require_POST
def form_values(request, ticket_id):
    """The ticket template's fields (PATCH semantics: only the fields posted, an empty value
    clears one), through tickets.actions.forms."""
    post = request.POST
    values = {code: (post.get(f"f_{code}") or "").strip() or None
              for code in post.getlist("field") if code}
    # masked fields (phone, address) are shown masked, not prefilled: blank keeps the value
    values.update({code: post[f"f_{code}"].strip() for code in post.getlist("optional")
                   if code and (post.get(f"f_{code}") or "").strip()})
    try:
        actions.check_update_form(user=request.user, ticket_id=ticket_id, values=values,
                                  reason=(request.POST.get("reason") or "").strip())
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Form saved."))
    return _back(request, ticket_id)


@staff_required
@require_POST
def attachment(request, ticket_id):
    try:
        actions.check_add_attachment(user=request.user, ticket_id=ticket_id,
                                     upload=request.FILES.get("file"))
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Attachment uploaded."))
    return _back(request, ticket_id)


@staff_required
@require_POST
def agent_status(request):
    from routing.actions import check_set_agent_status

    try:
        check_set_agent_status(user=request.user, status=request.POST.get("status", ""))
    except DomainError as error:
        messages.error(request, error.detail)
    return _back(request)
