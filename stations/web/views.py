"""/station/: the station's phone page. Server-rendered; every write goes through actions."""

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.errors import DomainError
from stations import actions
from stations.api.serializers import recipient_phone_for
from stations.choices import RESULTS_BY_KIND, AddressAnswer, AddressCheckStatus, TaskResult
from stations.selectors import (
    access_station_task,
    address_check_by_token,
    membership,
    station_tasks_list,
)


class StationLoginView(LoginView):
    template_name = "stations/login.html"
    redirect_authenticated_user = True

    def get_success_url(self):
        return self.get_redirect_url() or reverse("stations-web:tasks")


def _member_or_redirect(request):
    if not request.user.is_authenticated:
        return None, redirect(f"{reverse('stations-web:login')}?next={request.path}")
    member = membership(request.user)
    if member is None:
        return None, render(request, "stations/forbidden.html", status=403)
    return member, None


def task_list(request):
    member, response = _member_or_redirect(request)
    if response:
        return response
    tasks = list(station_tasks_list(request.user)[:100])
    now = timezone.now()
    for task in tasks:
        task.overdue = task.is_open and task.due_at < now
    return render(request, "stations/tasks.html", {
        "member": member, "open_tasks": [t for t in tasks if t.is_open],
        "done_tasks": [t for t in tasks if not t.is_open][:20]})


@require_http_methods(["GET", "POST"])
def task_detail(request, task_id: int):
    member, response = _member_or_redirect(request)
    if response:
        return response
    try:
        task = access_station_task(request.user, task_id)
    except DomainError:
        raise Http404 from None
    error = None
    if request.method == "POST":
        try:
            actions.check_complete_station_task(
                user=request.user, task_id=task.pk, result=request.POST.get("result", ""),
                note=request.POST.get("note", ""), photo=request.FILES.get("photo"))
        except DomainError as exc:
            error = exc.detail
        else:
            messages.success(request, _("Answer sent. The desk sees it now."))
            return redirect("stations-web:task", task_id=task.pk)
    results = [(code, TaskResult(code).label) for code in RESULTS_BY_KIND[task.kind]]
    return render(request, "stations/task.html", {
        "member": member, "task": task, "results": results, "error": error,
        "overdue": task.is_open and task.due_at < timezone.now(),
        "recipient_phone": recipient_phone_for(task, request.user),
        "result_label": TaskResult(task.result).label if task.result else "",
        "photo": task.attachment_id and task.ticket.attachments.filter(
            pk=task.attachment_id).first()},
        status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def answer_address_check(request, token: str):
    """The recipient's page behind the link in their SMS (the token is the credential)."""
    check = address_check_by_token(token)
    if check is None:
        raise Http404
    error = None
    if request.method == "POST" and check.status == AddressCheckStatus.WAITING:
        try:
            actions.check_answer_address_check(
                token=token, answer=request.POST.get("answer", ""),
                new_address=request.POST.get("new_address", ""),
                new_time=request.POST.get("new_time", ""), note=request.POST.get("note", ""))
        except DomainError as exc:
            error = exc.detail
        else:
            return redirect("stations-web:answer", token=token)
    return render(request, "stations/answer.html", {
        "check": check, "answers": AddressAnswer.choices, "error": error,
        "waiting": check.status == AddressCheckStatus.WAITING})
