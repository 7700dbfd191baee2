"""Bill prints read into clause records (PDF, HTML, AKN, the Act), aligned and attributed."""
from collections import Counter

import pytest

from conftest import SHARED
from scrapers.billprints import from_legislation_rows, read_akn, read_html, read_pdf, read_print
from scrapers.errors import TrackerError
from scrapers.legislation import parse_item
from fakes import SAMPLE_DIR
from tracker.versions import compare_prints
from tracker.versions.attribution import Candidate
from versions_prints import html_print, make_pdf

PRINTS = SAMPLE_DIR / "prints"


def by_number(records, kind="clause"):
    return {r.number: r for r in records if r.kind == kind}


def changes_by_name(changes):
    out = {}
    for change in changes:
        record = change.new or change.old
        out[(record.heading, change.kind)] = change
    return out


# -- PDF -----------------------------------------------------------------------------

PURPOSE = [("(1) The purpose of this Act is to make provision about the procure-", False),
           ("ment of goods, services and works by contracting authorities.", False),
           ("(2) A Minister of the Crown may publish guidance about that purpose.", False)]
DEFINITIONS = [("(1) In this Act \"supplier\" means a person who offers goods, services", False),
               ("or works to a contracting authority.", False)]
DUTIES = [("(1) A contracting authority must have regard to value for money.", False)]
REPORTS = [("(1) A contracting authority must publish an annual report on its", False),
           ("procurement, including the number of contracts it has awarded.", False)]
FEES = [("(1) A Minister of the Crown may by regulations set fees for the use of the", False),
        ("central digital platform by suppliers.", False)]
PENALTIES = [("(1) A supplier who knowingly provides false information commits an offence.", False)]
CONSULTATION = [("(1) Before publishing guidance under section 1 the Minister must consult", False),
                ("such persons representing suppliers as the Minister considers appropriate.", False)]


def pdf_print_1():
    page_1 = [("PART 1", False), ("GENERAL", False), ("1 Purpose", True), *PURPOSE,
              ("2 Definitions", True), *DEFINITIONS, ("3 Duties", True), *DUTIES, ("4 Reports", True), *REPORTS]
    page_2 = [("5 Fees", True), *FEES, ("6 Penalties", True), *PENALTIES,
              ("SCHEDULE 1", False), ("Section 5", False), ("FORMS OF NOTICE", False),
              ("1 A notice under section 5 must be in writing.", False),
              ("2 A notice may be given by electronic means.", False)]
    return make_pdf([page_1, page_2])


def pdf_print_2():
    purpose = [PURPOSE[0], PURPOSE[1], ("(2) A Minister of the Crown must publish guidance about that purpose.", False)]
    page_1 = [("PART 1", False), ("GENERAL", False), ("1 Purpose", True), *purpose, ("2 Fees", True), *FEES,
              ("3 Definitions", True), *DEFINITIONS, ("4 Consultation", True), *CONSULTATION]
    page_2 = [("5 Duties", True), *DUTIES, ("6 Reports", True), *REPORTS, ("7 Penalties", True), *PENALTIES,
              ("SCHEDULE 1", False), ("Section 6", False), ("FORMS OF NOTICE", False),
              ("1 A notice under section 6 must be in writing.", False),
              ("2 A notice may be given by electronic means.", False)]
    return make_pdf([page_1, page_2])


def test_pdf_structure_lines_heads_and_hyphenation():
    bill = read_pdf(pdf_print_1())
    clauses = by_number(bill.clauses)
    assert list(clauses) == ["1", "2", "3", "4", "5", "6"]
    assert [clauses[n].heading for n in clauses] == ["Purpose", "Definitions", "Duties", "Reports", "Fees", "Penalties"]
    part = next(r for r in bill.clauses if r.kind == "part")
    assert (part.number, part.heading) == ("1", "GENERAL")
    assert clauses["1"].parent_key == part.key
    purpose = clauses["1"]
    # hyphenation at the line end undone; running heads, feet and margin numbers are not text
    assert "procurement of goods" in purpose.text and "procure-" not in purpose.text
    everything = " ".join(r.text for r in bill.clauses)
    assert "Sample Procurement Bill" not in everything and "Bill 7 58/3" not in everything
    assert purpose.text.splitlines()[1].startswith("(2) A Minister of the Crown may publish")
    # every line keeps its page and printed line: "PART 1" is line 1, so clause 1's heading is line 3
    assert (purpose.page, purpose.line_start, purpose.line_end) == (1, 3, 6)
    assert [(l.page, l.line) for l in purpose.lines] == [(1, 3), (1, 4), (1, 5), (1, 6)]
    assert purpose.lines[2].text.startswith("ment of goods")  # the margin "5" is not in the line
    fees = clauses["5"]
    assert (fees.page, fees.line_start) == (2, 1)
    schedule = next(r for r in bill.clauses if r.kind == "schedule")
    assert (schedule.number, schedule.heading) == ("1", "FORMS OF NOTICE")
    paragraphs = [r for r in bill.clauses if r.kind == "paragraph"]
    assert [p.number for p in paragraphs] == ["1", "2"] and all(p.parent_key == schedule.key for p in paragraphs)
    assert schedule.text.splitlines()[0] == "1 A notice under section 5 must be in writing."


def test_pdf_alignment_renumbered_moved_new_and_attribution():
    old, new = read_pdf(pdf_print_1()).clauses, read_pdf(pdf_print_2()).clauses
    candidates = [
        Candidate(label="Amendment 1", text="Clause 1, page 1, line 6, leave out “may” and insert “must”", decision="Agreed", amendment_id=1),
        Candidate(label="Amendment 2", text="After Clause 3, insert the following new Clause—\n“Consultation\n(1) Before publishing guidance under section 1 the Minister must consult such persons representing suppliers as the Minister considers appropriate.”", decision="Agreed", amendment_id=2),
        Candidate(label="Amendment 3", text="Clause 4, page 1, line 20, leave out “annual” and insert “quarterly”", decision="Agreed", amendment_id=3),
    ]
    changes, not_found = compare_prints(old, new, candidates)
    found = changes_by_name(changes)
    purpose = found[("Purpose", "amended")]
    assert ["delete", "may"] in purpose.diff["ops"] and ["insert", "must"] in purpose.diff["ops"]
    assert [a.candidate.label for a in purpose.attributions] == ["Amendment 1"]
    assert "clause 1, page 1, line 6" in purpose.attributions[0].how
    consultation = found[("Consultation", "inserted")]
    assert consultation.old is None and consultation.new.number == "4"
    assert [a.candidate.label for a in consultation.attributions] == ["Amendment 2"]
    fees = found[("Fees", "moved")]
    assert (fees.old.number, fees.new.number) == ("5", "2") and not fees.attributions  # no amendment moved it
    duties = found[("Duties", "renumbered")]
    assert (duties.old.number, duties.new.number, duties.aligned_by) == ("3", "5", "text")
    assert found[("Reports", "renumbered")].new.number == "6"
    schedule = found[("FORMS OF NOTICE", "amended")]
    assert ["delete", "5"] in schedule.diff["ops"] and not schedule.attributions  # a consequential change
    assert [c.label for c in not_found] == ["Amendment 3"]  # agreed, but its change is not in the print


def test_unreadable_pdfs_are_one_line_errors():
    with pytest.raises(TrackerError, match="no text layer") as scanned:
        read_pdf(make_pdf([[("x", False)]], text_layer=False), url="https://example.test/print.pdf", record="HL Bill 7")
    assert str(scanned.value).startswith("bill print: record HL Bill 7: the PDF has no text layer")
    full = pdf_print_1()
    with pytest.raises(TrackerError, match="not a readable PDF"):
        read_pdf(full[: len(full) // 3], record="HL Bill 7")
    with pytest.raises(TrackerError, match="not a readable PDF"):
        read_pdf(b"<html>not a pdf</html>")


# -- HTML ----------------------------------------------------------------------------

def html_print_1():
    return html_print([
        ("h2", "PART 1"), ("h2", "KEY DEFINITIONS"),
        ("h3", "1 Contracting authorities"),
        ("p", "(1) In this Act “contracting authority” means a public authority funded wholly or mainly out of public funds."),
        ("p", "(2) A reference to a contracting authority includes a person acting on its behalf."),
        ("h3", "2 Suppliers"), ("p", "(1) In this Act “supplier” means any person who provides goods, services or works."),
        ("page", "2"),
        ("h3", "3 Thresholds"), ("p", "(1) The threshold amount for a public works contract is £5,336,937."),
        ("h2", "SCHEDULE 1"), ("h3", "Exempted contracts"),
        ("p", "1 A contract for the acquisition of land is an exempted contract."),
        ("p", "2 A contract of employment is an exempted contract."),
    ])


def html_print_2():
    return html_print([
        ("h2", "PART 1"), ("h2", "KEY DEFINITIONS"),
        ("h3", "1 Contracting authorities"),
        ("p", "(1) In this Act “contracting authority” means a public authority funded wholly or mainly out of public funds."),
        ("p", "(2) A reference to a contracting authority includes a person acting on its behalf."),
        ("p", "(3) This Act does not apply to a procurement by a devolved Welsh authority."),
        ("h3", "2 Suppliers"), ("p", "(1) In this Act “supplier” means any person who provides goods, services or works."),
        ("page", "2"),
        ("h3", "3 Thresholds"), ("p", "(1) The threshold amount for a public works contract is £6,000,000."),
        ("h2", "SCHEDULE 1"), ("h3", "Exempted contracts"),
        ("p", "1 A contract for the acquisition of land is an exempted contract."),
    ])


def test_html_structure():
    bill = read_html(html_print_1())
    kinds = Counter(r.kind for r in bill.clauses)
    assert kinds == {"part": 1, "clause": 3, "schedule": 1, "paragraph": 2}
    first = by_number(bill.clauses)["1"]
    assert first.heading == "Contracting authorities" and first.parent_key == "part/1"
    assert first.text.splitlines() == [
        "(1) In this Act “contracting authority” means a public authority funded wholly or mainly out of public funds.",
        "(2) A reference to a contracting authority includes a person acting on its behalf.",
    ]
    assert "Sample Procurement Bill" not in " ".join(r.text for r in bill.clauses)  # the running head
    thresholds = by_number(bill.clauses)["3"]
    assert thresholds.page == 2  # after the page break
    schedule = next(r for r in bill.clauses if r.kind == "schedule")
    assert schedule.heading == "Exempted contracts" and len(schedule.text.splitlines()) == 2


def test_html_alignment_and_attribution():
    candidates = [
        Candidate(label="Amendment 7", text="Clause 1, page 1, line 5, at end insert—\n“(3) This Act does not apply to a procurement by a devolved Welsh authority.”", decision="Agreed", amendment_id=7, clause="1"),
        Candidate(label="Amendment 9", text="Clause 3, page 2, line 2, leave out “£5,336,937” and insert “£6,000,000”", decision="Agreed", amendment_id=9),
    ]
    changes, not_found = compare_prints(read_html(html_print_1()).clauses, read_html(html_print_2()).clauses, candidates)
    found = changes_by_name(changes)
    assert [a.candidate.label for a in found[("Contracting authorities", "amended")].attributions] == ["Amendment 7"]
    thresholds = found[("Thresholds", "amended")]
    assert thresholds.diff["ops"][-3:] == [["delete", "£5,336,937"], ["insert", "£6,000,000"], ["equal", "."]]
    assert [a.candidate.label for a in thresholds.attributions] == ["Amendment 9"]
    assert found[("Suppliers", "unchanged")].aligned_by == "text"
    assert not found[("Exempted contracts", "amended")].attributions  # a paragraph left out by no amendment
    assert not_found == []


# -- Akoma Ntoso ------------------------------------------------------------------------

def test_akn_sample_prints_structure_guids_and_page_lines():
    introduced = read_akn((PRINTS / "procurement-bill-1-hl-bill-4-introduced.xml").read_bytes())
    assert introduced.title == "HL Bill 4 as introduced" and introduced.stage == "As introduced"
    clauses = by_number(introduced.clauses)
    debarment = clauses["54"]
    assert debarment.heading == "Debarment list" and debarment.guid and debarment.parent_key == "part/5"
    assert (debarment.page, debarment.line_start) == (38, 1)
    assert debarment.text.splitlines()[0].startswith("(1) A Minister of the Crown must keep a list (the “debarment list”)")
    excluded = clauses["28"]
    assert (excluded.page, excluded.line_start, excluded.page_end, excluded.line_end) == (19, 25, 19, 39)
    schedule = next(r for r in introduced.clauses if r.kind == "schedule" and r.number == "7")
    assert schedule.heading == "Discretionary exclusion grounds"
    assert [p.number for p in introduced.clauses if p.parent_key == schedule.key] == ["1", "14", "16"]
    brought = read_akn((PRINTS / "procurement-bill-4-brought-from-lords.xml").read_bytes())
    assert by_number(brought.clauses)["59"].guid == debarment.guid  # renumbered, same GUID


def test_akn_alignment_by_guid_and_attribution():
    committee = read_akn((PRINTS / "procurement-bill-2-lords-committee.xml").read_bytes()).clauses
    report = read_akn((PRINTS / "procurement-bill-3-lords-report.xml").read_bytes()).clauses
    third = read_akn((PRINTS / "procurement-bill-4-brought-from-lords.xml").read_bytes()).clauses
    changes, _ = compare_prints(report, third, [
        Candidate(label="Amendment 2", text="Clause 86, page 61, line 7, leave out “30 days” and insert “40 days”", decision="Agreed", amendment_id=2),
    ])
    assert {c.aligned_by for c in changes} == {"guid"}
    renumbered = [(c.old.number, c.new.number) for c in changes if c.kind == "renumbered"]
    assert ("11", "12") in renumbered and ("28", "29") in renumbered
    contract = next(c for c in changes if c.old and c.old.number == "86")
    assert contract.kind == "amended" and contract.new.number == "91"
    assert contract.attributions[0].how == "clause 86, page 61, line 7; words left out and inserted"
    changes, _ = compare_prints(committee, report)
    assert Counter(c.kind for c in changes)["amended"] == 6


def test_akn_bad_documents_are_clear_errors():
    good = (PRINTS / "procurement-bill-1-hl-bill-4-introduced.xml").read_bytes()
    with pytest.raises(TrackerError, match="not well-formed XML") as truncated:
        read_print(good[:5000], "akn", url="https://example.test/d", record="HL Bill 4 as introduced")
    assert "record HL Bill 4 as introduced" in str(truncated.value) and "(https://example.test/d)" in str(truncated.value)
    with pytest.raises(TrackerError, match=r"not an Akoma Ntoso document \(root element <Legislation>\)"):
        read_akn((SAMPLE_DIR / "legislation" / "ukpga-2023-54.xml").read_bytes())
    with pytest.raises(TrackerError, match="no reader for format"):
        read_print(good, "docx")


# -- the Act (CLML) ----------------------------------------------------------------------

def test_act_records_align_with_the_last_print():
    clauses = parse_item((SAMPLE_DIR / "legislation" / "ukpga-2023-54.xml").read_bytes(), "ukpga/2023/54", 3159, "u")
    act = from_legislation_rows([clause.row() for clause in clauses], title="As enacted (ukpga/2023/54)")
    sections = by_number(act.clauses, "section")
    assert list(sections) == ["1", "12", "57", "62", "60", "81"]
    assert sections["62"].parent_key == "part/5" and next(r for r in act.clauses if r.key == "part/5").heading == "Conditions of participation and exclusions"
    brought = read_akn((PRINTS / "procurement-bill-4-brought-from-lords.xml").read_bytes()).clauses
    changes, _ = compare_prints(brought, act.clauses)
    pairs = {(c.old.number, c.new.number) for c in changes if c.old and c.new and c.new.kind == "section"}
    # paired by heading and text though every number differs, never by number
    assert {("1", "1"), ("12", "12"), ("29", "57"), ("59", "62"), ("60", "60")} <= pairs
    investigations = next(c for c in changes if c.new is not None and c.new.number == "60")
    assert investigations.aligned_by == "similarity" and investigations.diff["heading"]
    assert next(c for c in changes if c.new is not None and c.new.number == "81").kind == "inserted"


# -- the two real LawMaker prints in ../shared ------------------------------------------------

REAL = SHARED / "examples" / "bills"


def test_real_lords_committee_and_report_prints():
    committee_path = REAL / "social_housing_regulation_bill_lords_committee_AKN_REAL.xml"
    report_path = REAL / "social_housing_regulation_bill_lords_report_AKN_REAL.xml"
    if not committee_path.exists() or not report_path.exists():
        pytest.skip(f"{REAL} is absent (no ../shared beside this clone)")
    committee, report = read_akn(committee_path.read_bytes()), read_akn(report_path.read_bytes())
    assert committee.title == "HL Bill 54 as amended in committee" and report.stage == "As amended on Report"
    for bill, sections in ((committee, 39), (report, 44)):
        clauses = [r for r in bill.clauses if r.kind == "clause"]
        assert len(clauses) == sections and all(r.guid and r.heading and r.text and r.page for r in clauses)
        assert len([r for r in bill.clauses if r.kind == "schedule"]) == 5
    changes, _ = compare_prints(committee.clauses, report.clauses)
    assert {c.aligned_by for c in changes if c.old and c.new} == {"guid"}
    counts = Counter(c.kind for c in changes if (c.new or c.old).kind in ("clause", "schedule"))
    print(f"\nSocial Housing (Regulation) Bill, Lords committee -> report print: {dict(sorted(counts.items()))}")
    assert counts["inserted"] == 5 and counts["removed"] == 0
    assert counts["amended"] + counts["renumbered"] + counts["unchanged"] + counts["moved"] == 44
    inserted = sorted(c.new.heading for c in changes if c.kind == "inserted" and c.new.kind == "clause")
    assert "Inspection plan" in inserted and "Standards relating to energy demand" in inserted
