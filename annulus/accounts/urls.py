from django.urls import path

from annulus.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("mfa/", views.mfa_verify, name="mfa"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("mfa/backup-codes/", views.backup_codes, name="backup_codes"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/complete/", views.password_reset_complete, name="password_reset_complete"),
]
