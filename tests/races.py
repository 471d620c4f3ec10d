"""Races for the PostgreSQL concurrency tests: calls released together, each in its own thread and connection."""

import threading

from django.db import connections

from aspirasi.errors import DomainError


def race(*calls) -> list[str | None]:
    """Run each call in its own thread and connection, released together; returns "ok" or the error code
    of each (None for one that did not finish)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str | None] = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "ok"
        except DomainError as error:
            outcomes[index] = error.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
