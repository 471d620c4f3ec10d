"""Two application servers as two hosts, sharing PostgreSQL, Redis and object storage (issue 26).

Each host is a daphne process (HTTP and WebSockets) in a network namespace of its own, with its own
address, MEDIA_ROOT and temporary directory (tests/hosts.py; separate processes on 127.0.0.1 where
namespaces cannot be made, and the test says so). The S3 server is moto's, started here. What a load
balancer spreading one city's clients over machines needs: a photo uploaded through host A is served to a
client of host B, a moderator's socket on B hears of a submission on A, and a vote on A is in B's next read.
"""

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings
from django.db import connection
from websockets.sync.client import connect

from aspirasi.models import ProposalStatus
from aspirasi.services.accounts import tokens_for
from tests import hosts
from tests.aspirasi.test_images import photo_bytes
from tests.browser.server import serving
from tests.factories import ProposalFactory, category, kelurahan
from tests.object_storage import moto_server, new_bucket, storage_env

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="hosts share one database: needs PostgreSQL"),
    pytest.mark.skipif(not settings.REDIS_URL, reason="hosts share one channel layer and cache: needs Redis"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PORT = 8000


def _host_env(network, index: int, *, home: Path, endpoint: str, bucket: str) -> dict:
    database = connection.settings_dict
    redis = urlsplit(settings.REDIS_URL)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_") and k != "DJANGO_SETTINGS_MODULE"}
    return env | {
        "DATABASE_URL": f"postgres://{database['USER']}@{network.services}:{database['PORT'] or 5432}"
        f"/{database['NAME']}",
        "REDIS_URL": f"redis://{network.services}:{redis.port or 6379}{redis.path}",
        "MEDIA_ROOT": str(home / "media"),
        "TMPDIR": str(home / "tmp"),  # where Django spools a large upload
        "ALLOWED_HOSTS": ",".join(network.hosts),
        "DEBUG": "1",
        **storage_env(endpoint, bucket),
    }


@pytest.fixture(scope="module")
def cluster(django_db_setup, tmp_path_factory):
    """Hosts A and B serving the test database, with the test's Redis and a fresh bucket."""
    root = tmp_path_factory.mktemp("hosts")
    forwarded = [int(connection.settings_dict["PORT"] or 5432), urlsplit(settings.REDIS_URL).port or 6379]
    with hosts.hosts(2, forward_ports=forwarded) as network, ExitStack() as stack:
        print(f"hosts in network namespaces: {network.isolated} ({', '.join(network.hosts)})", file=sys.stderr)
        endpoint = stack.enter_context(moto_server(root / "moto.log", host=network.services))
        bucket = new_bucket(endpoint)
        servers = []
        for index, (address, prefix) in enumerate(zip(network.hosts, network.prefixes, strict=True)):
            home = root / f"host-{'ab'[index]}"
            (home / "tmp").mkdir(parents=True)
            port = PORT if network.isolated else PORT + 1000 + index  # one address: ports of their own
            command = [*prefix, sys.executable, "-m", "daphne", "-b", address, "-p", str(port)]
            env = _host_env(network, index, home=home, endpoint=endpoint, bucket=bucket)
            servers.append(
                serving(
                    [*command, "backend.asgi:application"],
                    env,
                    port=port,
                    log=home / "daphne.log",
                    name=f"host {'AB'[index]}",
                    host=address,
                )
            )
        # Both start at once (each takes a few seconds to load Django).
        with ThreadPoolExecutor(2) as pool:
            urls = list(pool.map(stack.enter_context, servers))
        yield SimpleNamespace(
            a=urls[0], b=urls[1], media_roots=[root / f"host-{h}" / "media" for h in "ab"], endpoint=endpoint
        )


def _bearer(user) -> dict:
    return {"Authorization": f"Bearer {tokens_for(user)['access']}"}


def _local_files(roots: list[Path]) -> list[Path]:
    return [path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()]


def test_a_photo_uploaded_through_a_is_served_to_a_client_of_b(cluster, resident):
    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)

    uploaded = requests.post(
        f"{cluster.a}/api/v1/proposals/{proposal.pk}/photos/",
        files={"image": ("photo.jpg", photo_bytes(), "image/jpeg")},
        headers=_bearer(resident),
        timeout=10,
    )
    assert uploaded.status_code == 201, uploaded.text
    detail = requests.get(f"{cluster.b}/api/v1/proposals/{proposal.pk}/", headers=_bearer(resident), timeout=10)

    assert detail.status_code == 200, detail.text
    [photo] = detail.json()["photos"]
    assert photo["id"] == uploaded.json()["id"]
    served_by_b = requests.get(photo["image"], timeout=10)
    assert served_by_b.status_code == 200 and served_by_b.content[:3] == b"\xff\xd8\xff"  # a JPEG
    assert served_by_b.content == requests.get(uploaded.json()["image"], timeout=10).content
    assert photo["image"].startswith(cluster.endpoint)
    assert _local_files(cluster.media_roots) == []  # nothing on either host's disk


def test_a_moderators_socket_on_b_hears_of_a_submission_on_a(cluster, resident, moderator_manggar):
    socket_url = cluster.b.replace("http://", "ws://") + "/ws/moderation/"

    with connect(socket_url, additional_headers=_bearer(moderator_manggar), open_timeout=10) as socket:
        created = requests.post(
            f"{cluster.a}/api/v1/proposals/",
            json={
                "title": "Pelatihan menjahit untuk ibu-ibu RT 05",
                "description": "Ibu rumah tangga butuh keterampilan untuk usaha rumahan.",
                "category": category().pk,
                "kelurahan": kelurahan("manggar").pk,
            },
            headers=_bearer(resident),
            timeout=10,
        )
        assert created.status_code == 201, created.text
        event = json.loads(socket.recv(timeout=5))

    assert event["type"] == "proposal.submitted"
    assert event["payload"]["proposal_id"] == created.json()["id"]


def test_a_vote_on_a_is_in_bs_next_list_read(cluster, resident):
    proposal = ProposalFactory()

    def count_on_b() -> int:
        listed = requests.get(f"{cluster.b}/api/v1/proposals/", timeout=10)
        assert listed.status_code == 200, listed.text
        return next(item["vote_count"] for item in listed.json()["results"] if item["id"] == proposal.pk)

    assert count_on_b() == 0  # B now holds the page in its own cache
    voted = requests.post(f"{cluster.a}/api/v1/proposals/{proposal.pk}/vote/", headers=_bearer(resident), timeout=10)
    assert voted.status_code == 201, voted.text

    assert count_on_b() == 1
