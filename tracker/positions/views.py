"""What the member page, the topic page, the family timeline and the commitments page
show, read from the tables :func:`tracker.positions.derive` writes.

Each function takes a sqlite-utils ``Database`` or a plain ``sqlite3`` connection (so
a Datasette page can call it through ``execute_fn``) and returns plain dicts and
lists. Every stance comes with the evidence rows behind it; an evidence row's
``path`` (``contributions/7000021``) is the record it points at.
"""
from collections import defaultdict

from scrapers.errors import TrackerError
from tracker import versions
from tracker.positions.records import DECISION_WORDS, rows, table_names
from tracker.versions.diff import tokens, words_of

STANCE_ORDER = {"supports": 0, "opposes": 1, "mixed": 2, "unknown": 3}
KIND_ORDER = {"family": 0, "provision": 1, "supplier": 2}


def _require(db):
    if "member_positions" not in table_names(db):
        raise TrackerError("the database has no positions tables (open it with the tracker to migrate it)", source="positions")


def _evidence(db, where, params):
    found = rows(db, f"""SELECT e.*, s.description AS stage, s.house
                         FROM position_evidence e LEFT JOIN bill_stages s ON s.bill_stage_id = e.bill_stage_id
                         WHERE {where} ORDER BY e.date, e.kind, e.ref_id""", params)
    for e in found:
        e["path"] = f"{e['ref_table']}/{e['ref_id']}"
    return found


def member_summary(db, member_id: int) -> dict:
    """A member's positions (each with its evidence), then every division vote with its alignment."""
    _require(db)
    members = rows(db, "SELECT member_id, name, party, house FROM members WHERE member_id = ?", [member_id])
    if not members:
        raise TrackerError("no such member in the database", source="positions", record=f"member {member_id}")
    evidence = defaultdict(list)
    for e in _evidence(db, "e.member_id = ?", [member_id]):
        evidence[e["topic"]].append(e)
    positions = rows(db, """SELECT p.*, t.kind, t.name FROM member_positions p LEFT JOIN topics t ON t.topic = p.topic
                            WHERE p.member_id = ?""", [member_id])
    for p in positions:
        p["evidence"] = evidence.get(p["topic"], [])
        p["line"] = f"{p['stance'].capitalize()}: {p['name'] or p['topic']} ({p['summary']})"
    positions.sort(key=lambda p: (KIND_ORDER.get(p["kind"], 3), STANCE_ORDER[p["stance"]], -p["evidence_count"], p["topic"]))
    return {
        "member": members[0],
        "positions": positions,
        "headline": [p["line"] for p in positions if p["stance"] != "unknown"],
        "votes": member_votes(db, member_id),
        "commitments": list_commitments(db, member_id=member_id),
    }


def member_votes(db, member_id: int) -> list:
    """Every division vote of a member: the result, their party's majority, the Government's side, rebellion."""
    votes = rows(db, """SELECT a.*, d.house, d.number, d.date, d.title, d.aye_count, d.no_count, s.passed, s.government_basis,
                               d.amendment_id, d.pingpong_item_id
                        FROM vote_alignment a JOIN divisions d ON d.division_id = a.division_id
                        LEFT JOIN division_sides s ON s.division_id = a.division_id
                        WHERE a.member_id = ? ORDER BY d.date, d.division_id""", [member_id])
    for v in votes:
        v["result"] = None if v["passed"] is None else ("passed" if v["passed"] else "not passed")
        v["marks"] = ", ".join(filter(None, [
            {1: "with party", 0: "against party"}.get(v["with_party"]),
            {1: "with the Government", 0: "against the Government"}.get(v["with_government"]),
            "rebellion" if v["rebellion"] else None,
        ]))
    return votes


def topic_positions(db, topic: str) -> dict:
    """Who supports and who opposes a topic, by party and by stage, with the divisions about it."""
    _require(db)
    topics = rows(db, "SELECT * FROM topics WHERE topic = ?", [topic])
    if not topics:
        raise TrackerError("no such topic (see `tracker positions topic` with a name)", source="positions", record=topic)
    members = rows(db, """SELECT p.*, m.name, m.party, m.house FROM member_positions p LEFT JOIN members m ON m.member_id = p.member_id
                          WHERE p.topic = ? ORDER BY m.party, m.name""", [topic])
    by_stance = {stance: [m for m in members if m["stance"] == stance] for stance in STANCE_ORDER}
    by_party = defaultdict(lambda: dict.fromkeys(STANCE_ORDER, 0))
    for m in members:
        by_party[m["party"] or "unknown"][m["stance"]] += 1
    stages = {}
    for e in _evidence(db, "e.topic = ? AND e.stance != 'neutral'", [topic]):
        stage = stages.setdefault(e["bill_stage_id"], {"bill_stage_id": e["bill_stage_id"], "stage": e["stage"], "house": e["house"],
                                                        "date": e["date"], "supports": [], "opposes": []})
        name = next((m["name"] for m in members if m["member_id"] == e["member_id"]), str(e["member_id"]))
        if name not in stage[e["stance"]]:
            stage[e["stance"]].append(name)
    result = {
        "topic": topics[0],
        "supports": by_stance["supports"], "opposes": by_stance["opposes"], "mixed": by_stance["mixed"], "unknown": by_stance["unknown"],
        "by_party": [{"party": party, **counts} for party, counts in sorted(by_party.items())],
        "stages": sorted(stages.values(), key=lambda s: (s["date"] or "", s["bill_stage_id"] or 0)),
        "votes": topic_votes(db, topic),
        "commitments": list_commitments(db, topic=topic),
    }
    if topics[0]["kind"] == "family":
        result["family"] = family_timeline(db, topics[0]["family_id"])
    return result


def topic_evidence(db, topic: str) -> list:
    """The evidence of a stance (supports or opposes) on a topic, every member's, oldest first."""
    return _evidence(db, "e.topic = ? AND e.stance != 'neutral'", [topic])


def topic_votes(db, topic: str) -> list:
    """The divisions about a topic: result, the Government's side, and each party's ayes and noes."""
    divisions = rows(db, """SELECT DISTINCT d.division_id, d.house, d.number, d.date, d.title, d.aye_count, d.no_count,
                                   s.passed, s.government_side, s.question_direction
                            FROM position_evidence e JOIN divisions d ON d.division_id = e.division_id
                            LEFT JOIN division_sides s ON s.division_id = d.division_id
                            WHERE e.topic = ? AND e.kind = 'voted' ORDER BY d.date, d.division_id""", [topic])
    for d in divisions:
        d["result"] = None if d["passed"] is None else ("passed" if d["passed"] else "not passed")
        stance_of_aye = rows(db, """SELECT e.stance FROM position_evidence e JOIN vote_alignment a
                                    ON a.division_id = e.division_id AND a.member_id = e.member_id
                                    WHERE e.topic = ? AND e.division_id = ? AND a.side = 'aye' LIMIT 1""", [topic, d["division_id"]])
        d["aye_means"] = stance_of_aye[0]["stance"] if stance_of_aye else None
        parties = defaultdict(lambda: {"aye": 0, "no": 0})
        for v in rows(db, "SELECT party, side FROM vote_alignment WHERE division_id = ?", [d["division_id"]]):
            parties[v["party"] or "unknown"][v["side"]] += 1
        d["by_party"] = [{"party": party, **counts} for party, counts in sorted(parties.items())]
    return divisions


def family_timeline(db, family_id: str) -> dict:
    """One family step by step: stage, House, number, sponsors, decision, division result; and its outcome."""
    families = rows(db, "SELECT * FROM amendment_families WHERE family_id = ?", [family_id])
    if not families:
        raise TrackerError("no such amendment family", source="positions", record=family_id)
    steps = rows(db, """SELECT f.*, s.description AS stage, s.house, COALESCE(s.first_sitting, s.last_sitting) AS date,
                               COALESCE(a.number, p.number) AS number, p.type AS item_type,
                               COALESCE(a.decision, p.decision) AS decision, COALESCE(a.summary, p.summary) AS summary
                        FROM amendment_family_members f
                        LEFT JOIN amendments a ON a.amendment_id = f.amendment_id
                        LEFT JOIN pingpong_items p ON p.pingpong_item_id = f.pingpong_item_id
                        LEFT JOIN bill_stages s ON s.bill_stage_id = f.bill_stage_id
                        WHERE f.family_id = ? ORDER BY f.step""", [family_id])
    for step in steps:
        if step["amendment_id"] is not None:
            table, item_id, sponsor_table, key = "amendments", step["amendment_id"], "amendment_sponsors", "amendment_id"
        else:
            table, item_id, sponsor_table, key = "pingpong_items", step["pingpong_item_id"], "pingpong_sponsors", "pingpong_item_id"
        step["path"] = f"{table}/{item_id}"
        step["label"] = _label(step)
        step["sponsors"] = [r["name"] for r in rows(db, f"""SELECT m.name FROM {sponsor_table} x JOIN members m ON m.member_id = x.member_id
                                                             WHERE x.{key} = ? ORDER BY x.is_lead DESC, x.sort_order""", [item_id])]
        step["decision_words"] = DECISION_WORDS.get(step["decision"], step["decision"])
        step["divisions"] = [dict(d, result="passed" if d["aye_count"] > d["no_count"] else "not passed")
                             for d in rows(db, f"""SELECT division_id, house, number, date, title, aye_count, no_count
                                                   FROM divisions WHERE {key} = ? AND removed_at IS NULL""", [item_id])]
        step["text_changes"] = versions.amendment_changes(db, **{key: item_id}) if "change_amendments" in table_names(db) else []
    family = families[0]
    return {
        **family,
        "houses": family["houses"].split(", ") if family["houses"] else [],
        "steps": steps,
        "text_outcome": text_outcome(db, family["bill_id"], steps),
        "commitments": list_commitments(db, topic=f"family:{family_id}"),
    }


def text_outcome(db, bill_id, steps: list) -> dict | None:
    """Whether the family reached the Act, by the versions' attribution: a step's attributed change to
    the text followed print by print to the bill's last version, where the words it inserted are
    still there (a change that only left words or a clause out counts where they stay out).

    None when no step has an attributed change (then the family's text-similarity ``outcome`` is all
    there is). Else ``{reached, step, change, clause_key, version_label, note}`` for the first change
    that reached the last version, or the last change found when none did.
    """
    found = None
    last = versions.list_versions(db, bill_id, readable_only=True) if bill_id is not None else []
    final_version = last[-1] if last else None
    for step in steps:
        for change in step.get("text_changes") or ():
            key, ended = _followed(db, change)
            inserted = [run for run in words_of(change["diff"].get("ops") or [], "insert") if run]
            final = rows(db, "SELECT clause_key, version_id, kind, number, heading, text FROM clauses WHERE clause_key = ?", [key]) if key else []
            at_end = bool(final) and final_version is not None and final[0]["version_id"] == final_version["version_id"]
            if inserted:
                reached = at_end and all(_contains(tokens(final[0]["text"]), run) for run in inserted)
            else:
                reached = ended == "removed" or at_end
            where = f"{final[0]['kind']} {final[0]['number']}" if final else None
            found = {
                "reached": reached, "step": step["label"], "change": change, "clause_key": final[0]["clause_key"] if final else None,
                "version_label": final_version["label"] if final_version else None,
                "note": (f"{step['label']}'s change to {change['to_label'] or 'the text'} is in {where} of {final_version['label']}"
                         if reached and where and final_version else
                         f"{step['label']} left text out of {change['to_label']}" if reached else
                         f"{step['label']} changed {change['to_label']}, but its words are not in the last version"),
            }
            if reached:
                return found
    return found


def _followed(db, change) -> tuple:
    """``(clause key, how it ended)``: where a change's clause is in the last print it reaches
    (None and "removed" when a later print left it out)."""
    key, seen = change["to_clause"], set()
    if key is None:
        return None, "removed"
    while key not in seen:
        seen.add(key)
        later = rows(db, "SELECT to_clause FROM clause_changes WHERE from_clause = ? AND removed_at IS NULL", [key])
        if not later:
            return key, "kept"
        if later[0]["to_clause"] is None:
            return None, "removed later"
        key = later[0]["to_clause"]
    return key, "kept"


def _contains(words: list, run: list) -> bool:
    size = len(run)
    return any(words[i:i + size] == run for i in range(len(words) - size + 1))


def _label(step):
    number = step["number"] or "?"
    if step["pingpong_item_id"] is not None:
        return f"{step['item_type'] or 'Amendment'} {number}"
    return number if number.upper().startswith(("NC", "NS")) else f"Amendment {number}"


def list_commitments(db, *, status: str | None = None, member_id: int | None = None, topic: str | None = None) -> list:
    """Commitments (not removed), each with its follow-ups; optionally of one status, member or topic."""
    where, params = ["c.removed_at IS NULL"], []
    for column, value in (("c.status", status), ("c.member_id", member_id), ("c.topic", topic)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    found = rows(db, f"""SELECT c.commitment_id, c.member_id, m.name AS member, c.department, c.text, c.made_on, c.source_table,
                                c.source_id, c.deadline, c.deadline_basis, c.status, c.fulfilled_by, c.bill_id, c.topic, t.name AS topic_name
                         FROM commitments c LEFT JOIN members m ON m.member_id = c.member_id LEFT JOIN topics t ON t.topic = c.topic
                         WHERE {' AND '.join(where)} ORDER BY c.made_on, c.commitment_id""", params)
    for c in found:
        c["path"] = f"{c['source_table']}/{c['source_id']}"
        c["followups"] = rows(db, """SELECT f.kind, f.source_table, f.source_id, f.date, f.quote, m.name AS member
                                     FROM commitment_followups f LEFT JOIN members m ON m.member_id = f.member_id
                                     WHERE f.commitment_id = ? ORDER BY f.date""", [c["commitment_id"]])
        for f in c["followups"]:
            f["path"] = f"{f['source_table']}/{f['source_id']}"
    return found


def resolve_member(db, text: str) -> int:
    """A member id from an id or a name (exact, else the one name containing the words)."""
    if str(text).isdigit():
        return int(text)
    exact = rows(db, """SELECT DISTINCT member_id AS id, name FROM (SELECT member_id, name FROM members UNION SELECT member_id, name FROM member_names)
                        WHERE lower(name) = lower(?)""", [text])
    return _the_one(db, exact, "SELECT member_id AS id, name FROM members WHERE name LIKE ? ORDER BY name", text, "member")


def resolve_topic(db, text: str) -> str:
    """A topic key from a key (``family:a10001285``), a provision, supplier or family id, or words of its name."""
    _require(db)
    exact = rows(db, "SELECT topic AS id, name FROM topics WHERE topic = ? OR family_id = ? OR provision_id = ? OR supplier_id = ?",
                 [text, text, text, text])
    return _the_one(db, exact, "SELECT topic AS id, name FROM topics WHERE name LIKE ? ORDER BY kind, topic", text,
                    "topic (a family, provision or supplier)")


def _the_one(db, exact, like_sql, text, what):
    """The one exact match, else the one name containing ``text``; a one-line error naming the candidates otherwise."""
    found = exact if len(exact) == 1 else rows(db, like_sql, [f"%{text}%"])
    if len(found) == 1:
        return found[0]["id"]
    if not found:
        raise TrackerError(f"no {what} of that name in the database", source="positions", record=text)
    names = "; ".join(f"{r['name']} ({r['id']})" for r in found[:8])
    raise TrackerError(f"several match: {names}", source="positions", record=text)
