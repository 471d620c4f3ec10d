"""Daily: tell each moderator how many items have waited too long in their areas. Run it from cron."""

from django.core.management.base import BaseCommand

from notifications.services import moderation_digest_send
from notifications.tasks import moderation_digest


class Command(BaseCommand):
    help = "Send moderators the digest of items waiting longer than MODERATION_DIGEST_WAITING_HOURS (once a day)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Hand the work to the task worker instead")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            moderation_digest.enqueue()
            self.stdout.write("moderation digest enqueued")
            return
        self.stdout.write(f"{moderation_digest_send()} moderation digest(s) sent")
