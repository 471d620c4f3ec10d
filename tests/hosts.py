"""Application servers as separate hosts for a test: each in a network namespace of its own, with its own
address, its own local directories and its own processes, sharing PostgreSQL, Redis and object storage.

The namespaces hang off one bridge made for the test (names and a /24 drawn from this process's id, so two
runs on a machine do not meet). The host side of the bridge is where the hosts find the shared services:
the S3 server listens there, and a small forwarder in the test process relays PostgreSQL and Redis, which
listen on 127.0.0.1 only, from there. Every address is one the test made; nothing leaves the machine.

Where namespaces cannot be made (not root, no iproute2), the hosts are separate processes on 127.0.0.1, on ports of
their own: `Network.isolated` says which, and the test prints it.
"""

import asyncio
import os
import subprocess
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field


def _ip(*args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["ip", *args], capture_output=True, text=True, check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as error:  # no iproute2: the fallback, on 127.0.0.1
        return subprocess.CompletedProcess(["ip", *args], 1, "", str(error))


@dataclass
class Network:
    """Where the shared services are reached (`services`), and each host's address and command prefix."""

    isolated: bool
    services: str
    hosts: list[str]
    prefixes: list[list[str]]
    _cleanup: list[list[str]] = field(default_factory=list)


def _namespaces(count: int) -> Network | None:
    """`count` namespaces on a fresh bridge, or None when this machine will not make them."""
    tag = os.getpid() % 100_000
    subnet = f"10.{226 + os.getpid() % 20}.{os.getpid() % 250}"
    bridge = f"asb{tag}"
    network = Network(isolated=True, services=f"{subnet}.1", hosts=[], prefixes=[])
    if _ip("link", "add", bridge, "type", "bridge").returncode != 0:
        return None
    network._cleanup.append(["link", "del", bridge])
    steps = [["addr", "add", f"{subnet}.1/24", "dev", bridge], ["link", "set", bridge, "up"]]
    for index in range(count):
        namespace, outside, inside = f"asn{tag}-{index}", f"asv{tag}-{index}", f"asi{tag}-{index}"
        address = f"{subnet}.{index + 2}"
        network._cleanup.insert(0, ["netns", "del", namespace])
        in_namespace = ["netns", "exec", namespace, "ip"]
        steps += [
            ["netns", "add", namespace],
            ["link", "add", outside, "type", "veth", "peer", "name", inside],
            ["link", "set", inside, "netns", namespace],
            ["link", "set", outside, "master", bridge],
            ["link", "set", outside, "up"],
            [*in_namespace, "addr", "add", f"{address}/24", "dev", inside],
            [*in_namespace, "link", "set", inside, "up"],
            [*in_namespace, "link", "set", "lo", "up"],
        ]
        network.hosts.append(address)
        network.prefixes.append(["ip", "netns", "exec", namespace])
    for step in steps:
        if _ip(*step).returncode != 0:
            _teardown(network)
            return None
    return network


def _teardown(network: Network) -> None:
    for step in network._cleanup:
        _ip(*step)  # deleting a namespace deletes its veth end, and with it the peer


class _Forwarder:
    """Relays TCP connections from (listen address, port) to 127.0.0.1:port, in a thread of its own."""

    def __init__(self, address: str, ports: list[int]):
        self.loop = asyncio.new_event_loop()
        self.address, self.ports = address, ports
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    def _relay_to(self, port: int):
        async def relay(reader, writer):
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                writer.close()
                return
            await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))

        return relay

    def __enter__(self):
        self.thread.start()
        self.servers = [
            asyncio.run_coroutine_threadsafe(
                asyncio.start_server(self._relay_to(port), self.address, port), self.loop
            ).result(timeout=5)
            for port in self.ports
        ]
        return self

    def __exit__(self, *exc):
        async def close():
            for server in self.servers:
                server.close()
            # Relays still open end with the loop; the servers' clients are gone by now.

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


@contextmanager
def hosts(count: int, *, forward_ports: list[int]):
    """`count` hosts and where they reach the shared services; PostgreSQL's and Redis' `forward_ports`
    are relayed there from 127.0.0.1 when the hosts are in namespaces."""
    network = _namespaces(count)
    if network is None:
        yield Network(isolated=False, services="127.0.0.1", hosts=["127.0.0.1"] * count, prefixes=[[]] * count)
        return
    try:
        with _Forwarder(network.services, forward_ports):
            yield network
    finally:
        _teardown(network)
