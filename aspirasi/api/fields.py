"""Serializer fields shared by the API."""

from rest_framework import serializers

# Primary keys are 64-bit; a bigger number would overflow the database driver (a 500) instead of a 400.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """A row id given by the client (query filters, references): 1 .. MAX_ID."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)
