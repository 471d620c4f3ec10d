from django.db import models


class ListVersion(models.Model):
    """A counter that moves whenever a cached list's content changes (see aspirasi/public_list.py).

    Kept in the database, not in the cache: every process, with or without Redis, reads the same number,
    and a flushed cache cannot bring an old version back.
    """

    name = models.CharField(max_length=50, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} v{self.value}"
