"""Bad configuration stops start-up with a message naming the variable."""

import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(**env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="backend.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; settings.DATABASES"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "postgres://"),
        ("REDIS_URL", "localhost:6379"),
        ("REDIS_URL", "redis://127.0.0.1:port/0"),
        ("DEBUG", "maybe"),
        ("VOTE_BUDGET", "ten"),
        ("JWT_ACCESS_MINUTES", "0"),
        ("SMS_BACKEND", "pigeon"),
        ("SMS_BACKEND", "sms.backends.console.SmsBackend"),
        ("SMS_READ_TIMEOUT", "soon"),
        ("WHATSAPP_API_VERSION", "23"),
        ("TRUSTED_PROXIES", "10.0.0.0/8,10.0.0.300"),
        ("LOGIN_FAILURE_LIMIT", "0"),
        ("LOGIN_ADDRESS_FAILURE_LIMIT", "2"),  # below LOGIN_FAILURE_LIMIT's 5
    ],
)
def test_malformed_value_names_the_variable(name, value):
    result = _start(**{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_proxies_are_described_one_way():
    result = _start(NUM_PROXIES="1", TRUSTED_PROXIES="10.0.0.2")
    assert result.returncode != 0
    assert "NUM_PROXIES or TRUSTED_PROXIES" in result.stderr


def test_production_map_tiles_come_over_https_only():
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "aspirasi.example.id"}
    result = _start(**production, MAP_TILE_URL="http://tiles.example.id/{z}/{x}/{y}.png")
    assert result.returncode != 0 and "MAP_TILE_URL" in result.stderr
    assert _start(**production, MAP_TILE_URL="https://tiles.example.id/{z}/{x}/{y}.png").returncode == 0


def test_production_needs_a_real_secret():
    result = _start(DEBUG="0", ALLOWED_HOSTS="aspirasi.example.id")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SMS_BACKEND": "whatsapp", "WHATSAPP_TOKEN": "t"}, "WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_CODE_TEMPLATE"),
        ({"SMS_BACKEND": "http", "SMS_HTTP_URL": "https://sms.8x8.id/api/v1/subaccounts/a/messages"}, "SMS_HTTP_TOKEN"),
        (
            {"DEBUG": "0", "SECRET_KEY": "s" * 40, "ALLOWED_HOSTS": "a.example", "SMS_HTTP_URL": "http://sms.example/"},
            "SMS_HTTP_URL must be an https:// URL",
        ),
    ],
)
def test_a_gateway_without_its_credentials_or_over_plain_http_stops_start_up(env, named):
    result = _start(**env)
    assert result.returncode != 0
    assert named in result.stderr


def test_nothing_set_runs_embedded():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s;"
            "print(s.DATABASES['default']['ENGINE'], s.CHANNEL_LAYERS['default']['BACKEND'], s.DEBUG)",
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
        | {"DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["django.db.backends.sqlite3", "channels.layers.InMemoryChannelLayer", "True"]


def test_postgres_url_uses_the_pool_without_persistent_connections():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; d = s.DATABASES['default'];"
            "print(d['ENGINE'], d['CONN_MAX_AGE'], 'pool' in d['OPTIONS'], s.CHANNEL_LAYERS['default']['BACKEND'])",
        ],
        cwd=ROOT,
        env=os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "DATABASE_URL": "postgres://u@db.internal:5432/aspirasi",
            "REDIS_URL": "redis://cache.internal:6379/0",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",  # Django's own, with its native pool
        "0",
        "True",
        "channels_redis.core.RedisChannelLayer",
    ]


@pytest.mark.parametrize(("setting", "expected"), [(None, "True 5"), ("0", "None None"), ("1", "True 5")])
def test_postgres_statements_are_prepared_unless_turned_off(setting, expected):
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DATABASE_URL": "postgres://u@db.internal:5432/aspirasi",
    }
    env.pop("DATABASE_PREPARED_STATEMENTS", None)
    if setting is not None:
        env["DATABASE_PREPARED_STATEMENTS"] = setting
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s;"
            "o = s.DATABASES['default']['OPTIONS']; print(o.get('server_side_binding'), o.get('prepare_threshold'))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == expected, result.stderr[-2000:]


def test_check_deploy_is_clean_with_debug_off():
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x7#kP2!vQ9zL4@mN8$wR1^tY6&uI3*oE5(aS0)dF-gH_jK+lZ=cV",
        "ALLOWED_HOSTS": "aspirasi.example.id",
        # Without a real gateway codes are only logged (messaging.W001).
        "SMS_BACKEND": "whatsapp",
        "WHATSAPP_TOKEN": "EAAG-not-a-real-token",
        "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        "WHATSAPP_CODE_TEMPLATE": "aspirasi_kode",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _sqlite_config(monkeypatch, tmp_path, source: str) -> dict:
    """The project's SQLite settings as `source` gives them: no DATABASE_URL (the embedded default), or a
    sqlite:// DATABASE_URL; on a file of the test's own."""
    from backend import settings as project_settings

    path = tmp_path / "db.sqlite3"
    if source == "url":
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    config = project_settings._database_from_env()
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    return {**config, "NAME": str(path)}


@contextlib.contextmanager
def _connections(config: dict, django_db_blocker, **options):
    """Two connections, "default" and "other", with `config` (and `options`), open for the block only."""
    from django.db.utils import ConnectionHandler

    config = {**config, "OPTIONS": {**config["OPTIONS"], **options}}
    handler = ConnectionHandler({"default": config, "other": config})
    with django_db_blocker.unblock():
        try:
            yield handler
        finally:
            handler.close_all()


@pytest.mark.parametrize("source", ["embedded", "url"])
def test_sqlite_commits_while_a_reader_holds_a_snapshot(source, tmp_path, monkeypatch, django_db_blocker):
    """SQLite logs ahead (WAL): a write commits while another connection is mid-read, and that reader keeps
    its snapshot. Under the rollback journal the commit waits for the reader (here: fails after the short
    timeout), and readers queue behind the waiting commit."""
    config = _sqlite_config(monkeypatch, tmp_path, source)
    with _connections(config, django_db_blocker, timeout=0.2) as handler:
        writer, reader = handler["default"], handler["other"]
        with writer.cursor() as cursor:
            cursor.execute("CREATE TABLE vote (id INTEGER PRIMARY KEY)")
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
        with reader.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT count(*) FROM vote")  # the reader now holds a snapshot
            with writer.cursor() as write:
                write.execute("BEGIN IMMEDIATE")
                write.execute("INSERT INTO vote DEFAULT VALUES")
                write.execute("COMMIT")  # rollback journal: "database is locked" after 0.2 s
            cursor.execute("SELECT count(*) FROM vote")
            assert cursor.fetchone()[0] == 0  # its snapshot
            cursor.execute("COMMIT")
            cursor.execute("SELECT count(*) FROM vote")
            assert cursor.fetchone()[0] == 1


@pytest.mark.parametrize("source", ["embedded", "url"])
def test_sqlite_read_then_write_transactions_queue_instead_of_failing(source, tmp_path, monkeypatch, django_db_blocker):
    """Two transactions that read, then write (as a vote does) at the same time both commit: each takes the
    write lock as it begins, so the second waits for the first. With a plain BEGIN both read, and the second
    to write fails at once with "database is locked" (SQLite's answer to a deadlock, whatever the timeout):
    the bench's SQLite storms answered 500 that way."""
    first_read, failures = threading.Event(), []

    def vote(alias: str, *, before=None, after_read=None):
        connection = handler[alias]
        try:
            if before:
                before.wait(5)
            # What transaction.atomic() does on SQLite (it reads the project's connections, not these).
            connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM vote")
                if after_read:
                    after_read.set()
                    time.sleep(0.3)  # the other transaction begins meanwhile
                cursor.execute("INSERT INTO vote DEFAULT VALUES")
            connection.commit()
        except Exception as exc:  # the test reports whatever failed
            failures.append(exc)
        finally:
            connection.close()

    with _connections(_sqlite_config(monkeypatch, tmp_path, source), django_db_blocker) as handler:
        with handler["default"].cursor() as cursor:
            cursor.execute("CREATE TABLE vote (id INTEGER PRIMARY KEY)")
        handler["default"].close()
        threads = [
            threading.Thread(target=vote, args=("default",), kwargs={"after_read": first_read}),
            threading.Thread(target=vote, args=("other",), kwargs={"before": first_read}),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert failures == []
        with handler["default"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM vote")
            assert cursor.fetchone()[0] == 2
