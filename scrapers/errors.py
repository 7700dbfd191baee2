"""The project's one exception type: an expected failure, told in one line."""


class TrackerError(Exception):
    """An expected failure (network down, unknown bill, malformed response).

    Carries where it happened so the command line can print one line naming the
    source and the record, and callers can decide what to do without parsing text.
    """

    def __init__(self, message, *, source=None, url=None, record=None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.url = url
        self.record = record

    def __str__(self):
        parts = []
        if self.source:
            parts.append(self.source)
        if self.record is not None:
            parts.append(f"record {self.record}")
        prefix = ": ".join(parts)
        text = f"{prefix}: {self.message}" if prefix else self.message
        if self.url:
            text += f" ({self.url})"
        return text


class parsing:
    """Turn a parser's failure on an unexpected shape into a :class:`TrackerError`.

    ``with parsing("Bills API", url, record=amendment_id): row = parse_amendment(...)``
    reports a missing field or a wrong type as one line naming the source, the
    record and the URL, instead of a traceback.
    """

    def __init__(self, source, url, record=None):
        self.source, self.url, self.record = source, url, record

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is None or not issubclass(kind, (KeyError, TypeError, ValueError, AttributeError, IndexError)):
            return False
        if isinstance(error, TrackerError):
            return False
        detail = f"missing field {error}" if kind is KeyError else f"{kind.__name__}: {error}"
        raise TrackerError(f"malformed record ({detail})", source=self.source, url=self.url, record=self.record) from None
