"""PostgreSQL only: full-text and trigram indexes for proposal search and duplicate detection.

SQLite has neither; the selectors fall back to a portable query there."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS proposal_fts ON aspirasi_proposal "
    "USING gin (to_tsvector('indonesian', coalesce(title, '') || ' ' || coalesce(description, '')))",
    "CREATE INDEX IF NOT EXISTS proposal_title_trgm ON aspirasi_proposal USING gin (title gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS proposal_title_trgm", "DROP INDEX IF EXISTS proposal_fts"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("aspirasi", "0003_moderation")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
