"""Django's PostgreSQL backend, checking a pooled connection as it leaves the pool without a round trip.

With a pool, Django's CONN_HEALTH_CHECKS makes psycopg_pool send an empty query whenever a connection is
handed out: a round trip on every request that touches the database, costing more CPU (client, server,
kernel) than planning a small query. A connection the server has closed (a restart,
`pg_terminate_backend`, an idle timeout) shows without one: the server writes its FATAL message and
closes, so the idle socket turns readable. Only then is the connection checked the usual way; a dead one
is closed and given back (the pool discards it) and another is taken. A peer that vanished silently
(no FIN) is not seen here: the request using it fails as with any connection dying mid-request, and the
pool replaces it.
"""

import select

from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


def closed_by_server(connection) -> bool:
    poller = select.poll()  # poll, not select: a process may hold file descriptors past select's 1024
    poller.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if not poller.poll(0):  # nothing arrived while it was idle: the usual case
        return False
    try:
        ConnectionPool.check_connection(connection)  # a goodbye, or only a notice?
    except Exception:
        return True
    return False


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        while self.pool and closed_by_server(connection):
            connection.close()
            self.pool.putconn(connection)  # a closed connection given back is discarded and replaced
            connection = super().get_new_connection(conn_params)
        return connection
