"""The versions and positions pages in a real browser, on the demo database served by ``tracker serve``:
what issues 10 and 12 say is done, done as a reader does it. Screenshots go to ``test-artifacts/``."""
from pathlib import Path

import pytest
from positions_support import demo_copy
from test_browser import CHROMIUM, browser, page, served, shot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent: install Debian's chromium to run the browser tests")

BILL = 3159


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser-demo") / "demo.db"
    demo_copy(tmp_path_factory, path).close()
    yield from served(path, tmp_path_factory)


def test_compare_two_prints_and_see_which_amendment_made_each_change(page, demo_url):
    page.goto(f"{demo_url}/-/bill/{BILL}/versions")
    assert page.locator("table.bill-versions tr").count() == 6  # a header and five versions
    page.select_option("select[name=from]", label="Procurement Bill [HL] as amended in Committee")
    page.select_option("select[name=to]", label="Procurement Bill [HL] as brought from the Lords")
    page.click("input[type=submit]")
    page.wait_for_selector("p.compare-summary")
    summary = page.inner_text("p.compare-summary")
    assert "made by an agreed amendment" in summary and "unexplained" in summary
    # Side by side: the earlier text with deletions, the later with insertions.
    assert page.locator("table.side-by-side td.new ins").count() > 0
    renumbered = page.locator(".text-change[data-kind=renumbered]").first
    assert "unexplained: renumbered by no amendment" in renumbered.inner_text()
    shot(page, "versions-compare")
    made = page.locator("a.made-by-link", has_text="Amendment 30")
    assert made.count() == 1
    made.click()
    page.wait_for_selector("#text-changes")
    assert "Made this change to the text" in page.inner_text("#text-changes")
    assert "(5) A contracting authority must consider any advice" in page.inner_text(".text-change ins")
    shot(page, "versions-amendment-made-this-change")


def test_a_clause_history_across_the_prints(page, demo_url):
    page.goto(f"{demo_url}/-/bill/{BILL}/versions")
    page.click("text=HL Bill 4 as introduced")
    page.click("ul.clause-list >> text=Clause 28")
    page.wait_for_selector(".text-change")
    steps = page.locator(".text-change")
    assert steps.count() == 4  # Committee, Report, brought from the Lords (renumbered), the Act
    assert "Made by Amendment 103" in steps.nth(0).inner_text()
    assert "Made by Amendment 30" in steps.nth(1).inner_text()
    assert "unexplained" in steps.nth(2).inner_text()
    shot(page, "versions-clause-history")
    # The print's neighbour, compared inline.
    page.click("text=Procurement Bill [HL] as amended in Committee")
    page.click("a.compare-next")
    page.check("input[name=view][value=inline]")
    page.click("input[type=submit]")
    page.wait_for_selector(".diff-inline")
    assert page.locator(".diff-inline ins").count() > 0
    shot(page, "versions-compare-inline")


def test_a_members_position_with_its_evidence_and_votes_marked(page, demo_url):
    page.goto(demo_url + "/-/member/152")
    section = page.locator("#positions")
    first = section.locator("li.position").first
    text = first.inner_text()
    assert text.startswith("Supports: Removal of surveillance equipment from government sites: timeline")
    assert "sponsored NC2" in text and "spoke 13 Jun 2023" in text
    votes = page.locator("table.member-votes").inner_text()
    assert "with party" in votes and "with the Government" in votes
    shot(page, "positions-member-ids")
    first.locator("a.evidence-sponsored").click()
    page.wait_for_selector("h1")
    assert "NC2" in page.inner_text("h1")
    page.go_back()
    page.locator("#positions li.position").first.locator("a.topic-link").click()
    page.wait_for_selector("table.topic-members")
    assert "Sir Iain Duncan Smith" in page.locator("table.topic-members").first.inner_text()
    shot(page, "positions-topic")


def test_the_proposal_across_both_houses(page, demo_url):
    page.goto(demo_url + "/-/topic/family:a10001285")
    page.click("a.family-link")
    page.wait_for_selector("ol.timeline")
    steps = page.locator("li.family-step")
    assert steps.count() == 3
    assert "Lords Committee stage" in steps.nth(0).inner_text() and "withdrawn" in steps.nth(0).inner_text()
    assert "Lords Report stage" in steps.nth(1).inner_text() and "not moved" in steps.nth(1).inner_text()
    assert "Commons Report stage" in steps.nth(2).inner_text() and "Sir Iain Duncan Smith" in steps.nth(2).inner_text()
    assert "not in the Act" in page.inner_text(".act-outcome")
    shot(page, "positions-family")


def test_the_removal_timeline_commitment_with_its_deadline_and_status(page, demo_url):
    page.goto(demo_url + "/-/commitments")
    item = page.locator("li.commitment", has_text="publish a timeline for the removal of surveillance equipment")
    assert item.count() == 1
    text = item.inner_text()
    assert "overdue" in text and "deadline 2024-04-26" in text and "within six months of Royal Assent" in text
    assert "restated by Alex Burghart" in text
    shot(page, "positions-commitments")
    page.click("p.status-filter >> text=overdue")
    page.wait_for_selector("li.commitment")
    assert page.locator("li.commitment").count() == 1
    page.locator("li.commitment a.commitment-source").click()
    page.wait_for_load_state()
    assert "six months" in page.content()
