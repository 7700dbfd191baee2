"""The project's error type (an expected failure, told in one line), and how a malformed record becomes one."""
from types import TracebackType


class TrackerError(Exception):
    """An expected failure (network down, unknown bill, malformed response).

    Carries where it happened so the command line can print one line naming the
    source and the record, and callers can decide what to do without parsing text.
    """

    def __init__(self, message: str, *, source: str | None = None, url: str | None = None, record: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.url = url
        self.record = record

    def __str__(self) -> str:
        parts = []
        if self.source:
            parts.append(self.source)
        if self.record is not None:
            parts.append(f"record {self.record}")
        prefix = ": ".join(parts)
        text = f"{prefix}: {self.message}" if prefix else self.message
        if self.url:
            text += f" ({self.url})"
        # One line whatever upstream put in the message (a parser's error quotes the document).
        return " ".join(text.split())


class MalformedRecord(Exception):
    """A record's data is not in the shape its parser reads: upstream's fault, not a bug."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def __str__(self) -> str:
        return self.detail


class MissingField(MalformedRecord, KeyError):
    """A field the record must have is absent (or null)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"missing field {key!r}")


class WrongType(MalformedRecord, TypeError):
    """A value of another type than the one the parser works on."""

    def __init__(self, what: str, value: object, expected: str) -> None:
        super().__init__(f"{what} is {type(value).__name__} {_short(value)}, not {expected}")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class parsing:
    """Turn a malformed record into a :class:`TrackerError`; let a bug in the parser through.

    ``with parsing("Bills API", url, record=amendment_id): amendment = parse_amendment(...)``
    reports a missing field or a wrong type as one line naming the source, the
    record and the URL, instead of a traceback. Only what the readers of
    :mod:`scrapers.values` raise counts as malformed (they see the record's data
    before the parser works on it); any other exception (a ``NameError``, an
    ``AttributeError`` on our own objects, a ``KeyError`` from our own tables, a
    failed assertion) is a bug in our code and propagates as a traceback.
    """

    def __init__(self, source: str, url: str | None, record: object = None) -> None:
        self.source, self.url, self.record = source, url, record

    def __enter__(self) -> "parsing":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        # A MalformedRecord is also a KeyError or TypeError, so it must be told apart by its class, not by those.
        if isinstance(error, MalformedRecord):
            raise TrackerError(f"malformed record ({error.detail})", source=self.source, url=self.url, record=self.record) from None
