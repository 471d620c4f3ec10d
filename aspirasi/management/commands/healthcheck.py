"""`manage.py healthcheck`: the readiness checks of /healthz/ready, run in this process, for a role with no
HTTP port. The task worker (`manage.py db_worker`) takes its work from the database, so that is what it
needs; exits 1 when not ready (docs/deploy.md, "Health")."""

import json

from django.core.management.base import BaseCommand, CommandError

from aspirasi.api.health import readiness


class Command(BaseCommand):
    help = "Exit 0 when the database answers (as /healthz/ready), 1 otherwise; prints the checks as JSON."

    def handle(self, *args, **options):
        is_ready, body = readiness()
        self.stdout.write(json.dumps(body))
        if not is_ready:
            raise CommandError(f"not ready: {body['status']}")
