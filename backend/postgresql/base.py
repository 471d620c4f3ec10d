"""Django's PostgreSQL backend, with one change: how the pool checks a connection it hands out.

Django's pool runs psycopg's `check_connection` (an empty query) on every checkout when CONN_HEALTH_CHECKS
is on: one more round trip per request (in-process, 6-13% of a logged-in list page's time; more where the
database is across a network). `check_connection` here runs that query only when it can find something:

- the connection's socket has something to read while idle in the pool: a backend terminated by a restart
  or `pg_terminate_backend` sends its FATAL error and closes the socket, so the connection is seen dead
  without a round trip;
- or the connection has been idle for IDLE_CHECK_AFTER seconds: a connection a firewall or NAT dropped in
  silence only fails when written to, so it is written to here rather than in a request.

Under load connections come back within milliseconds and go out unchecked; at low traffic every checkout
is checked as before, where the round trip costs nothing that matters. A request racing a restart can still
fail, as it could between the empty query and its own first statement.
"""

import select
import time
import weakref

from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool

# HikariCP's aliveBypassWindowMs is 500 ms; a second still keeps the check off every request under load.
IDLE_CHECK_AFTER = 1.0

_returned_at: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def check_connection(conn) -> None:
    """The pool's `check`: raise if `conn` is not fit to hand out (ConnectionPool.check_connection)."""
    returned = _returned_at.get(conn)
    if returned is not None and time.monotonic() - returned < IDLE_CHECK_AFTER and not _has_input(conn):
        return
    ConnectionPool.check_connection(conn)


def _has_input(conn) -> bool:
    """Whether an idle connection's socket holds something: an error and EOF from a terminated backend (or,
    harmlessly, a notice: the full check then reads it)."""
    if conn.closed or conn.broken:
        return True
    poller = select.poll()
    poller.register(conn.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        # Django's pool property, building the same ConnectionPool with the check above.
        pool_options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == base.NO_DB_ALIAS or not pool_options:
            return None
        if self.alias not in self._connection_pools:
            if not self.settings_dict["CONN_HEALTH_CHECKS"] or self.settings_dict["CONN_MAX_AGE"]:
                return super().pool  # no check at all, or Django's error for persistent connections
            pool = ConnectionPool(
                kwargs={**self.get_connection_params(), "autocommit": True},  # Django sets its own later
                open=False,  # opened on first use, as Django does
                configure=self._configure_connection,
                check=check_connection,
                **({} if pool_options is True else pool_options),
            )
            self._connection_pools.setdefault(self.alias, pool)
        return self._connection_pools[self.alias]

    def _close(self):
        if self.connection is not None and self.pool:
            # When it went back to the pool, for check_connection. Recorded here, not by the pool's `reset`
            # callback: with one, psycopg_pool returns every connection through its worker thread.
            _returned_at[self.connection] = time.monotonic()
        super()._close()
