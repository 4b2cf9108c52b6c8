from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from annulus.accounts.policy import public
from annulus.analytics import public_views as analytics_public
from annulus.api import api
from annulus.ops import probes

# The API checks its own auth (deny by default: staff sessions unless an endpoint says auth=None).
api_urls, api_app, api_namespace = api.urls
for pattern in api_urls:
    pattern.callback = public(pattern.callback)  # type: ignore[type-var]

urlpatterns = [
    path("healthz", probes.liveness, name="healthz"),
    path("readyz", probes.readiness, name="readyz"),
    path("api/v1/", include((api_urls, api_app), namespace=api_namespace)),
    path("fhir/R4/", include("annulus.interop.urls")),
    path("staff/research/", include("annulus.research.urls")),
    path("staff/fhir-clients/", include("annulus.interop.staff_urls")),
    path("accounts/", include("annulus.accounts.urls")),
    path("staff/outbox/", include("annulus.notifications.urls")),
    path("staff/break-glass/", include("annulus.accounts.breakglass_urls")),
    path("staff/leads/", include("annulus.leads.staff_urls")),
    path("staff/patients/", include("annulus.patients.urls")),
    path("staff/patients/<int:pk>/", include("annulus.clinical.urls")),
    path("staff/patients/<int:pk>/outcomes/", include("annulus.outcomes.patient_urls")),
    path("staff/patients/<int:pk>/", include("annulus.candidacy.patient_urls")),
    path("staff/patients/<int:pk>/va/", include("annulus.patients.va_urls")),
    path("staff/patients/<int:pk>/consents/", include("annulus.consents.staff_urls")),
    path("staff/patients/<int:pk>/documents/", include("annulus.documents.urls")),
    path("staff/patients/<int:pk>/", include("annulus.frontoffice.patient_urls")),
    path("staff/referrers/", include("annulus.frontoffice.staff_urls")),
    path("staff/price-list/", include("annulus.frontoffice.price_urls")),
    # Referring doctors' form and their consult-note link: for doctors, in English.
    path("refer/", include("annulus.frontoffice.public_urls")),
    path("referral-note/", include("annulus.frontoffice.note_urls")),
    path("staff/alerts/", include("annulus.safety.urls")),
    path("staff/candidacy/", include("annulus.candidacy.urls")),
    path("staff/outcomes/", include("annulus.outcomes.urls")),
    path("staff/outcomes/report/", include("annulus.analytics.urls")),
    path("staff/calendar/", include("annulus.scheduling.staff_urls")),
    path("staff/", include("annulus.workbench.urls")),
]

# What patients and the public see, in English at / and in Spanish under /es/ (issue #18).
# Staff pages, the API and FHIR above stay unprefixed and English.
urlpatterns += i18n_patterns(
    path("intake/", include("annulus.patients.intake_link_urls")),
    path("consent/", include("annulus.consents.public_urls")),
    path("survey/", include("annulus.outcomes.survey_urls")),
    path("check-in/", include("annulus.safety.check_in_urls")),
    path("book/", include("annulus.scheduling.urls")),
    path("screen/", include("annulus.screening.urls")),
    path("guide/", include("annulus.leads.urls")),
    path("learn/our-results/", analytics_public.our_results, name="our_results"),
    path("", include("annulus.website.urls")),
    prefix_default_language=False,
)

handler500 = "annulus.website.views.server_error"

handler403 = "annulus.workbench.errors.permission_denied"
