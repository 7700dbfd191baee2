"""The shared vocabularies: one spelling of each word that crosses a package line.

Each is a :class:`enum.StrEnum`, so a member *is* its string: it is stored in
SQLite, hashed in canonical JSON and compared with the strings a database or an
API already holds, unchanged. Values are the ones the tables hold (and, for
decisions, the Bills API's own codes); a new word goes here first, then into the
code that uses it.
"""
from __future__ import annotations

import enum


class House(enum.StrEnum):
    """A House of Parliament, named as the tables store it."""

    COMMONS = "Commons"
    LORDS = "Lords"

    @property
    def api_id(self) -> int:
        """The Members, Bills and Votes APIs' integer for the House (1 Commons, 2 Lords)."""
        return 1 if self is House.COMMONS else 2

    @classmethod
    def of(cls, value: object) -> House | None:
        """The House ``value`` names: ``1``/``"1"``, ``"Commons"``, ``"commons"`` or
        ``"House of Commons"`` (and the same for the Lords); None for anything else."""
        if value is None:
            return None
        text = str(value).strip().lower()
        return _HOUSE_NAMES.get(text.removeprefix("house of "))


_HOUSE_NAMES = {"1": House.COMMONS, "commons": House.COMMONS, "2": House.LORDS, "lords": House.LORDS}


class NameKind(enum.StrEnum):
    """Kinds of ``member_names`` rows: the Members API's name forms and the tracker's own."""

    DISPLAY = "display"  # nameDisplayAs: "Lord Fox", "Alex Burghart"
    LIST = "list"  # nameListAs: "Fox, L.", "Burghart, Alex" (a list form, never said aloud)
    FULL_TITLE = "full title"  # nameFullTitle: "The Lord Fox", "Alex Burghart MP"
    ADDRESS_AS = "address-as"  # nameAddressAs: "Lord Fox", "Mr Burghart"
    ALIAS = "alias"  # another current form ("Alex Burghart" from the list form, "Member for Horsham")
    FORMER = "former"  # a form that ended (dated)


class Label(enum.StrEnum):
    """What a tagged mention names (``mentions.label``, the patterns files' ``label``)."""

    SUPPLIER = "SUPPLIER"
    MEMBER = "MEMBER"
    PROVISION = "PROVISION"
    REFERENCE = "REFERENCE"


class ChangeKind(enum.StrEnum):
    """``changes.kind``: what happened to a record between two sightings."""

    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"
    RESTORED = "restored"  # seen again after being marked removed


class RunStatus(enum.StrEnum):
    """``sync_runs.status``."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"  # some units failed; the others were written
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # killed while running: marked so by the next run


class Decision(enum.StrEnum):
    """What was decided on an amendment or a motion: the Bills API's ``AmendmentDecision``
    codes (as stored in ``amendments.decision``), each with its readable name."""

    NO_DECISION = "NoDecision"
    WITHDRAWN = "Withdrawn"
    DISAGREED = "Disagreed"
    NOT_MOVED = "NotMoved"
    AGREED = "Agreed"
    QUESTION_PROPOSED = "QuestionProposed"
    NOT_SELECTED = "NotSelected"
    WITHDRAWN_BEFORE_DEBATE = "WithdrawnBeforeDebate"
    STOOD_PART = "StoodPart"
    NOT_STOOD_PART = "NotStoodPart"
    PREEMPTED = "Preempted"
    NOT_CALLED = "NotCalled"
    NEGATIVED_ON_DIVISION = "NegativedOnDivision"
    AGREED_ON_DIVISION = "AgreedOnDivision"

    @property
    def readable(self) -> str:
        """The decision as a reader says it: ``NegativedOnDivision`` -> "Negatived on division"."""
        return _READABLE[self]

    @classmethod
    def readable_name(cls, code: str | None) -> str | None:
        """The readable name of an API code; an unknown code is returned as it is, None stays None."""
        if code is None:
            return None
        try:
            return cls(code).readable
        except ValueError:
            return code


_READABLE = {
    Decision.NO_DECISION: "No decision",
    Decision.WITHDRAWN: "Withdrawn",
    Decision.DISAGREED: "Disagreed",
    Decision.NOT_MOVED: "Not moved",
    Decision.AGREED: "Agreed",
    Decision.QUESTION_PROPOSED: "Question proposed",
    Decision.NOT_SELECTED: "Not selected",
    Decision.WITHDRAWN_BEFORE_DEBATE: "Withdrawn before debate",
    Decision.STOOD_PART: "Stood part",
    Decision.NOT_STOOD_PART: "Not stood part",
    Decision.PREEMPTED: "Pre-empted",
    Decision.NOT_CALLED: "Not called",
    Decision.NEGATIVED_ON_DIVISION: "Negatived on division",
    Decision.AGREED_ON_DIVISION: "Agreed on division",
}
