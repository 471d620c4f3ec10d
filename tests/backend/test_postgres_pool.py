"""The pool's check on a connection it hands out (backend/postgresql/base.py): a round trip only when the
connection has been idle a while or its socket holds something, such as a terminated backend's error."""

import socket
import time
from types import SimpleNamespace

import pytest
from django.db import connection
from psycopg_pool import ConnectionPool

from backend.postgresql import base
from tests.processes import run_server_process


class FakeConnection:
    """What check_connection reads of a psycopg connection; `socket` is one end of a socketpair."""

    def __init__(self, sock: socket.socket, *, broken: bool = False):
        self.closed = False
        self.broken = broken
        self.pgconn = SimpleNamespace(socket=sock.fileno())


@pytest.fixture
def full_checks(monkeypatch):
    checked = []
    monkeypatch.setattr(ConnectionPool, "check_connection", staticmethod(checked.append))
    return checked


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    yield ours, theirs
    ours.close()
    theirs.close()


def test_a_connection_just_back_and_quiet_goes_out_without_a_round_trip(full_checks, pair):
    conn = FakeConnection(pair[0])
    base._returned_at[conn] = time.monotonic()
    base.check_connection(conn)
    assert full_checks == []


def test_a_connection_never_returned_is_checked(full_checks, pair):
    conn = FakeConnection(pair[0])  # new from the pool: not handed out before
    base.check_connection(conn)
    assert full_checks == [conn]


def test_a_connection_idle_for_a_while_is_checked(full_checks, pair):
    conn = FakeConnection(pair[0])
    base._returned_at[conn] = time.monotonic() - base.IDLE_CHECK_AFTER - 0.01
    base.check_connection(conn)
    assert full_checks == [conn]


@pytest.mark.parametrize("arrived", [b"E", None], ids=["an error message", "the server closed it"])
def test_a_connection_whose_socket_holds_something_is_checked(full_checks, pair, arrived):
    conn = FakeConnection(pair[0])
    base._returned_at[conn] = time.monotonic()
    if arrived:
        pair[1].sendall(arrived)
    else:
        pair[1].shutdown(socket.SHUT_WR)
    base.check_connection(conn)
    assert full_checks == [conn]


def test_a_connection_psycopg_knows_is_broken_is_checked(full_checks, pair):
    conn = FakeConnection(pair[0], broken=True)
    base._returned_at[conn] = time.monotonic()
    base.check_connection(conn)
    assert full_checks == [conn]


COUNTING_PROCESS = """
import django, time
django.setup()
from django.db import connection
from django.test import Client
from psycopg_pool import ConnectionPool
checks = []
check = ConnectionPool.check_connection
ConnectionPool.check_connection = staticmethod(lambda conn: (checks.append(1), check(conn)))
client = Client(HTTP_HOST="127.0.0.1")
statuses = []

def request():
    statuses.append(client.get("/api/v1/proposals/").status_code)  # reads the list's versions
    connection.close()  # the end of a request (the test client leaves it open): back to the pool

for _ in range(5):
    request()
quick = len(checks)
time.sleep(1.2)
request()
print(type(connection.pool).__name__, quick, len(checks) - quick, *statuses)
"""


@pytest.mark.django_db
def test_requests_in_quick_succession_skip_the_round_trip():
    """A server process: the first checkout of a new connection is checked, the next four within a second
    are not, and one after a second's idleness is checked again."""
    if connection.vendor != "postgresql":
        pytest.skip("the connection pool is PostgreSQL's")
    # One connection in the pool, so every request has the one the previous request returned.
    result = run_server_process(COUNTING_PROCESS, timeout=60, DATABASE_POOL_MIN="1", DATABASE_POOL_MAX="1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["ConnectionPool", "1", "1", *["200"] * 6]
