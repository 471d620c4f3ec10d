"""The sockets' metrics (Prometheus, served by aspirasi/api/metrics.py).

A gauge of sockets accepted and not yet closed, per consumer. "livesum": in prometheus-client's
multiprocess mode (PROMETHEUS_MULTIPROC_DIR) a scrape sums the live processes' values.
"""

from prometheus_client import Gauge

OPEN_SOCKETS = Gauge(
    "aspirasi_websockets_open", "WebSockets accepted and still open", ["consumer"], multiprocess_mode="livesum"
)
