"""Serializer fields shared by the API: what a client may send, bounded, and stated so in the schema."""

from decimal import Decimal

from django.core.validators import MaxLengthValidator, validate_slug
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Primary keys are 64-bit; a bigger number would overflow the database driver (a 500) instead of a 400.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """A row id given by the client (query filters, references): 1 .. MAX_ID.

    DRF's IntegerField already refuses a fraction (2.5) and a boolean; it takes an integral number (2.0,
    which JSON Schema counts as an integer) and a string of digits ("2", as every query string is)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


@extend_schema_field(IdField)
class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A row named by its id (kelurahan, category, ...): read as an IdField before the lookup, because the
    ORM would look 2.5 up as 2 and true as 1, and an id past MAX_ID would reach the database driver."""

    def to_internal_value(self, data):
        return super().to_internal_value(IdField().run_validation(data))


class BoundedListField(serializers.ListField):
    """A ListField that counts before it validates: DRF checks max_length after validating every item, so a
    list of 50,000 items cost seconds before its 400. max_length is required; the schema states it."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


_DOES_NOT_EXIST = _("Object with {slug_name}={value} does not exist.")


class _OnlyStrings:
    """Takes only a JSON string (or a form's text): DRF's CharField turns 0 into "0", while the schema says
    string, so a generated client and the schema's readers expect a 400 (`invalid`)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            # Code `invalid` like DRF's own type errors (RegexField's `invalid` message is about its pattern).
            raise serializers.ValidationError(self.error_messages["not_a_string"], code="invalid")
        return super().to_internal_value(data)


_NOT_A_STRING = {"not_a_string": _("Not a valid string.")}


class StrictCharField(_OnlyStrings, serializers.CharField):
    default_error_messages = _NOT_A_STRING


class StrictRegexField(_OnlyStrings, serializers.RegexField):
    default_error_messages = _NOT_A_STRING


class StrictBooleanField(serializers.BooleanField):
    """A BooleanField that takes only JSON true or false: DRF's also takes 0, 1, "yes", "on"... which the
    schema's boolean does not. (Query strings are text: QueryBooleanField.)"""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class SlugRowField(StrictCharField):
    """A row named by its slug (an OPD): a string as long as the model's slug at most, which the schema
    states and which is checked before the lookup (SlugRelatedField states no length and looks anything up)."""

    default_error_messages = {"does_not_exist": _DOES_NOT_EXIST}

    def __init__(self, *, queryset, slug_field: str = "slug", **kwargs):
        super().__init__(max_length=queryset.model._meta.get_field(slug_field).max_length, **kwargs)
        self.queryset, self.slug_field = queryset, slug_field

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)
        if value in ("", None):
            return value
        row = self.queryset.filter(**{self.slug_field: value}).first()
        if row is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=value)
        return row


class SlugsField(BoundedListField):
    """Rows named by their slugs (target groups): a repeat counts once, and every slug is looked up in one
    query (SlugRelatedField(many=True) made one query per item). Gives the rows in the order sent."""

    default_error_messages = {"does_not_exist": _DOES_NOT_EXIST}

    def __init__(self, *, queryset, max_length: int, slug_field: str = "slug", **kwargs):
        slug_max_length = queryset.model._meta.get_field(slug_field).max_length
        # A slug's shape is in the schema (pattern, minLength), so a client learns it before the lookup says no.
        child = StrictCharField(min_length=1, max_length=slug_max_length, validators=[validate_slug])
        super().__init__(child=child, max_length=max_length, **kwargs)
        self.queryset, self.slug_field = queryset, slug_field

    def to_internal_value(self, data):
        slugs = list(dict.fromkeys(super().to_internal_value(data)))
        rows = {getattr(row, self.slug_field): row for row in self.queryset.filter(**{f"{self.slug_field}__in": slugs})}
        for slug in slugs:
            if slug not in rows:
                self.fail("does_not_exist", slug_name=self.slug_field, value=slug)
        return [rows[slug] for slug in slugs]


class BoundedDictField(serializers.DictField):
    """A DictField with at most max_length keys, counted before any value is validated (maxProperties)."""

    default_error_messages = {"max_length": _("Ensure this field has no more than {max_length} elements.")}

    def __init__(self, *, max_length: int, **kwargs):
        kwargs.setdefault("validators", []).append(MaxLengthValidator(max_length))
        super().__init__(**kwargs)
        self.max_length = max_length

    def to_internal_value(self, data):
        if isinstance(data, dict) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class CoordinateField(serializers.FloatField):
    """A WGS84 degree inside Balikpapan's rough bounds (aspirasi.geo), as a JSON number: the bounds are the
    field's min_value/max_value, so the schema states them; outside them the code is `outside_balikpapan`."""

    default_error_messages = {"outside_balikpapan": _("The point is outside Balikpapan.")}

    def __init__(self, *, bounds: tuple[Decimal, Decimal], **kwargs):
        super().__init__(min_value=float(bounds[0]), max_value=float(bounds[1]), **kwargs)

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except serializers.ValidationError:
            self.fail("outside_balikpapan")


class QueryBooleanField(serializers.BooleanField):
    """A boolean query parameter: left out, it is not in validated_data. (BooleanField reads a missing form
    field as false, an unticked checkbox; and with allow_null it would read `null` as a value.)"""

    default_empty_html = serializers.empty
