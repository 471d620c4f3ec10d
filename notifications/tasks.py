"""Background tasks (django-tasks; the database backend and `manage.py db_worker` in development and
production). Each task is a thin wrapper around a service so the work is testable without a worker."""

from django_tasks import task

from notifications import services


@task()
def notifications_dispatch(notification_ids: list[int], publish_live: bool) -> dict[str, int]:
    """Publish a batch of new notifications live (large fan-outs) and push their pending deliveries."""
    return services.notifications_dispatch(notification_ids=notification_ids, publish_live_events=publish_live)


@task()
def comment_notify(comment_id: int) -> int:
    """Tell a new comment's thread followers, coalesced per window (services.notify_comment_posted)."""
    return services.notify_comment_posted(comment_id=comment_id)


@task()
def push_retry() -> dict[str, int]:
    """Send every due pending push delivery: the retry sweep (also `manage.py push_retry`)."""
    return services.push_deliveries_send()


@task()
def moderation_digest() -> int:
    """Send moderators their daily digest (also `manage.py send_moderation_digest`)."""
    return services.moderation_digest_send()
