from django.urls import path

from aspirasi.api import accounts, reference

urlpatterns = [
    path("auth/register/", accounts.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", accounts.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", accounts.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("me/", accounts.MeView.as_view(), name="me"),
    path("areas/", reference.AreasView.as_view(), name="areas"),
    path("categories/", reference.CategoriesView.as_view(), name="categories"),
    path("target-groups/", reference.TargetGroupsView.as_view(), name="target-groups"),
]
