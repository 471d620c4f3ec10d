"""Discussion (issue 25): comments, their flags, proposal follows, and `comment_count` on proposals.

`comment_count` is a tally: its change moves the tallies' version, as `vote_count`'s does (migration 0014), by
a trigger of its own. SQLite adds the column by copying the proposal table, which drops the list-version
triggers: they are created again afterwards, and before the reverse does the same.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_versions = importlib.import_module("aspirasi.migrations.0014_list_versions_by_triggers")


def _comment_count_trigger(connection) -> tuple[str, str]:
    """(create, drop) of the trigger moving the proposal's tally shard when its comment_count changes."""
    if connection.vendor == "postgresql":
        name = "aspirasi_proposal_comment_tallies"
        return (
            f"CREATE TRIGGER {name} AFTER UPDATE OF comment_count ON aspirasi_proposal FOR EACH ROW "
            "EXECUTE FUNCTION aspirasi_list_tallies_moved('id')",
            f"DROP TRIGGER IF EXISTS {name} ON aspirasi_proposal",
        )
    name = "aspirasi_proposal_comment_tallies_update"
    shard = f"'{_versions.TALLIES}:' || (NEW.id % {_versions.SHARDS})"
    return (
        f"CREATE TRIGGER {name} AFTER UPDATE OF comment_count ON aspirasi_proposal "
        f"BEGIN {_versions._UPSERT.format(name=shard)}; END",
        f"DROP TRIGGER IF EXISTS {name}",
    )


def create_triggers(apps, schema_editor):
    """Every list-version trigger, this migration's included (a later migration copying the proposal table on
    SQLite calls drop_triggers/create_triggers of this module)."""
    if schema_editor.connection.vendor == "sqlite":  # PostgreSQL alters tables in place, triggers kept
        _versions.drop(apps, schema_editor)
        _versions.create(apps, schema_editor)
    schema_editor.execute(_comment_count_trigger(schema_editor.connection)[0], params=None)


def drop_triggers(apps, schema_editor):
    schema_editor.execute(_comment_count_trigger(schema_editor.connection)[1], params=None)


def _recreate_sqlite_triggers(apps, schema_editor):
    """The reverse, once the column is gone (SQLite copied the table again)."""
    if schema_editor.connection.vendor == "sqlite":
        _versions.drop(apps, schema_editor)
        _versions.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("aspirasi", "0026_report_placement"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _recreate_sqlite_triggers),
        migrations.AddField(
            model_name="proposal",
            name="comment_count",
            field=models.PositiveIntegerField(default=0, verbose_name="comments"),
        ),
        migrations.CreateModel(
            name="Comment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("body", models.TextField(max_length=2000, verbose_name="text")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("visible", "Visible"),
                            ("deleted", "Deleted by its author"),
                            ("hidden", "Hidden by a moderator"),
                        ],
                        default="visible",
                        max_length=8,
                        verbose_name="state",
                    ),
                ),
                ("is_official", models.BooleanField(default=False, verbose_name="official answer")),
                ("author_role", models.CharField(blank=True, max_length=16, verbose_name="author role")),
                ("hidden_reason", models.CharField(blank=True, max_length=500, verbose_name="reason hidden")),
                (
                    "flag_review_requested_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="flag review requested"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("edited_at", models.DateTimeField(blank=True, null=True, verbose_name="edited")),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="comments",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "author_opd",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="aspirasi.opd",
                        verbose_name="OPD",
                    ),
                ),
                (
                    "kelurahan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="aspirasi.kelurahan",
                        verbose_name="kelurahan",
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="replies",
                        to="aspirasi.comment",
                        verbose_name="reply to",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="aspirasi.proposal",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="aspirasi.report",
                    ),
                ),
            ],
            options={
                "verbose_name": "comment",
                "verbose_name_plural": "comments",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="CommentFlag",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("spam", "Spam"),
                            ("offensive", "Offensive"),
                            ("personal_data", "Personal data"),
                            ("not_relevant", "Not relevant"),
                            ("duplicate", "Duplicate"),
                        ],
                        max_length=16,
                        verbose_name="reason",
                    ),
                ),
                ("message", models.CharField(blank=True, max_length=500, verbose_name="message")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("resolved_at", models.DateTimeField(blank=True, null=True, verbose_name="resolved")),
                (
                    "comment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="flags", to="aspirasi.comment"
                    ),
                ),
                (
                    "flagger",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comment_flags",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "comment flag",
                "verbose_name_plural": "comment flags",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ProposalFollow",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("active", models.BooleanField(default=True, verbose_name="following")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="follows", to="aspirasi.proposal"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="proposal_follows",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "proposal follow",
                "verbose_name_plural": "proposal follows",
            },
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["proposal", "created_at", "id"], name="comment_proposal_thread"),
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(fields=["report", "created_at", "id"], name="comment_report_thread"),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("proposal__isnull", False), ("report__isnull", True)),
                    models.Q(("proposal__isnull", True), ("report__isnull", False)),
                    _connector="OR",
                ),
                name="comment_exactly_one_item",
            ),
        ),
        migrations.AddConstraint(
            model_name="comment",
            constraint=models.CheckConstraint(
                condition=models.Q(("state__in", ["visible", "deleted", "hidden"])), name="comment_state_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="commentflag",
            constraint=models.UniqueConstraint(fields=("comment", "flagger"), name="comment_flag_once"),
        ),
        migrations.AddConstraint(
            model_name="proposalfollow",
            constraint=models.UniqueConstraint(fields=("proposal", "user"), name="proposal_follow_once"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
