from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accord.api.main import api
from accord.core import metrics as core_metrics
from accord.mcp import http as mcp_http
from accord.web import join as join_views
from accord.web import sso as sso_views
from accord.web import views as web_views

# Every page of an organization lives under /o/<org_slug>/; each app owns its prefix.
org_patterns = [
    path("", include("accord.web.urls")),
    path("", include("accord.org.urls")),
    path("alignment/", include("accord.alignment.urls")),
    path("coordination/", include("accord.coordination.urls")),
    path("rhythm/", include("accord.rhythm.urls")),
    path("decisions/", include("accord.decisions.urls")),
    path("insights/", include("accord.intelligence.urls")),
    path("briefings/", include("accord.briefings.urls")),
    path("interchange/", include("accord.interchange.urls")),
    path("settings/", include("accord.api.urls")),
    path("settings/webhooks/", include("accord.hooks.urls")),
    path("", include("accord.conversation.urls")),
    path("search/", include("accord.search.urls")),
    path("sources/", include("accord.sources.urls")),
]

urlpatterns = [
    path("", web_views.root, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("metrics", core_metrics.metrics, name="metrics"),
    path("accounts/login/", sso_views.SignInView.as_view(), name="login"),
    # Single sign-on (OpenID Connect): these answer 404 unless it is configured.
    path(
        "accounts/oidc/authenticate/",
        sso_views.ProviderSignInView.as_view(),
        name="oidc_authentication_init",
    ),
    path(
        "accounts/oidc/callback/",
        sso_views.ProviderCallbackView.as_view(),
        name="oidc_authentication_callback",
    ),
    path("accounts/logout/", sso_views.SignOutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(template_name="web/password_change.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "accounts/welcome/<uidb64>/<token>/",
        sso_views.SetPasswordView.as_view(),
        name="set_password",
    ),
    # Forgot your password? A link to choose a new one, by e-mail (accord/org/password_resets.py).
    path("accounts/password/forgot/", sso_views.forgot_password, name="forgot_password"),
    path(
        "accounts/password/forgot/sent/",
        sso_views.forgot_password_sent,
        name="forgot_password_sent",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        sso_views.ResetPasswordView.as_view(),
        name="reset_password",
    ),
    # A join link: the holder of the address's login signs in with it to join (web/join.py).
    path("accounts/join/<str:token>/", join_views.join, name="join"),
    path("admin/login/", sso_views.admin_login),  # refused when password sign-in is off
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("mcp", mcp_http.endpoint, name="mcp"),
    path("o/<slug:org_slug>/", include(org_patterns)),
]

# Under /api/ even the errors Django answers itself are JSON in the API's error format.
handler400 = "accord.api.views.bad_request"
handler500 = "accord.api.views.server_error"
