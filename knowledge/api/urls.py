"""/api/kb/: search, articles, feedback, macros."""

from django.urls import path

from knowledge.api import views

urlpatterns = [
    path("search/", views.SearchView.as_view(), name="kb-search"),
    path("articles/", views.ArticleListCreateView.as_view(), name="kb-articles"),
    path("articles/<int:article_id>/", views.ArticleDetailView.as_view(), name="kb-article"),
    path("articles/<int:article_id>/feedback/", views.ArticleFeedbackView.as_view(),
         name="kb-article-feedback"),
    path("macros/", views.MacroListCreateView.as_view(), name="kb-macros"),
]
