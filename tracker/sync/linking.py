"""Linking a debate or division to its bill stage, and a reference to one amendment or ping-pong item.

Links are resolved against the database, never guessed: a debate or division
belongs to the stage whose sittings include its date (told apart by title when
two stages share a day), and an amendment, new clause or motion number is linked
only when exactly one amendment or ping-pong item of that stage carries it.
This is the one resolver: Hansard linking, division linking and the tagger (which
hands the tables of :class:`StageNumbers` to ``nlp/``) all link through it; the
references themselves are read by :mod:`scrapers.references`.
"""
from dataclasses import dataclass

from scrapers import references

_MINOR_STAGES = ("1st reading", "3rd reading", "money resolution", "programme motion", "ways and means", "royal assent", "carry-over")
_TITLE_KEYWORDS = (
    ("third reading", ("3rd reading",)),
    ("second reading", ("2nd reading",)),
    ("(money)", ("money resolution",)),
    ("money resolution", ("money resolution",)),
    ("programme", ("programme motion",)),
    ("ways and means", ("ways and means",)),
    ("sitting)", ("committee",)),
    ("committee", ("committee",)),
    ("report", ("report",)),
    ("lords amendments", ("consideration",)),
    ("commons amendments", ("consideration",)),
    ("lords message", ("consideration",)),
)


def stage_candidates(stages, house, date):
    """The bill's stages in ``house`` that sat on ``date``."""
    return [s for s in stages if s.get("house") == house and date in s["dates"]]


def tell_stage(candidates, title, default=None):
    """The one stage among ``candidates`` a debate or division belongs to, or ``default``/None.

    One candidate: that one. Several (report stage and third reading on one
    day): the one the title names ("Third Reading", "(Money)"), else the one
    left when minor stages (readings without amendments, money and programme
    motions) are set aside, else ``default`` (a parent section's stage), else None.
    """
    if len(candidates) == 1:
        return candidates[0]["bill_stage_id"]
    if not candidates:
        return None
    lowered = (title or "").lower()
    for keyword, descriptions in _TITLE_KEYWORDS:
        if keyword in lowered:
            named = [s for s in candidates if any(d in (s.get("description") or "").lower() for d in descriptions)]
            if len(named) == 1:
                return named[0]["bill_stage_id"]
    if default in [s["bill_stage_id"] for s in candidates]:
        return default
    major = [s for s in candidates if not any(m in (s.get("description") or "").lower() for m in _MINOR_STAGES)]
    if len(major) == 1:
        return major[0]["bill_stage_id"]
    return None


@dataclass(frozen=True)
class StageNumbers:
    """What each number of some bill stages links to: the numbers exactly one record carries.

    ``amendments``: amendment number -> ``amendment_id``; ``pingpong``: a reference's value
    (``motion:A1``, ``amendment:47A``) -> ``pingpong_item_id`` of a motion or amendment
    between the Houses. A reference to an amendment (a new clause or schedule is one)
    may stand for an amendment or an amendment between the Houses, a motion only for
    a motion; an item of no type may be either. Where two candidates share a number
    (two amendments, two items, or an amendment and an amendment item) the number is
    in neither table: never a guess. Numbers compare trimmed, in capitals; removed records are left out.
    """

    amendments: dict[str, int]
    pingpong: dict[str, int]

    def resolve(self, kind: str, number: str | None) -> tuple[int | None, int | None]:
        """``(amendment_id, pingpong_item_id)`` of the one record a reference of ``kind``
        (amendment, new clause, new schedule or motion) and ``number`` stands for, else ``(None, None)``."""
        if not number:
            return None, None
        number = number.strip().upper()
        record_kind = references.MOTION if kind == references.MOTION else references.AMENDMENT
        amendment_id = self.amendments.get(number) if record_kind == references.AMENDMENT else None
        return amendment_id, self.pingpong.get(f"{record_kind}:{number}")


def stage_numbers(db, stage_ids) -> StageNumbers:
    """The :class:`StageNumbers` of the records of ``stage_ids`` (a reference whose stage is
    unsure is resolved among every stage it may belong to: one record of them all, or none)."""
    stage_ids = [s for s in stage_ids if s is not None]
    if not stage_ids:
        return StageNumbers({}, {})
    marks = ",".join("?" for _ in stage_ids)
    live = f"bill_stage_id IN ({marks}) AND removed_at IS NULL AND trim(coalesce(number, '')) != ''"
    candidates: dict[str, set[tuple[str, int]]] = {}  # reference value -> {(table, id)}
    for number, amendment_id in db.execute(
        f"SELECT upper(trim(number)), amendment_id FROM amendments WHERE {live}", stage_ids
    ).fetchall():
        candidates.setdefault(f"{references.AMENDMENT}:{number}", set()).add(("amendments", amendment_id))
    for item_type, number, item_id in db.execute(
        f"SELECT lower(trim(coalesce(type, ''))), upper(trim(number)), pingpong_item_id FROM pingpong_items WHERE {live}", stage_ids
    ).fetchall():
        for record_kind in (references.MOTION, references.AMENDMENT):
            if item_type in (record_kind, ""):
                candidates.setdefault(f"{record_kind}:{number}", set()).add(("pingpong_items", item_id))
    amendments: dict[str, int] = {}
    pingpong: dict[str, int] = {}
    for value, found in candidates.items():
        if len(found) != 1:
            continue
        [(table, record_id)] = found
        if table == "amendments":
            amendments[value.split(":", 1)[1]] = record_id
        else:
            pingpong[value] = record_id
    return StageNumbers(amendments, pingpong)

