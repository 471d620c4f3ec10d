from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The response to a create, kept for a day under the client's Idempotency-Key.

    A retry with the same key and body gets the stored response; the unique constraint makes two
    concurrent retries wait for each other instead of both creating.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=255, help_text="HTTP method and path the key was used on")
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")]

    def __str__(self) -> str:
        return f"{self.scope} [{self.key}]"
