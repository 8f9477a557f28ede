from django.contrib.auth import views as auth_views
from django.urls import path

from . import tokens, twofactor, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("large-text/", views.toggle_large_text, name="large_text"),
    path("elder-mode/", views.toggle_elder_mode, name="elder_mode"),
    path("users/", views.UserListView.as_view(), name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("roles/<int:pk>/remove/", views.role_remove, name="role_remove"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path("password/", views.password_change, name="password_change"),
    path("session/", views.session_status, name="session_status"),
    path("session/ping/", views.session_ping, name="session_ping"),
    path("token/", tokens.my_token, name="token"),
    path("two-factor/", twofactor.manage, name="two_factor"),
    path("two-factor/verify/", twofactor.verify, name="two_factor_verify"),
    path("two-factor/setup/", twofactor.setup, name="two_factor_setup"),
    path("users/<int:pk>/two-factor/reset/", twofactor.reset, name="two_factor_reset"),
]
