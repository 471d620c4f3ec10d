"""`make run`'s Open311 demo: an integration's API key (shown once) and one request filed through it."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aspirasi.models import Category, Kelurahan, Role, User
from open311.models import ApiKey
from open311.services import api_key_issue, service_request_create


class Command(BaseCommand):
    help = "Issue a demo Open311 API key and file one request with it (DEBUG only; after seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never in production)")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_open311_demo runs only with DEBUG on")
        admin = User.objects.filter(role=Role.ADMIN).order_by("id").first()
        if ApiKey.objects.exists() or admin is None:
            self.stdout.write("Open311: keys exist already (or no admin yet); nothing seeded.")
            return
        key = ApiKey(name="Aplikasi kanal pengaduan kota (demo)")
        raw = api_key_issue(api_key=key, actor=admin)
        service_request_create(
            api_key=key,
            category=Category.objects.order_by("order", "id").first(),
            kelurahan=Kelurahan.objects.get(slug="manggar"),
            description="Lampu jalan di depan posyandu mati sejak seminggu.",
            latitude=None,
            longitude=None,
            address_string="",
            media_url="",
            filer={},
        )
        self.stdout.write(f"Open311: API key {raw} (shown once); 1 request filed (see /open311/v2/discovery.json).")
