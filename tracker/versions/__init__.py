"""Bill versions: every print of a bill as clauses, clause-by-clause changes, and the
agreed amendments that made them.

The readers (:mod:`scrapers.billprints`) turn each print into clause records;
:mod:`tracker.versions.align` pairs the clauses of two prints,
:mod:`tracker.versions.diff` says word by word what changed, and
:mod:`tracker.versions.attribution` names the agreed amendment behind each change.
:func:`compare` runs the three on two stored versions; the sync step
(:mod:`tracker.sync.versions`) stores its result for consecutive versions, and
``tracker diff`` prints it for any two.

Functions for the published pages (a version with its clauses, a clause's
history, an amendment's changes) read the stored tables: :func:`list_versions`,
:func:`version_clauses`, :func:`history`, :func:`amendment_changes`.
"""
import json
from dataclasses import dataclass, field

from scrapers.billprints import ClauseRecord
from scrapers.errors import TrackerError
from tracker.versions.align import align, change_kind
from tracker.versions.attribution import AGREED, LEFT_OUT, Attribution, Candidate, attribute
from tracker.versions.diff import word_diff

SOURCE = "tracker"


@dataclass
class Change:
    """One clause's step from one print to the next."""

    kind: str  # unchanged, amended, inserted, removed, renumbered, moved
    old: ClauseRecord | None
    new: ClauseRecord | None
    aligned_by: str | None
    diff: dict
    attributions: list = field(default_factory=list)

    @property
    def explained(self) -> bool:
        return bool(self.attributions)


@dataclass
class Comparison:
    bill_id: int
    from_version: dict
    to_version: dict
    changes: list
    not_found: list  # agreed Candidates whose change is not in the later print

    def counts(self) -> dict:
        counts: dict = {}
        for change in self.changes:
            counts[change.kind] = counts.get(change.kind, 0) + 1
        return counts

    def unexplained(self) -> list:
        return [c for c in self.changes if c.kind not in ("unchanged",) and not c.explained]


def diff_of(old: ClauseRecord | None, new: ClauseRecord | None, moved: bool = False) -> dict:
    """The JSON-ready difference of two clauses: word ops of the text, and of the heading
    and the number where those changed."""
    out: dict = {"ops": word_diff(old.text if old else "", new.text if new else "")}
    if old is not None and new is not None:
        if (old.heading or "") != (new.heading or ""):
            out["heading"] = word_diff(old.heading, new.heading)
        if (old.number or "") != (new.number or ""):
            out["number"] = [old.number, new.number]
        if moved:
            out["moved"] = True
    return out


def compare_prints(old: list, new: list, candidates: list = ()) -> tuple[list, list]:
    """Align two prints' clause records, diff each pair and attribute the changes:
    ``(changes in the later print's order, candidates not found)``."""
    changes = []
    for pair in align(old, new):
        changes.append(Change(change_kind(pair), pair.old, pair.new, pair.by, diff_of(pair.old, pair.new, pair.moved)))
    links, not_found = attribute(changes, list(candidates))
    for index, found in links.items():
        changes[index].attributions = sorted(found, key=lambda a: -a.confidence)
    return changes, not_found


# -- which stage a print follows ----------------------------------------------------

_STAGE_WORDS = (
    ("introduced", ("1st reading",), "same"),
    ("brought from", ("3rd reading",), "named"),
    ("third reading", ("3rd reading",), "same"),
    ("report", ("report",), "same"),
    ("committee", ("committee",), "same"),
)


def print_stage(title: str | None, house: str | None, date: str | None, stages: list[dict]) -> dict | None:
    """The stage (a ``bill_stages`` row) whose amendments a print is the first to carry.

    The print's title says it ("as introduced", "as amended in Committee", "as
    amended on Report", "as brought from the Lords"); of the stages of that kind in
    the print's House (the named House for "brought from"), the latest to have sat
    by the print's date. A title that says none of these: the latest stage to have
    sat by the date.
    """
    lowered = (title or "").lower()
    dated = [s for s in stages if not date or not s.get("first_sitting") or s["first_sitting"] <= date]
    for words, descriptions, which in _STAGE_WORDS:
        if words not in lowered:
            continue
        wanted_house = house
        if which == "named":
            wanted_house = "Lords" if "from the lords" in lowered else "Commons" if "from the commons" in lowered else house
        fitting = [
            s for s in dated
            if any(d in (s.get("description") or "").lower() for d in descriptions)
            and (not wanted_house or s.get("house") == wanted_house)
        ]
        if fitting:
            return max(fitting, key=lambda s: s.get("sort_order") or 0)
    sat = [s for s in stages if date and s.get("last_sitting") and s["last_sitting"] <= date]
    return max(sat, key=lambda s: s.get("sort_order") or 0) if sat else None


# -- reading the stored versions ---------------------------------------------------

def _rows(db, sql, params=()):
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def list_versions(db, bill_id: int, *, readable_only: bool = False) -> list[dict]:
    """The bill's versions in order (date, then the stage they follow), each with its clause count."""
    rows = _rows(
        db,
        "SELECT v.*, s.sort_order AS stage_order,"
        " (SELECT count(*) FROM clauses c WHERE c.version_id = v.version_id AND c.removed_at IS NULL) AS clause_count"
        " FROM bill_versions v LEFT JOIN bill_stages s ON s.bill_stage_id = v.bill_stage_id"
        " WHERE v.bill_id = ? AND v.removed_at IS NULL",
        [bill_id],
    )
    rows.sort(key=lambda r: (r["date"] or "9999", r["stage_order"] if r["stage_order"] is not None else 10**6, r["label"] or ""))
    if readable_only:
        rows = [r for r in rows if not r["error"] and r["clause_count"]]
    return rows


def find_version(db, bill_id: int, wanted: str) -> dict:
    """A version by its id, its exact label, or a label fragment only one version has."""
    versions = list_versions(db, bill_id)
    lowered = wanted.strip().lower()
    for version in versions:
        if version["version_id"] == wanted or (version["label"] or "").lower() == lowered:
            return version
    matches = [v for v in versions if lowered in (v["label"] or "").lower()]
    if len(matches) == 1:
        return matches[0]
    labels = "; ".join(v["label"] or v["version_id"] for v in (matches or versions))
    problem = "matches several versions" if matches else "matches no version"
    raise TrackerError(f"{wanted!r} {problem} (versions: {labels})", source=SOURCE, record=f"bill {bill_id}")


def version_clauses(db, version_id: str) -> list[ClauseRecord]:
    """A stored version's clause records, in print order."""
    rows = _rows(db, "SELECT * FROM clauses WHERE version_id = ? AND removed_at IS NULL ORDER BY position", [version_id])
    return [
        ClauseRecord(
            key=r["clause_key"], kind=r["kind"], number=r["number"], heading=r["heading"], text=r["text"] or "",
            guid=r["guid"], page=r["page"], line_start=r["line_start"], page_end=r["page_end"], line_end=r["line_end"],
            parent_key=r["parent_key"], position=r["position"] or 0,
        )
        for r in rows
    ]


def _stage_order(db, version: dict):
    if version.get("bill_stage_id") is not None:
        row = db.execute("SELECT sort_order FROM bill_stages WHERE bill_stage_id = ?", [version["bill_stage_id"]]).fetchone()
        if row and row[0] is not None:
            return row[0]
    if not version.get("date"):
        return None
    row = db.execute(
        "SELECT max(sort_order) FROM bill_stages WHERE bill_id = ? AND removed_at IS NULL AND last_sitting <= ?",
        [version["bill_id"], version["date"]],
    ).fetchone()
    return row[0] if row and row[0] is not None else -1


def stages_between(db, bill_id: int, earlier: dict, later: dict) -> list[dict]:
    """The stages whose amendments can be in ``later`` but not in ``earlier``: after the stage
    the earlier print follows, up to and including the later print's."""
    low, high = _stage_order(db, earlier), _stage_order(db, later)
    if low is None or high is None:
        return []
    return _rows(
        db,
        "SELECT * FROM bill_stages WHERE bill_id = ? AND removed_at IS NULL AND sort_order > ? AND sort_order <= ? ORDER BY sort_order",
        [bill_id, low, high],
    )


def candidates_between(db, bill_id: int, earlier: dict, later: dict) -> list[Candidate]:
    """Agreed amendments (and clause stand-part decisions that left a clause out) of the stages
    between two versions, and ping-pong amendments whose last decision there was to agree."""
    stages = stages_between(db, bill_id, earlier, later)
    if not stages:
        return []
    names = {s["bill_stage_id"]: f"{s['description']}, {s['house']}" for s in stages}
    marks = ",".join("?" for _ in stages)
    found = []
    for row in _rows(
        db,
        f"SELECT * FROM amendments WHERE bill_stage_id IN ({marks}) AND removed_at IS NULL"
        " AND (decision IN ('Agreed', 'AgreedOnDivision') OR decision = ?)"
        " AND COALESCE(amendment_type, '') != 'EditLongTitle' ORDER BY bill_stage_id, amendment_id",
        [*names, LEFT_OUT],
    ):
        found.append(Candidate(
            label=f"Amendment {row['number']} ({names[row['bill_stage_id']]})", text=row["text"] or "",
            decision=row["decision"], amendment_id=row["amendment_id"],
            clause=str(row["clause"]) if row["clause"] is not None else None,
            schedule=str(row["schedule"]) if row["schedule"] is not None else None,
            page=row["page_number"], line=row["line_number"], amendment_type=row["amendment_type"],
        ))
    latest: dict = {}
    order = {s["bill_stage_id"]: s["sort_order"] for s in stages}
    for row in _rows(
        db,
        f"SELECT * FROM pingpong_items WHERE bill_stage_id IN ({marks}) AND removed_at IS NULL AND lower(type) = 'amendment'",
        list(names),
    ):
        # An amendment between the Houses counts only if the last word on it was to agree.
        key = row["number"]
        if key not in latest or order[row["bill_stage_id"]] >= order[latest[key]["bill_stage_id"]]:
            latest[key] = row
    for row in sorted(latest.values(), key=lambda r: (order[r["bill_stage_id"]], r["pingpong_item_id"])):
        if row["decision"] in AGREED:
            found.append(Candidate(
                label=f"{row['type']} {row['number']} ({names[row['bill_stage_id']]})", text=row["text"] or "",
                decision=row["decision"], pingpong_item_id=row["pingpong_item_id"],
            ))
    return found


def compare(db, bill_id: int, earlier: dict | str, later: dict | str) -> Comparison:
    """Compare two stored versions (rows or ids) of ``bill_id``: aligned, diffed, attributed."""
    earlier = earlier if isinstance(earlier, dict) else find_version(db, bill_id, earlier)
    later = later if isinstance(later, dict) else find_version(db, bill_id, later)
    for version in (earlier, later):
        if version.get("error"):
            raise TrackerError(f"this print could not be read: {version['error']}", source=SOURCE, record=version["label"])
    candidates = candidates_between(db, bill_id, earlier, later)
    changes, not_found = compare_prints(version_clauses(db, earlier["version_id"]), version_clauses(db, later["version_id"]), candidates)
    return Comparison(bill_id, earlier, later, changes, not_found)


def change_id(change: Change, earlier: str, later: str) -> str:
    """The ``clause_changes`` key of a change: its two clause keys (a missing side: ``<version>/-``)."""
    left = change.old.key if change.old else f"{earlier}/-"
    right = change.new.key if change.new else f"{later}/-"
    return f"{left} -> {right}"


def change_rows(comparison: Comparison) -> list[tuple[dict, list]]:
    """``(clause_changes row, change_amendments rows)`` for each change of a comparison."""
    earlier, later = comparison.from_version["version_id"], comparison.to_version["version_id"]
    out = []
    for change in comparison.changes:
        key = change_id(change, earlier, later)
        row = {
            "id": key, "bill_id": comparison.bill_id, "from_version": earlier, "to_version": later,
            "from_clause": change.old.key if change.old else None, "to_clause": change.new.key if change.new else None,
            "kind": change.kind, "aligned_by": change.aligned_by,
            "diff": json.dumps(change.diff, ensure_ascii=False, sort_keys=True),
        }
        links = [
            {"clause_change_id": key, "amendment_id": a.candidate.amendment_id, "pingpong_item_id": a.candidate.pingpong_item_id,
             "confidence": a.confidence, "how": a.how}
            for a in change.attributions
        ]
        out.append((row, links))
    return out


# -- for the published pages ------------------------------------------------------------

def history(db, bill_id: int, clause: str) -> list[dict]:
    """A clause's steps across the bill's versions, from the stored changes.

    ``clause`` is a clause key (``publication/123/clause/12``) or a number as a print
    names it ("12", "Schedule 7"), looked up in the bill's first readable version that
    has it. Each step: the ``clause_changes`` row with its ``diff`` decoded, the
    version labels, and ``amendments`` (amendment or ping-pong item, confidence, how).
    """
    key = _clause_key(db, bill_id, clause)
    steps = []
    inserted = _rows(db, "SELECT id FROM clause_changes WHERE to_clause = ? AND from_clause IS NULL AND removed_at IS NULL", [key])
    if inserted:
        steps.append(_step(db, inserted[0]["id"]))
    while key:
        found = _rows(db, "SELECT id FROM clause_changes WHERE from_clause = ? AND removed_at IS NULL", [key])
        if not found:
            break
        step = _step(db, found[0]["id"])
        steps.append(step)
        key = step["to_clause"]
    return steps


def _step(db, change_key: str) -> dict:
    step = _rows(
        db,
        "SELECT cc.*, f.label AS from_label, t.label AS to_label FROM clause_changes cc"
        " JOIN bill_versions f ON f.version_id = cc.from_version JOIN bill_versions t ON t.version_id = cc.to_version"
        " WHERE cc.id = ?",
        [change_key],
    )[0]
    step["diff"] = json.loads(step["diff"] or "{}")
    step["amendments"] = _rows(
        db,
        "SELECT ca.*, a.number AS amendment_number, p.number AS pingpong_number, p.type AS pingpong_type"
        " FROM change_amendments ca LEFT JOIN amendments a ON a.amendment_id = ca.amendment_id"
        " LEFT JOIN pingpong_items p ON p.pingpong_item_id = ca.pingpong_item_id"
        " WHERE ca.clause_change_id = ? ORDER BY ca.confidence DESC",
        [change_key],
    )
    return step


def _clause_key(db, bill_id, clause: str) -> str | None:
    if "/" in clause:
        return clause
    text = clause.strip()
    kinds, number = ("clause", "section"), text
    if text.lower().startswith("schedule"):
        kinds, number = ("schedule",), text[len("schedule"):].strip()
    marks = ",".join("?" for _ in kinds)
    for version in list_versions(db, bill_id, readable_only=True):
        row = db.execute(
            f"SELECT clause_key FROM clauses WHERE version_id = ? AND kind IN ({marks}) AND number = ? AND removed_at IS NULL",
            [version["version_id"], *kinds, number],
        ).fetchone()
        if row:
            return row[0]
    return None


def amendment_changes(db, *, amendment_id: int | None = None, pingpong_item_id: int | None = None) -> list[dict]:
    """The stored changes an amendment (or ping-pong item) made to the text, with their diffs."""
    column, value = ("amendment_id", amendment_id) if amendment_id is not None else ("pingpong_item_id", pingpong_item_id)
    rows = _rows(
        db,
        "SELECT cc.*, ca.confidence, ca.how, f.label AS from_label, t.label AS to_label FROM change_amendments ca"
        " JOIN clause_changes cc ON cc.id = ca.clause_change_id AND cc.removed_at IS NULL"
        " JOIN bill_versions f ON f.version_id = cc.from_version JOIN bill_versions t ON t.version_id = cc.to_version"
        f" WHERE ca.{column} = ? ORDER BY t.date",
        [value],
    )
    for row in rows:
        row["diff"] = json.loads(row["diff"] or "{}")
    return rows


__all__ = [
    "Attribution", "Candidate", "Change", "Comparison", "amendment_changes", "candidates_between", "change_rows",
    "compare", "compare_prints", "diff_of", "find_version", "history", "list_versions", "print_stage", "stages_between",
    "version_clauses",
]
