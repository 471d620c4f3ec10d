"""The users API authentication keeps for a few seconds in the shared cache (api/authentication.py): their
key, and forgetting one when it is saved or deleted, in every process (imported by AspirasiConfig.ready(),
which so loads no API module)."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver


def key(user_id: int) -> str:
    return f"api-user:{user_id}"


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="api_user_forget_saved")
@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="api_user_forget_deleted")
def forget(sender, instance, **kwargs):
    """Forget a saved or deleted user now, for the writer's transaction, and after the commit, when a
    request that read the old row meanwhile may have kept it again."""
    user_key = key(instance.pk)
    cache.delete(user_key)
    if transaction.get_connection().in_atomic_block:  # outside one, on_commit would delete it again now
        transaction.on_commit(lambda: cache.delete(user_key))
