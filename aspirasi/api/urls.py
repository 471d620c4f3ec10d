"""/api/v1/ routes. Each area keeps its block; URLs are nouns, actions are sub-resources."""

from django.urls import path

from aspirasi.api import accounts, reference

urlpatterns = [
    # --- accounts and reference data (foundation)
    path("auth/register/", accounts.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", accounts.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", accounts.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("me/", accounts.MeView.as_view(), name="me"),
    path("areas/", reference.AreasView.as_view(), name="areas"),
    path("categories/", reference.CategoriesView.as_view(), name="categories"),
    path("target-groups/", reference.TargetGroupsView.as_view(), name="target-groups"),
    # --- proposals and votes
    # --- photo reports and proposal photos
    # --- moderation and flags
    # --- planning, programs
    # --- notifications and devices
]
