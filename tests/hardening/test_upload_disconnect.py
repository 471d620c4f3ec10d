"""A phone losing its connection mid-upload leaves nothing half-written: no record, no file."""

import json
import socket
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from tests.browser.server import manage, seed_people
from tests.factories import image_bytes

BOUNDARY = "aspirasiboundary"

COUNT_REPORTS = "from aspirasi.models import Report; print(Report.objects.count())"


def _multipart(fields: dict, image: bytes) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="foto.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + image
        + b"\r\n"
    )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def _post(url: str, token: str, body: bytes, *, send: int | None = None) -> None:
    """POST `body` to /api/v1/reports/; with `send`, write only that many bytes and hang up."""
    parts = urlsplit(url)
    head = (
        f"POST /api/v1/reports/ HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(head + body[:send])
        if send is None:
            connection.recv(65536)


def _stored_files(env: dict) -> list[Path]:
    return [p for p in Path(env["MEDIA_ROOT"]).rglob("*") if p.is_file()] if Path(env["MEDIA_ROOT"]).exists() else []


def test_client_hanging_up_mid_upload_writes_nothing(asgi_server):
    url, env = asgi_server
    people = seed_people(env)
    fields = {"description": "Jalan berlubang", "category": people["category_id"], "kelurahan": people["kelurahan_id"]}
    body = _multipart(fields, image_bytes(size=(1600, 1200)) + bytes(200_000))

    _post(url, people["resident_token"], body, send=len(body) // 2)
    time.sleep(1.5)
    assert manage(env, "shell", "-c", COUNT_REPORTS).strip().splitlines()[-1] == "0"
    assert _stored_files(env) == []
    with urllib.request.urlopen(f"{url}/healthz", timeout=5) as health:  # noqa: S310 - our own server
        assert json.load(health)["status"] == "ok"  # the worker survived

    # The same upload sent whole is stored: the check above can fail.
    _post(url, people["resident_token"], _multipart(fields, image_bytes(size=(1600, 1200))))
    assert manage(env, "shell", "-c", COUNT_REPORTS).strip().splitlines()[-1] == "1"
    assert len(_stored_files(env)) == 3  # image and two thumbnails
