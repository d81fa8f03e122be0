from django.urls import path

from bench.bareapp.views import BareInsertView

urlpatterns = [
    path("insert/", BareInsertView.as_view(), name="bench-insert"),
]
