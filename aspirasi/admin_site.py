"""The admin site, the one place that decides how staff sign in to it.

django-otp's OTPAdminSite when ADMIN_OTP_REQUIRED is on (read per request, so a deployment's setting is all it
takes): a staff member enters only verified by a confirmed TOTP device, and the login form asks for its
token. Off, Django's own. Either way the form takes the phone as residents type it (0812..., +62...) and
authenticates its E.164 form, the name django-axes counts failures under, as for the API's login.

Outside the aspirasi.admin package on purpose: importing that package registers its ModelAdmins on
`admin.site`, and `admin.site` is built by importing this module (AspirasiAdminConfig.default_site).
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from aspirasi.errors import InvalidPhoneNumber
from aspirasi.services.accounts import phone_normalize


class _PhoneUsername:
    def clean_username(self):
        raw = self.cleaned_data.get("username")
        try:
            return phone_normalize(raw)
        except InvalidPhoneNumber:
            return raw  # authentication fails as for any unknown name, and axes counts it


class LoginForm(_PhoneUsername, AdminAuthenticationForm):
    pass


class OTPLoginForm(_PhoneUsername, OTPAdminAuthenticationForm):
    pass


class AspirasiAdminSite(OTPAdminSite):
    site_header = _("Aspirasi Balikpapan administration")
    site_title = _("Aspirasi Balikpapan")
    index_title = _("What needs doing")
    site_url = "/api/docs/"  # there is no public web site here: "View site" opens the API's documentation

    def __init__(self, name="admin"):
        super().__init__(name)
        self._pages: dict[str, Callable[[], list]] = {}

    def add_pages(self, urls: Callable[[], list]) -> None:
        """Pages of our own beside the ModelAdmins' (the workbench, the workload, the planning dashboard):
        `urls` returns their URL patterns when the URLconf is built. Keyed by name, so a module imported twice
        adds its pages once."""
        self._pages[f"{urls.__module__}.{urls.__qualname__}"] = urls

    def get_urls(self):
        return [*(url for urls in self._pages.values() for url in urls()), *super().get_urls()]

    @property
    def login_form(self):
        return OTPLoginForm if settings.ADMIN_OTP_REQUIRED else LoginForm

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.ADMIN_OTP_REQUIRED else None

    def has_permission(self, request):
        if settings.ADMIN_OTP_REQUIRED:
            return super().has_permission(request)  # staff, and verified by a device
        return AdminSite.has_permission(self, request)
