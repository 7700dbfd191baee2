"""Reading the fields of a decoded JSON record, and the small value rules every parser shares
(a House's name is :meth:`tracker.vocab.House.of`).

A parser reads the parts of a record it works on (slices, joins, sorts, descends
into) through these readers, which check each one's type first, so a record of the
wrong shape (a missing key, a string where an object should be) is told apart
from a bug in the parser: the readers raise :class:`scrapers.errors.MalformedRecord`,
which :class:`scrapers.errors.parsing` turns into the project's one-line error,
while any other exception raised in a parser propagates as the bug it is. A field
only copied into a record is read with ``data.get``: whatever its type, it cannot
break the parser.
"""
from collections.abc import Mapping
from typing import Any

from scrapers.errors import MissingField, WrongType

JSON = Mapping[str, Any]  # one decoded JSON object


def record(value: object, what: str) -> JSON:
    """``value`` itself when it is a JSON object (the record a parser is handed), else :class:`WrongType`."""
    if not isinstance(value, Mapping):
        raise WrongType(f"the {what}", value, "an object")
    return value


def required(data: JSON, key: str) -> Any:
    """The value of a field the record cannot be without (its id): :class:`MissingField` when absent or null."""
    value = data.get(key)
    if value is None:
        raise MissingField(key)
    return value


def obj(data: JSON, key: str) -> JSON:
    """The object under ``key``; an absent or null one reads as empty."""
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise WrongType(f"field {key!r}", value, "an object")
    return value


def objs(data: JSON, key: str) -> list[JSON]:
    """The list of objects under ``key``; an absent or null one reads as empty."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise WrongType(f"field {key!r}", value, "a list of objects")
    return value


def string(data: JSON, key: str) -> str | None:
    """The string under ``key``, or None."""
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise WrongType(f"field {key!r}", value, "a string")


def strings(data: JSON, key: str) -> list[str]:
    """The list of strings under ``key``; an absent or null one reads as empty."""
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise WrongType(f"field {key!r}", value, "a list of strings")
    return value


def integer(data: JSON, key: str) -> int | None:
    """The integer under ``key`` (for ordering by it), or None."""
    value = data.get(key)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise WrongType(f"field {key!r}", value, "an integer")


def day(value: object) -> str | None:
    """The day of an API date-time: ``2023-06-13T00:00:00`` -> ``2023-06-13``; empty or None is None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise WrongType("a date", value, "a string")
    return value[:10]


def date(data: JSON, key: str) -> str | None:
    """The day of the date-time under ``key`` (see :func:`day`)."""
    return day(string(data, key))


def flag(data: JSON, key: str) -> int | None:
    """A boolean field as SQLite stores it: 1 or 0, None when absent."""
    value = data.get(key)
    return None if value is None else int(bool(value))
