"""Filled in by its issue; empty until then."""

urlpatterns = []
