"""What a process loads before it serves: the URLconf and, through it, every view, serializer and client
library. Django imports them on the first request; each new gunicorn worker would then answer its first
requests a third of a second late, after a deploy or a restart, under whatever load is running."""

from django.urls import get_resolver


def warm_up() -> None:
    get_resolver().url_patterns  # noqa: B018 - the import is the point
