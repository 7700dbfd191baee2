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
