"""Cursor pagination shared by every list: stable under inserts, no COUNT(*), 20 per page up to 100."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


def _invalid_cursor(query_param: str) -> serializers.ValidationError:
    return serializers.ValidationError(
        {query_param: [serializers.ErrorDetail(str(_("Invalid cursor.")), code="invalid_cursor")]}
    )


# Our cursors are base64 of an offset, a direction and one position: well under this.
MAX_CURSOR_LENGTH = 200


class CursorPage(CursorPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["schema"]["maxLength"] = MAX_CURSOR_LENGTH
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
                parameter["description"] = f"Items per page, 1 to {self.max_page_size}; default {self.page_size}"
        return parameters

    def get_page_size(self, request):
        # DRF ignores a page size it cannot use (0, "x", 1000) and serves the default: a client would never
        # learn its mistake. Left out or empty it is the default; otherwise it must be 1 .. max_page_size.
        value = request.query_params.get(self.page_size_query_param, "")
        if value == "":
            return self.page_size
        field = serializers.IntegerField(min_value=1, max_value=self.max_page_size)
        try:
            return field.run_validation(value)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({self.page_size_query_param: exc.detail}) from None

    def paginate_queryset(self, queryset, request, view=None):
        self.queryset = queryset  # decode_cursor checks the cursor's position against it
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        # DRF answers a garbled cursor with 404; it is bad input, so: 400 `invalid_cursor`.
        if len(request.query_params.get(self.cursor_query_param, "")) > MAX_CURSOR_LENGTH:
            raise _invalid_cursor(self.cursor_query_param)
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise _invalid_cursor(self.cursor_query_param) from None
        # DRF hands the position to the queryset's filter as it came: a well-formed cursor holding
        # `p=x` would fail there (a 500). Only a position this list could have issued gets through.
        if cursor is not None and cursor.position is not None and not self._is_position(cursor.position):
            raise _invalid_cursor(self.cursor_query_param)
        return cursor

    def _is_position(self, position: str) -> bool:
        """Whether `position` is a value of the field the page is ordered by (a column or an annotation,
        such as trending's vote count), in the range the database holds."""
        name = self.ordering[0].lstrip("-")  # set by paginate_queryset before it decodes the cursor
        field = F(name).resolve_expression(self.queryset.all().query).output_field  # on a copy: no side effect
        try:
            value = field.clean(position, None)  # type, and range for integers (the fields' validators)
            if isinstance(value, datetime.datetime):
                # Lists write moments with their offset, and within the years every backend holds in UTC.
                if timezone.is_naive(value):
                    return False
                value.astimezone(datetime.UTC)  # OverflowError for year 1 at +14:00
        except (ValidationError, ValueError, TypeError, OverflowError):
            return False
        return True
