"""Bill prints read per second (PDF and Akoma Ntoso XML of 300 pages) and diff time for two
300-clause versions, side by side.

    python benchmarks/versions_speed.py [--pages 300] [--clauses 300] [--repeat 3]

Builds, in memory, a 300-page print in each format with the same synthetic clauses
(40 printed lines a page, margin numbers every five lines, running heads; the XML
with GUIDs and ``<?L page-line?>`` marks), times the readers, then compares two
300-clause versions (a tenth of the clauses amended, five inserted, five left out,
the rest renumbered) both ways the aligner works: by GUID (LawMaker prints) and by
heading and text alone (PDF or HTML prints, no GUIDs). Prints milliseconds and
ratios; asserts nothing. pdfplumber's character-level layout analysis is nearly all
of the PDF time, so the 300-page PDF takes minutes on a small machine.
"""
import argparse
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scrapers.billprints import read_akn, read_pdf  # noqa: E402
from tracker.versions import compare_prints  # noqa: E402

LINES_PER_PAGE = 40
_COMMON = ("the a of to in or and by any must may under this that for".split())
# A vocabulary the size of a bill's: clauses share common words but not their substance.
_RARE = ["".join(random.Random(i).choice("bcdfghklmnprstvw") + random.Random(i * 7 + 1).choice("aeiou") for _ in range(3)) for i in range(3000)]


def _word(rng):
    return rng.choice(_COMMON) if rng.random() < 0.5 else rng.choice(_RARE)


def clause_texts(count, seed=1):
    rng = random.Random(seed)
    clauses = []
    for number in range(1, count + 1):
        heading = " ".join(_word(rng) for _ in range(3)).capitalize()
        subsections = [" ".join(_word(rng) for _ in range(rng.randint(18, 40))) + "." for _ in range(rng.randint(2, 4))]
        clauses.append((f"clause-{number}", heading, subsections))
    return clauses


def printed_lines(clauses, pages):
    """``(page, line, text, kind)`` filling ``pages`` pages; subsections wrap at 12 words."""
    out, page, line = [], 1, 1
    index = 0
    while page <= pages:
        name, heading, subsections = clauses[index % len(clauses)]
        number = index + 1
        rows = [(f"{number} {heading}", "heading", name)]
        for s_index, text in enumerate(subsections, start=1):
            words = f"({s_index}) {text}".split()
            rows += [(" ".join(words[i:i + 12]), "text", name) for i in range(0, len(words), 12)]
        for text, kind, clause in rows:
            out.append((page, line, text, kind, clause, number))
            line += 1
            if line > LINES_PER_PAGE:
                page, line = page + 1, 1
                if page > pages:
                    break
        index += 1
    return out


def make_pdf(lines, pages):
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    for page in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", "", 9)
        pdf.text(30, 12, f"Synthetic Bill  {page}")
        pdf.text(30, 290, "Bill 300 58/3")
        for p, line, text, kind, _, _ in lines:
            if p != page:
                continue
            y = 30 + line * 6
            if line % 5 == 0:
                pdf.set_font("Helvetica", "", 8)
                pdf.text(12, y, str(line))
            pdf.set_font("Helvetica", "B" if kind == "heading" else "", 10)
            pdf.text(30, y, text)
    return bytes(pdf.output())


def make_akn(lines):
    body, current = [], None
    for page, line, text, kind, clause, number in lines:
        mark = f"<?L {page}-{line}?>"
        if kind == "heading":
            if current:
                body.append("</p></content></section>")
            heading = text.split(" ", 1)[1]
            guid = "_" + str(uuid.uuid5(uuid.NAMESPACE_URL, clause))
            body.append(f'<section GUID="{guid}" eId="sec_{number}"><num>{mark}{number}</num><heading>{heading}</heading><content><p>')
            current = clause
        else:
            body.append(f"{mark}{text} ")
    body.append("</p></content></section>")
    return ('<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><bill><body>'
            + "".join(body) + "</body></bill></akomaNtoso>").encode("utf-8")


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def amended(records, seed=2):
    """A later version: a tenth amended, five inserted, five left out, the rest renumbered."""
    import copy

    rng = random.Random(seed)
    later = [copy.copy(r) for r in records if r.kind == "clause"]
    for record in rng.sample(later, len(later) // 10):
        words = record.text.split()
        words[rng.randrange(len(words))] = "must"
        record.text = " ".join(words)
    for _ in range(5):
        later.pop(rng.randrange(len(later)))
    for n in range(5):
        new = copy.copy(later[0])
        new.guid, new.key, new.heading = f"_new-{n}", f"clause/new-{n}", f"Inserted clause {n}"
        new.text = " ".join(_word(rng) for _ in range(30))
        later.insert(rng.randrange(len(later)), new)
    for index, record in enumerate(later, start=1):
        record.number, record.position = str(index), index
    return later


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--clauses", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each timing (the median is printed)")
    args = parser.parse_args()

    lines = printed_lines(clause_texts(args.clauses), args.pages)
    pdf, akn = make_pdf(lines, args.pages), make_akn(lines)
    pdf_time, pdf_print = timed(lambda: read_pdf(pdf), args.repeat)
    akn_time, akn_print = timed(lambda: read_akn(akn), args.repeat)
    print(f"{args.pages}-page print ({len(pdf) // 1024} KiB PDF, {len(akn) // 1024} KiB XML), median of {args.repeat}:")
    print(f"  PDF  {pdf_time * 1000:9.1f} ms  {1 / pdf_time:8.4f} prints/s  {args.pages / pdf_time:8.1f} pages/s  "
          f"({len([r for r in pdf_print.clauses if r.kind == 'clause'])} clauses)  ratio 1.00")
    print(f"  XML  {akn_time * 1000:9.1f} ms  {1 / akn_time:8.4f} prints/s  {args.pages / akn_time:8.1f} pages/s  "
          f"({len([r for r in akn_print.clauses if r.kind == 'clause'])} clauses)  ratio {akn_time / pdf_time:.3f}")

    earlier = [r for r in akn_print.clauses if r.kind == "clause"][: args.clauses]
    later = amended(earlier)
    guid_time, (changes, _) = timed(lambda: compare_prints(earlier, later), args.repeat)
    for record in earlier + later:
        record.guid = None
    text_time, (text_changes, _) = timed(lambda: compare_prints(earlier, later), args.repeat)
    kinds = {}
    for change in text_changes:
        kinds[change.kind] = kinds.get(change.kind, 0) + 1
    print(f"diff of two {len(earlier)}-clause versions ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}):")
    print(f"  aligned by GUID            {guid_time * 1000:9.1f} ms  ratio 1.00")
    print(f"  aligned by heading + text  {text_time * 1000:9.1f} ms  ratio {text_time / guid_time:.2f}")
    agree = sum(1 for a, b in zip(changes, text_changes) if a.kind == b.kind)
    print(f"  the two alignments agree on {agree} of {len(changes)} changes")


if __name__ == "__main__":
    main()
