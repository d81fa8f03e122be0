"""The knowledge base's pages and form posts in the agent console, under /console/kb/."""

from django.urls import path

from knowledge import console

app_name = "console_kb"

urlpatterns = [
    path("articles/<int:article_id>/", console.article_page, name="article"),
    path("tickets/<int:ticket_id>/use/", console.use_suggestion, name="use"),
    path("tickets/<int:ticket_id>/macros/<int:macro_id>/apply/", console.apply_macro,
         name="apply-macro"),
]
