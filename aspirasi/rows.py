"""Model instances from rows read by hand-written statements, converted as the ORM converts them.

A few hot paths read rows by a plain statement because building the ORM's query costs more CPU than running
it (the caller in api/authentication.py, the current cycle read along with it). `from_row` makes the same
instance the ORM would: the driver's values through the ORM's converters (SQLite's dates are text, say),
then the model's own `from_db`. Fields left out are deferred, as with `.only()`.
"""

import functools

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import Col


@functools.cache
def _converters(model: type[Model], attnames: tuple[str, ...], vendor: str) -> tuple[tuple[int, Col, list], ...]:
    """For each column the ORM converts on this database (none on PostgreSQL): its index, the column as the
    converters expect it, and the converters in the ORM's order."""
    table = model._meta.db_table
    out = []
    for index, attname in enumerate(attnames):
        field = next(f for f in model._meta.concrete_fields if f.attname == attname)
        column = field.get_col(table)
        converters = [*connection.ops.get_db_converters(column), *field.get_db_converters(connection)]
        if converters:
            out.append((index, column, converters))
    return tuple(out)


def from_row(model: type[Model], attnames: tuple[str, ...], values) -> Model:
    values = list(values)
    for index, column, converters in _converters(model, attnames, connection.vendor):
        for convert in converters:
            values[index] = convert(values[index], column, connection)
    return model.from_db(connection.alias, list(attnames), values)
