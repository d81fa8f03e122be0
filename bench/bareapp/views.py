"""POST /bench/insert/: validate one field, insert one row, answer 201.

Same stack as the real API: the project's default authentication classes (TokenAuthentication
first, so the `Authorization: Token …` header costs the same one query) and IsAuthenticated,
the same middleware, renderer, parser and exception handler.
"""

from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.bareapp.models import BenchRow


class BenchRowInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)


class BareInsertView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        serializer = BenchRowInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = BenchRow.objects.create(title=serializer.validated_data["title"])
        return Response({"id": row.pk, "title": row.title}, status=status.HTTP_201_CREATED)
