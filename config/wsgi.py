import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Everything loaded so far lives as long as the worker: keep it out of the cyclic collector, whose
# full passes over it otherwise cost 70–100 ms every hundred or so requests (bench/tickets_api.py).
gc.freeze()
