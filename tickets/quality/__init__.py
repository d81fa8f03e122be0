"""Ticket templates (required fields per category), automatic quality checks and sampling
policies. Writes live in tickets/actions/ (review.py, merge.py, forms.py); see README.md."""
