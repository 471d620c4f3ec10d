"""Path converters of the API's routes."""

from aspirasi.api.fields import MAX_ID


class IdConverter:
    """A row id in a path (`<id:pk>`): digits up to MAX_ID. A bigger number matches no route, so it is a
    404 like any missing row, instead of overflowing a 64-bit column (registered in backend/urls.py)."""

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = int(value)  # ValueError past Python's digit limit: no match either
        if number > MAX_ID:
            raise ValueError(value)  # Django's contract: this route does not match
        return number

    def to_url(self, value: int) -> str:
        return str(value)
