"""The versions and positions pages in a real browser, on the demo database served by ``tracker serve``:
what issues 10 and 12 say is done, done as a reader does it. Screenshots go to ``test-artifacts/``."""
from pathlib import Path

import pytest
from positions_support import demo_copy
from test_browser import CHROMIUM, browser, page, served, shot  # noqa: F401  (browser and page: fixtures)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent: install Debian's chromium to run the browser tests")

BILL = 3159


@pytest.fixture
def reader(request):
    """A browser tab: test_browser's ``page`` fixture (a screenshot at the end, no script errors)."""
    return request.getfixturevalue("page")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser-demo") / "demo.db"
    demo_copy(tmp_path_factory, path).close()
    yield from served(path, tmp_path_factory)


def test_compare_two_prints_and_see_which_amendment_made_each_change(reader, demo_url):
    reader.goto(f"{demo_url}/-/bill/{BILL}/versions")
    assert reader.locator("table.bill-versions tr").count() == 6  # a header and five versions
    reader.select_option("select[name=from]", label="Procurement Bill [HL] as amended in Committee")
    reader.select_option("select[name=to]", label="Procurement Bill [HL] as brought from the Lords")
    reader.click("input[type=submit]")
    reader.wait_for_selector("p.compare-summary")
    summary = reader.inner_text("p.compare-summary")
    assert "made by an agreed amendment" in summary and "unexplained" in summary
    # Side by side: the earlier text with deletions, the later with insertions.
    assert reader.locator("table.side-by-side td.new ins").count() > 0
    renumbered = reader.locator(".text-change[data-kind=renumbered]").first
    assert "unexplained: renumbered by no amendment" in renumbered.inner_text()
    shot(reader, "versions-compare")
    made = reader.locator("a.made-by-link", has_text="Amendment 30")
    assert made.count() == 1
    made.click()
    reader.wait_for_selector("#text-changes")
    assert "Made this change to the text" in reader.inner_text("#text-changes")
    assert "(5) A contracting authority must consider any advice" in reader.inner_text(".text-change ins")
    shot(reader, "versions-amendment-made-this-change")


def test_a_clause_history_across_the_prints(reader, demo_url):
    reader.goto(f"{demo_url}/-/bill/{BILL}/versions")
    reader.click("text=HL Bill 4 as introduced")
    reader.click("ul.clause-list >> text=Clause 28")
    reader.wait_for_selector(".text-change")
    steps = reader.locator(".text-change")
    assert steps.count() == 4  # Committee, Report, brought from the Lords (renumbered), the Act
    assert "Made by Amendment 103" in steps.nth(0).inner_text()
    assert "Made by Amendment 30" in steps.nth(1).inner_text()
    assert "unexplained" in steps.nth(2).inner_text()
    shot(reader, "versions-clause-history")
    # The print's neighbour, compared inline.
    reader.click("text=Procurement Bill [HL] as amended in Committee")
    reader.click("a.compare-next")
    reader.check("input[name=view][value=inline]")
    reader.click("input[type=submit]")
    reader.wait_for_selector(".diff-inline")
    assert reader.locator(".diff-inline ins").count() > 0
    shot(reader, "versions-compare-inline")


def test_a_members_position_with_its_evidence_and_votes_marked(reader, demo_url):
    reader.goto(demo_url + "/-/member/152")
    section = reader.locator("#positions")
    first = section.locator("li.position").first
    text = first.inner_text()
    assert text.startswith("Supports: Removal of surveillance equipment from government sites: timeline")
    assert "sponsored NC2" in text and "spoke 13 Jun 2023" in text
    votes = reader.locator("table.member-votes").inner_text()
    assert "with party" in votes and "with the Government" in votes
    shot(reader, "positions-member-ids")
    first.locator("a.evidence-sponsored").click()
    reader.wait_for_selector("h1")
    assert "NC2" in reader.inner_text("h1")
    reader.go_back()
    reader.locator("#positions li.position").first.locator("a.topic-link").click()
    reader.wait_for_selector("table.topic-members")
    assert "Sir Iain Duncan Smith" in reader.locator("table.topic-members").first.inner_text()
    shot(reader, "positions-topic")


def test_the_proposal_across_both_houses(reader, demo_url):
    reader.goto(demo_url + "/-/topic/family:a10001285")
    reader.click("a.family-link")
    reader.wait_for_selector("ol.timeline")
    steps = reader.locator("li.family-step")
    assert steps.count() == 3
    assert "Lords Committee stage" in steps.nth(0).inner_text() and "withdrawn" in steps.nth(0).inner_text()
    assert "Lords Report stage" in steps.nth(1).inner_text() and "not moved" in steps.nth(1).inner_text()
    assert "Commons Report stage" in steps.nth(2).inner_text() and "Sir Iain Duncan Smith" in steps.nth(2).inner_text()
    assert "not in the Act" in reader.inner_text(".act-outcome")
    shot(reader, "positions-family")


def test_the_removal_timeline_commitment_with_its_deadline_and_status(reader, demo_url):
    reader.goto(demo_url + "/-/commitments")
    item = reader.locator("li.commitment", has_text="publish a timeline for the removal of surveillance equipment")
    assert item.count() == 1
    text = item.inner_text()
    assert "overdue" in text and "deadline 2024-04-26" in text and "within six months of Royal Assent" in text
    assert "restated by Alex Burghart" in text
    shot(reader, "positions-commitments")
    reader.click("p.status-filter >> text=overdue")
    reader.wait_for_selector("li.commitment")
    assert reader.locator("li.commitment").count() == 1
    reader.locator("li.commitment a.commitment-source").click()
    reader.wait_for_load_state()
    assert "six months" in reader.content()
