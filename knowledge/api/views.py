"""Knowledge-base API: each view parses, calls selectors/actions, serializes."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from knowledge import actions, assist, selectors
from knowledge.api import serializers as s
from knowledge.choices import UsageKind
from tickets.api.permissions import IsStaffMember
from tickets.roles import Role, has_role, is_staff_member
from tickets.selectors import access_ticket


class StaffOrCustomer(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated
                    and (is_staff_member(user) or has_role(user, Role.CUSTOMER)))


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class SearchView(APIView):
    permission_classes = [StaffOrCustomer]

    @extend_schema(parameters=[s.SearchInput], responses=s.SearchOutput)
    def get(self, request):
        data = _valid(s.SearchInput, request.query_params)
        hits = selectors.search_articles(request.user, data["q"],
                                         audience=data.get("audience"), limit=data["limit"])
        return Response(s.SearchOutput({"results": [h.__dict__ for h in hits]}).data)


class ArticleListCreateView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(request=s.ArticleInput, responses={201: s.ArticleOutput})
    def post(self, request):
        data = _valid(s.ArticleInput, request.data)
        article = actions.check_save_article(user=request.user, **data)
        return Response(s.ArticleOutput(article).data, status=status.HTTP_201_CREATED,
                        headers={"Location": f"/api/kb/articles/{article.pk}/"})

    @extend_schema(responses=s.ArticleOutput(many=True))
    def get(self, request):
        articles = selectors.visible_articles(request.user).order_by("-updated_at")[:200]
        return Response(s.ArticleOutput(articles, many=True).data)


class ArticleDetailView(APIView):
    permission_classes = [StaffOrCustomer]

    @extend_schema(responses=s.ArticleOutput)
    def get(self, request, article_id: int):
        article = selectors.access_article(request.user, article_id)
        actions.do_count_view(article)
        if is_staff_member(request.user):
            return Response(s.ArticleOutput(article).data)
        return Response(s.CustomerArticleOutput(article).data)

    @extend_schema(request=s.ArticleInput, responses=s.ArticleOutput)
    def patch(self, request, article_id: int):
        serializer = s.ArticleInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {k: v for k, v in serializer.validated_data.items() if k in request.data}
        article = actions.check_save_article(user=request.user, article_id=article_id, **fields)
        return Response(s.ArticleOutput(article).data)


class ArticleFeedbackView(APIView):
    """The "did this help?" button of a chatbot answer (or of the article page)."""

    permission_classes = [StaffOrCustomer]

    @extend_schema(request=s.FeedbackInput, responses={201: s.FeedbackOutput})
    def post(self, request, article_id: int):
        article = selectors.access_article(request.user, article_id)
        data = _valid(s.FeedbackInput, request.data)
        actions.check_record_feedback(user=request.user, article=article,
                                      helpful=data["helpful"],
                                      conversation_id=data.get("conversation"))
        article.refresh_from_db(fields=["helpful_yes", "helpful_no"])
        return Response({"helpful_yes": article.helpful_yes, "helpful_no": article.helpful_no},
                        status=status.HTTP_201_CREATED)


class MacroListCreateView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=s.MacroOutput(many=True))
    def get(self, request):
        return Response(s.MacroOutput(selectors.macro_list(request.user), many=True).data)

    @extend_schema(request=s.MacroInput, responses={201: s.MacroOutput})
    def post(self, request):
        data = _valid(s.MacroInput, request.data)
        macro = actions.check_save_macro(user=request.user, **data)
        return Response(s.MacroOutput(macro).data, status=status.HTTP_201_CREATED)


# --- on a ticket: /api/tickets/{id}/… ---
class SuggestionsView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=None)
    def get(self, request, ticket_id: int):
        ticket = access_ticket(request.user, ticket_id)
        return Response(assist.suggestions(request.user, ticket))

    @extend_schema(request=s.UsageInput, responses={201: None})
    def post(self, request, ticket_id: int):
        data = _valid(s.UsageInput, request.data)
        kind = UsageKind.ARTICLE if data["kind"] == "article" else UsageKind.SIMILAR_TICKET
        usage = assist.check_use_suggestion(user=request.user, ticket_id=ticket_id, kind=kind,
                                            object_id=data["id"])
        return Response({"id": usage.pk, "kind": usage.kind, "object_id": usage.object_id},
                        status=status.HTTP_201_CREATED)


class TicketMacrosView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=None)
    def get(self, request, ticket_id: int):
        ticket = access_ticket(request.user, ticket_id)
        macros = selectors.macro_list(request.user, category_code=ticket.category.code)
        return Response([{**s.MacroOutput(m).data,
                          "text": selectors.render_macro(request.user, m, ticket)}
                         for m in macros])


class TicketMacroView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(responses=None)
    def get(self, request, ticket_id: int, macro_id: int):
        ticket = access_ticket(request.user, ticket_id)
        macro = selectors.access_macro(request.user, macro_id)
        return Response({"id": macro.pk, "name": macro.name,
                         "text": selectors.render_macro(request.user, macro, ticket)})

    @extend_schema(request=s.MacroApplyInput, responses={201: None})
    def post(self, request, ticket_id: int, macro_id: int):
        data = _valid(s.MacroApplyInput, request.data)
        result = assist.check_apply_macro(user=request.user, ticket_id=ticket_id,
                                          macro_id=macro_id, text=data.get("text") or None)
        return Response(result, status=status.HTTP_201_CREATED)
