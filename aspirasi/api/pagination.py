"""Cursor pagination shared by every list: stable under inserts, no COUNT(*), 20 per page up to 100."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class CursorPage(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")

    def decode_cursor(self, request):
        # DRF answers a garbled cursor with 404; it is bad input, so: 400 `invalid_cursor`.
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise serializers.ValidationError(
                {self.cursor_query_param: [serializers.ErrorDetail(str(_("Invalid cursor.")), code="invalid_cursor")]}
            ) from None
