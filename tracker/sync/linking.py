"""Linking a debate or division to its bill stage, and a reference to one amendment or ping-pong item.

Links are resolved against the database, never guessed: a debate or division
belongs to the stage whose sittings include its date (told apart by title when
two stages share a day), and an amendment, new clause or motion number is linked
only when exactly one amendment or ping-pong item of that stage carries it.
"""


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


def resolve_target(db, kind, number, stage_ids):
    """``(amendment_id, pingpong_item_id)`` for one reference, resolved among ``stage_ids``;
    ``(None, None)`` unless exactly one amendment or ping-pong item matches."""
    if not stage_ids or not number:
        return None, None
    marks = ",".join("?" for _ in stage_ids)
    amendments, items = [], []
    if kind in ("amendment", "new clause", "new schedule"):
        amendments = [r[0] for r in db.execute(
            f"SELECT amendment_id FROM amendments WHERE bill_stage_id IN ({marks}) AND upper(number) = ? AND removed_at IS NULL",
            [*stage_ids, number.upper()],
        ).fetchall()]
    if kind in ("amendment", "motion"):
        wanted = "Amendment" if kind == "amendment" else "Motion"
        items = [r[0] for r in db.execute(
            f"SELECT pingpong_item_id FROM pingpong_items WHERE bill_stage_id IN ({marks}) AND upper(number) = ?"
            f" AND lower(coalesce(type, ?)) = lower(?) AND removed_at IS NULL",
            [*stage_ids, number.upper(), wanted, wanted],
        ).fetchall()]
    if len(amendments) + len(items) != 1:
        return None, None
    return (amendments[0], None) if amendments else (None, items[0])
