"""The benchmark's baseline: a bare DRF endpoint that inserts one row.

Installed only with PARCELDESK_BENCH=1 (config/settings.py) and mounted at /bench/
(config/urls.py). It has no migrations on purpose: the bench creates its table with
`migrate --run-syncdb`.
"""
