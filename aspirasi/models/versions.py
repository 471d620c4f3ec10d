from django.db import models


class ListVersion(models.Model):
    """A counter that moves whenever cached data changes: the public list's (aspirasi/public_list.py), the
    current cycle's (aspirasi/services/cycles.py). Database triggers move them.

    Kept in the database, not in the cache: every process, with or without Redis, reads the same number,
    and a flushed cache cannot bring an old version back.
    """

    name = models.CharField(max_length=50, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} v{self.value}"
