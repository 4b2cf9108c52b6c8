import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annulus.settings")
application = get_wsgi_application()

# Load the URLconf, and with it every view module and the API, while the worker starts rather
# than in its first request: Django resolves it lazily, which made the first page a worker served
# (often a patient's) about a second slower than the rest.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
