"""A comparison of two versions as terminal text or as a side-by-side HTML page."""
import html

from tracker.versions import Comparison

_NAMES = {"clause": "Clause", "section": "Section", "schedule": "Schedule", "part": "Part", "chapter": "Chapter"}
CONTEXT = 12  # words of unchanged text kept either side of a change in the terminal


def provision_name(record) -> str:
    """``Clause 28``, ``Section 62``, ``Schedule 7``, ``Part 5``."""
    if record is None:
        return "-"
    name = _NAMES.get(record.kind, record.kind.title())
    return f"{name} {record.number}" if record.number else name


def change_title(change) -> str:
    old, new = change.old, change.new
    if old is None:
        where = f"new {provision_name(new)}"
    elif new is None:
        where = provision_name(old)
    elif provision_name(old) != provision_name(new):
        where = f"{provision_name(old)} → {provision_name(new)}"
    else:
        where = provision_name(new)
    heading = (new or old).heading
    return f"{where} ({change.kind})" + (f"  {heading}" if heading else "")


def unexplained_line(kind: str) -> str | None:
    """What an unattributed change of ``kind`` is called (None: an unchanged clause needs no explaining)."""
    if kind == "unchanged":
        return None
    if kind == "renumbered":
        return "unexplained: renumbered by no amendment (consequential on clauses inserted or left out)"
    return "unexplained: no agreed amendment between these prints accounts for this change"


def attribution_lines(change) -> list[str]:
    if change.attributions:
        return [f"made by {a.candidate.label}, confidence {a.confidence:.2f}: {a.how}" for a in change.attributions]
    line = unexplained_line(change.kind)
    return [line] if line else []


def _elide(text: str, first: bool, last: bool) -> str:
    words = text.split()
    keep_head = 0 if first else CONTEXT
    keep_tail = 0 if last else CONTEXT
    if len(words) <= keep_head + keep_tail + 3:
        return text
    head = words[:keep_head] if keep_head else []
    tail = words[-keep_tail:] if keep_tail else []
    return " ".join(head + ["…"] + tail)


def terminal_diff(ops, style, full: bool = False) -> str:
    """Word ops as one text: deletions and insertions marked by ``style(kind, text)``."""
    parts = []
    for index, (op, text) in enumerate(ops):
        if op == "equal":
            parts.append(text if full else _elide(text, index == 0, index == len(ops) - 1))
        else:
            parts.append(style(op, text))
    return " ".join(p for p in parts if p)


def comparison_text(comparison: Comparison, style, *, clause: str | None = None) -> list[str]:
    """The terminal report of a comparison, line by line."""
    a, b = comparison.from_version, comparison.to_version
    counts = comparison.counts()
    lines = [
        f"{a['label']} ({a['date'] or 'undated'}) → {b['label']} ({b['date'] or 'undated'})",
        ", ".join(f"{counts[k]} {k}" for k in sorted(counts)) + f"; {len(comparison.unexplained())} unexplained",
        "",
    ]
    for change in comparison.changes:
        if clause is None and change.kind == "unchanged":
            continue
        if clause is not None and not _names(change, clause):
            continue
        lines.append(change_title(change))
        if change.diff.get("heading"):
            lines.append("  heading: " + terminal_diff(change.diff["heading"], style, full=True))
        if change.kind in ("amended", "inserted", "removed") or clause is not None:
            body = terminal_diff(change.diff.get("ops") or [], style, full=clause is not None)
            lines.extend("  " + line for line in body.splitlines() if line.strip())
        lines.extend("  " + line for line in attribution_lines(change))
        lines.append("")
    if comparison.not_found:
        lines.append("Agreed amendments whose change is not in the later print:")
        for candidate in comparison.not_found:
            first = (candidate.text or "").splitlines()[0] if candidate.text else ""
            lines.append(f"  {candidate.label}: {first}")
    return lines


def _names(change, clause: str) -> bool:
    wanted = clause.strip().lower()
    for record in (change.old, change.new):
        if record is None:
            continue
        if wanted in (provision_name(record).lower(), (record.number or "").lower()) and record.kind != "part":
            return True
    return False


def plain_style(op: str, text: str) -> str:
    return f"[-{text}-]" if op == "delete" else f"{{+{text}+}}"


def marked_html(ops, side: str = "both") -> str:
    """A change as HTML: the ``old`` side shows deletions, the ``new`` side insertions, ``both`` (inline) each in place."""
    out = []
    for op, text in ops:
        escaped = html.escape(text)
        if op == "equal":
            out.append(escaped)
        elif op == "delete" and side in ("old", "both"):
            out.append(f"<del>{escaped}</del>")
        elif op == "insert" and side in ("new", "both"):
            out.append(f"<ins>{escaped}</ins>")
    return " ".join(out)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: Georgia, serif; margin: 2em; color: #1b1b1b; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-top: 1px solid #ccc; padding: .5em; vertical-align: top; width: 50%; white-space: pre-wrap; }}
th {{ text-align: left; font-family: sans-serif; background: #f4f4f4; }}
del {{ background: #fbd5d5; text-decoration: line-through; }}
ins {{ background: #d2f4d3; text-decoration: none; }}
.by {{ font-family: sans-serif; font-size: .9em; color: #254; }}
.unexplained {{ font-family: sans-serif; font-size: .9em; color: #a40; }}
</style></head><body>
<h1>{title}</h1>
<p>{summary}</p>
<table>
<tr><th>{left}</th><th>{right}</th></tr>
{rows}
</table>
{not_found}
</body></html>
"""


def comparison_html(comparison: Comparison, *, clause: str | None = None) -> str:
    """A side-by-side page: the earlier print's clause with deletions, the later one's with insertions."""
    a, b = comparison.from_version, comparison.to_version
    rows = []
    for change in comparison.changes:
        if clause is None and change.kind == "unchanged":
            continue
        if clause is not None and not _names(change, clause):
            continue
        ops = change.diff.get("ops") or []
        notes = "".join(
            f'<div class="{"by" if change.attributions else "unexplained"}">{html.escape(line)}</div>'
            for line in attribution_lines(change)
        )
        rows.append(
            f'<tr><th colspan="2">{html.escape(change_title(change))}</th></tr>'
            f"<tr><td>{marked_html(ops, 'old')}</td><td>{marked_html(ops, 'new')}</td></tr>"
            + (f'<tr><td colspan="2">{notes}</td></tr>' if notes else "")
        )
    not_found = ""
    if comparison.not_found:
        items = "".join(f"<li>{html.escape(c.label)}: {html.escape((c.text or '').splitlines()[0] if c.text else '')}</li>" for c in comparison.not_found)
        not_found = f"<h2>Agreed amendments whose change is not in the later print</h2><ul>{items}</ul>"
    counts = comparison.counts()
    summary = ", ".join(f"{counts[k]} {k}" for k in sorted(counts)) + f"; {len(comparison.unexplained())} unexplained"
    title = f"{a['label']} → {b['label']}"
    return _PAGE.format(
        title=html.escape(title), summary=html.escape(summary), left=html.escape(a["label"] or ""),
        right=html.escape(b["label"] or ""), rows="\n".join(rows), not_found=not_found,
    )

