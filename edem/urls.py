from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from edem.accounts import views as account_views
from edem.accounts.views import set_language

from . import views
from .admin_discovery import autodiscover

autodiscover()
# The admin signs in through the portal's own sign-in, so the second factor applies there too
# (Django's admin login would accept a password alone).
admin.site.login = secure_admin_login(admin.site.login)

admin.site.site_header = _("edem administration")
admin.site.site_title = _("edem administration")
admin.site.index_title = _("Municipality settings")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("readyz/", views.readyz, name="readyz"),
    path("robots.txt", views.robots),
    path("municipality/logo", views.municipality_logo, name="municipality_logo"),
    path("i18n/setlang/", set_language, name="set_language"),
    path(
        "personal-data/",
        TemplateView.as_view(template_name="personal_data.html"),
        name="personal_data",
    ),
    path(
        "account/reauthenticate/code/",
        account_views.request_reauthentication_code,
        name="account_request_reauthentication_code",
    ),
    path("account/", include("allauth.urls")),
    path("me/", include("edem.accounts.urls")),
    path("service/appeals/", include("appeals.urls_service")),
    path("service/problems/", include("appeals.problems.urls_service")),
    path("service/problems/", include("appeals.community.urls_service")),
    path("service/reception/", include("appeals.reception.urls_service")),
    path("service/petitions/", include("consultations.petitions.urls_service")),
    path("service/budgets/", include("consultations.budgets.urls_service")),
    path("service/polls/", include("consultations.polls.urls_service")),
    path("service/discussions/", include("consultations.discussions.urls_service")),
    path("service/analytics/", include("analytics.urls_service")),
    path("service/", include("cabinets.urls_service")),
    path("appeals/", include("appeals.urls")),
    path("problems/", include("appeals.problems.urls")),
    path("problems/", include("appeals.community.urls")),
    path("map/", include("appeals.problems.urls_map")),
    path("reception/", include("appeals.reception.urls")),
    path("initiatives/", include("appeals.initiatives.urls")),
    path("consultations/", include("consultations.urls")),
    path("petitions/", include("consultations.petitions.urls")),
    path("budgets/", include("consultations.budgets.urls")),
    path("polls/", include("consultations.polls.urls")),
    path("discussions/", include("consultations.discussions.urls")),
    path("statistics/", include("analytics.urls")),
    path("open311/v2/", include("integrations.urls_open311")),
    path("open-data/", include("integrations.urls_opendata")),
    path("api/", include("integrations.api.urls")),
    path("widget/", include("integrations.widget.urls")),
    path("", include("cabinets.urls")),
    path("admin/", admin.site.urls),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    # No media URL: every stored file is read through the storage by a view that checks who
    # may see it (publication images: cabinets.views.publication_image).
]

if settings.EDEM_DEMO_IDP:
    # The demo identity provider (never in production: edem.settings refuses it there).
    urlpatterns.append(
        path(settings.EDEM_DEMO_IDP_PATH.strip("/") + "/", include("edem.demo_idp.urls"))
    )

handler403 = "edem.views.permission_denied"
handler404 = "edem.views.page_not_found"
handler500 = "edem.views.server_error"
