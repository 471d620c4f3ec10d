"""The admin site, the one place that decides how staff sign in to it.

django-otp's OTPAdminSite when ADMIN_OTP_REQUIRED is on (read per request, so a deployment's setting is all it
takes): a staff member enters only verified by a confirmed TOTP device, and the login form asks for its
token. Off, Django's own. Either way the form takes the phone as residents type it (0812..., +62...) and
authenticates its E.164 form, the name django-axes counts failures under, as for the API's login.

Outside the aspirasi.admin package on purpose: importing that package registers its ModelAdmins on
`admin.site`, and `admin.site` is built by importing this module (AspirasiAdminConfig.default_site).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.urls import reverse
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


@dataclass(frozen=True)
class MenuPage:
    """A page of our own in the menu ("My work", first on the index and in the sidebar), shown to the users
    `allowed` (the same policy the page's view asks) lets in."""

    url_name: str
    title: str
    allowed: Callable[[object], bool]


class AspirasiAdminSite(OTPAdminSite):
    site_header = _("Aspirasi Balikpapan administration")
    site_title = _("Aspirasi Balikpapan")
    index_title = _("What needs doing")
    site_url = "/api/docs/"  # there is no public web site here: "View site" opens the API's documentation

    def __init__(self, name="admin"):
        super().__init__(name)
        self._pages: dict[str, tuple[Callable[[], list], tuple[MenuPage, ...]]] = {}

    def add_pages(self, urls: Callable[[], list], *, menu: Iterable[MenuPage] = ()) -> None:
        """Pages of our own beside the ModelAdmins' (the workbench, the workload, the planning dashboard):
        `urls` returns their URL patterns when the URLconf is built, `menu` the ones a role starts from. Keyed
        by name, so a module imported twice adds its pages once."""
        self._pages[f"{urls.__module__}.{urls.__qualname__}"] = (urls, tuple(menu))

    def get_urls(self):
        return [*(url for urls, _menu in self._pages.values() for url in urls()), *super().get_urls()]

    def get_app_list(self, request, app_label=None):
        """The ModelAdmins' sections, after "My work": the pages this user's role works in. An OPD officer has
        no ModelAdmin at all, and would otherwise land on "You don't have permission to view anything"."""
        apps = super().get_app_list(request, app_label)
        pages = [page for _urls, menu in self._pages.values() for page in menu if page.allowed(request.user)]
        if app_label is not None or not pages:
            return apps
        links = [{"page": page, "url": reverse(f"{self.name}:{page.url_name}")} for page in pages]
        work = {
            "name": _("My work"),
            "app_label": "work",
            "app_url": links[0]["url"],
            "has_module_perms": True,
            "models": [
                {"name": link["page"].title, "object_name": link["page"].url_name, "admin_url": link["url"]}
                | {"add_url": None, "view_only": True, "perms": {"view": True}}
                for link in links
            ],
        }
        return [work, *apps]

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
