"""The pages of the versions and positions rooms, in process, on the demo database as ``tracker demo`` builds it.

Versions (issue 10): the bill's prints, a print's clauses, a clause's history with the amendment
behind each step (or "unexplained"), any two prints compared, an amendment's change to the text.
Positions (issue 12): a member's positions with their evidence and vote marks, a topic's supporters
and opponents, a family's journey through both Houses, the Government's commitments.
"""
import re
import sqlite3
import urllib.parse
from html import unescape

import pytest
from click.testing import CliRunner
from positions_support import demo_copy, demo_path
from test_publish import SCRIPT, open_site

from tracker.cli import cli

BILL = 3159
INTRODUCED, COMMITTEE, REPORT, FROM_LORDS, ACT = (
    "publication/48101", "publication/48102", "publication/48103", "publication/48104", "legislation/ukpga/2023/54")
NSUP_ADVICE = 10001474  # Lords Report Amendment 30: inserts subsection (5) into clause 28
IDS, BLENCATHRA, BURGHART = 152, 497, 4613
SURVEILLANCE_FAMILY = "a10001285"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from open_site(demo_path(tmp_path_factory))


def page(site, path):
    response = site.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.text


def q(value):
    return urllib.parse.quote(value, safe="")


def links(html):
    return re.findall(r'href="([^"]+)"', html)


def visible(html):
    """The page's words without markup (for checking what a reader sees in order)."""
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.DOTALL)
    html = re.sub(r"</?(a|span|strong|em|ins|del|small|mark|code)\b[^>]*>", "", html)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


# --- versions ---------------------------------------------------------------------


def test_versions_list_links_every_print_and_compares_consecutive_ones(site):
    html = page(site, f"/-/bill/{BILL}/versions")
    for version in (INTRODUCED, COMMITTEE, REPORT, FROM_LORDS, ACT):
        assert f"/-/version/{q(version)}" in html
    assert "HL Bill 4 as introduced" in html and "As enacted (ukpga/2023/54)" in html
    compares = [link for link in links(html) if "/compare?" in link]
    assert len(compares) == 4  # each print against the one before
    assert 'name="from"' in html and 'name="to"' in html  # pick any two


def test_version_page_lists_its_clauses_in_print_order(site):
    html = page(site, f"/-/version/{q(REPORT)}")
    text = visible(html)
    assert text.index("Clause 1: Contracting authorities") < text.index("Clause 28: Excluded and excludable suppliers") < text.index("Schedule 1")
    assert f"/-/clause/{q(REPORT + '/clause/28')}" in html
    assert "From the print before: 6 amended, 12 unchanged" in text
    assert "(page 19, line 25)" in text
    # Its neighbours, each compared with it.
    assert f"/-/version/{q(COMMITTEE)}" in html and f"/-/version/{q(FROM_LORDS)}" in html


def test_clause_history_names_the_amendment_behind_each_step_and_unexplained_renumbering(site):
    html = page(site, f"/-/clause/{q(COMMITTEE + '/clause/28')}")
    text = visible(html)
    # Its whole history, from the first print (reached from a middle one) to the Act.
    assert text.count("Clause 28 (amended)") == 2
    assert "Clause 28 → Clause 29 (renumbered)" in text and "Clause 29 → Section 57" in text
    assert "Made by Amendment 103 (Committee stage, Lords)" in text
    assert "Made by Amendment 30 (Report stage, Lords)" in text
    assert f"/-/amendment/{NSUP_ADVICE}" in links(html)
    assert "unexplained: renumbered by no amendment" in text
    # The word diff: the inserted subsection is marked as inserted.
    assert re.search(r"<ins>\(5\) A contracting authority must consider any advice from the National Security Unit", html)


def test_compare_two_prints_side_by_side_and_inline(site):
    path = f"/-/bill/{BILL}/compare?from={q(REPORT)}&to={q(FROM_LORDS)}"
    html = page(site, path)
    text = visible(html)
    assert "3 amended, 6 renumbered, 9 unchanged" in text
    assert "3 made by an agreed amendment, 6 unexplained" in text
    assert text.count("unexplained: renumbered by no amendment") == 6
    assert 'class="side-by-side"' in html and '<td class="old">' in html
    assert "Made by" in text and "/-/amendment/" in html
    inline = page(site, path + "&view=inline")
    assert 'class="tracker-text diff-inline"' in inline and 'class="side-by-side"' not in inline.split("</form>", 1)[1]
    # Any two prints, not only consecutive ones: the first print against the Act.
    far = visible(page(site, f"/-/bill/{BILL}/compare?from={q(INTRODUCED)}&to={q(ACT)}"))
    assert "HL Bill 4 as introduced → As enacted (ukpga/2023/54)" in far and "removed" in far
    # With the unchanged clauses on request.
    assert visible(page(site, path + "&all=1")).count("(unchanged)") == 9


def test_compare_says_what_is_wrong_with_a_version_it_cannot_find(site):
    text = visible(page(site, f"/-/bill/{BILL}/compare?from=nonsense&to={q(ACT)}"))
    assert "'nonsense' matches no version" in text
    assert site.get("/-/bill/999/compare").status_code == 404
    assert site.get("/-/bill/999/versions").status_code == 404


def test_amendment_page_shows_the_change_it_made_to_the_text(site):
    html = page(site, f"/-/amendment/{NSUP_ADVICE}")
    text = visible(html)
    assert "Made this change to the text" in text
    assert "Procurement Bill [HL] as amended in Committee → Procurement Bill [HL] as amended on Report" in text
    assert re.search(r"<ins>\(5\) A contracting authority must consider", html)
    assert f"/-/clause/{q(REPORT + '/clause/28')}" in html
    # An amendment that changed nothing says nothing about the text.
    assert "Made this change to the text" not in page(site, "/-/amendment/10001285")


def test_unknown_records_are_not_found(site):
    for path in ("/-/version/nope", "/-/clause/nope", "/-/topic/nope", "/-/family/nope", "/-/member/1"):
        assert site.get(path).status_code == 404, path


def test_table_views_link_clauses_and_versions_to_their_pages(site):
    html = site.get("/demo/clauses?_search=surveillance").text
    assert any(link.startswith("/-/clause/") for link in links(html))
    assert f"/-/version/{q(REPORT)}" in site.get("/demo/bill_versions").text


def test_clauses_of_every_print_are_tagged_by_tracker_tag(tmp_path_factory, tmp_path):
    copy = demo_copy(tmp_path_factory, tmp_path / "copy.db")
    tagged = copy.execute("SELECT count(*) FROM mentions WHERE doc_table = 'clauses'").fetchone()[0]
    assert tagged > 0  # the demo tagged them
    with copy.conn:
        copy.execute("DELETE FROM mentions WHERE doc_table = 'clauses'")
        copy.execute("DELETE FROM nlp_documents WHERE doc_table = 'clauses'")
    copy.close()
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "copy.db"), "tag", "--table", "clauses"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(tmp_path / "copy.db")
    assert conn.execute("SELECT count(*) FROM mentions WHERE doc_table = 'clauses'").fetchone()[0] == tagged
    # In the context of their print: a provision named in the Act's Schedule 6 is linked.
    assert conn.execute(
        "SELECT count(*) FROM mentions WHERE doc_table = 'clauses' AND doc_id = ? AND label = 'PROVISION'", [ACT + "/schedule/6"]
    ).fetchone()[0] > 0


def test_clause_text_is_escaped_and_its_mentions_linked(tmp_path_factory, tmp_path):
    copy = demo_copy(tmp_path_factory, tmp_path / "escaped.db")
    with copy.conn:
        copy.execute("UPDATE clauses SET heading = heading || ?, text = text || ? WHERE clause_key = ?",
                     [SCRIPT, SCRIPT, ACT + "/schedule/6"])
    copy.close()
    for s in open_site(tmp_path / "escaped.db"):
        html = page(s, f"/-/clause/{q(ACT + '/schedule/6')}")
        assert SCRIPT not in html and "&lt;script&gt;" in html
        assert "/-/provision/" in html  # the tagged provisions link to their pages


# --- positions --------------------------------------------------------------------


def test_member_page_opens_with_positions_and_their_evidence(site):
    html = page(site, f"/-/member/{IDS}")
    text = visible(html)
    assert text.index("Positions") < text.index("Amendments and motions tabled or supported")
    assert "Supports: Removal of surveillance equipment from government sites: timeline" in text
    assert "sponsored NC2 (Commons Report stage)" in text and "spoke 13 Jun 2023" in text
    section = html.split('id="positions"', 1)[1].split("</section>", 1)[0]
    assert f"/-/topic/{q('family:' + SURVEILLANCE_FAMILY)}" in section or f"/-/topic/family:{SURVEILLANCE_FAMILY}" in section
    assert "/-/amendment/10001684" in section  # NC2, the amendment he sponsored
    assert "/demo/contributions/7000021" in section  # the speech
    # His vote, marked with his party and the Government, in the section and in the votes table.
    assert "voted aye on division commons-1599" in text
    assert text.count("with party, with the Government") >= 2


def test_a_rebellion_is_marked(site):
    text = visible(page(site, f"/-/member/{BLENCATHRA}"))
    assert "against party, against the Government, rebellion" in text


def test_topic_page_shows_who_supports_and_who_opposes_by_party_and_stage(site):
    html = page(site, f"/-/topic/family:{SURVEILLANCE_FAMILY}")
    text = visible(html)
    support, oppose = text.split("Support (", 1)[1].split("Oppose (", 1)
    assert "Sir Iain Duncan Smith" in support and "Lord Blencathra" in support
    assert "Alex Burghart" in oppose.split("Mixed evidence", 1)[0]
    assert "Conservative 8 1 0" in text  # by party: support, oppose, mixed
    assert "Lords Committee stage" in text and "Commons Report stage" in text
    assert f"/-/family/{SURVEILLANCE_FAMILY}" in html
    assert "deadline 2024-04-26" in text and "overdue" in text


def test_topic_page_marks_each_vote_with_party_and_government(site):
    text = visible(page(site, "/-/topic/family:p604284"))
    assert "voted content on division lords-3002 (Lords Consideration of Commons amendments) (against party, against the Government, rebellion)" in text


def test_family_page_follows_the_proposal_across_both_houses(site):
    text = visible(page(site, f"/-/family/{SURVEILLANCE_FAMILY}"))
    assert "3 steps in Lords and Commons" in text
    steps = text.split("Step by step", 1)[1]
    assert steps.index("Amendment 99 — Lords Committee stage") < steps.index("Amendment 21 — Lords Report stage") < steps.index("NC2 — Commons Report stage")
    assert "decision: withdrawn" in steps and "decision: not moved" in steps
    assert "Sponsors: Sir Iain Duncan Smith" in steps
    # No step changed the text, so the outcome is the estimate from the words, and says so.
    assert "not in the Act" in text and "estimated from the similarity of the words" in text
    assert "deadline 2024-04-26" in text


def test_family_outcome_comes_from_the_prints_where_a_step_changed_the_text(site):
    html = page(site, "/-/family/a10001474")
    text = visible(html)
    assert "From the bill's prints" in text
    assert "Changed the text:" in text and "Clause 28 (amended)" in text
    # Amendment 30's words are not in the Act's section 57, and the page says so rather than guessing.
    assert "Amendment 30 changed Procurement Bill [HL] as amended on Report, but its words are not in the last version" in text


def test_commitments_page_with_deadline_status_and_evidence(site):
    html = page(site, "/-/commitments")
    text = visible(html)
    assert "overdue (1)" in text and "open (2)" in text
    assert "The Government will publish a timeline for the removal of surveillance equipment" in text
    assert "deadline 2024-04-26" in text and "within six months of Royal Assent" in text
    assert text.index("overdue deadline 2024-04-26") < text.index("annual procurement report")  # overdue first
    assert "/demo/contributions/7000045" in html  # the speech it was made in
    assert "/demo/written_statements/1702003" in html  # the statement restating it
    overdue = visible(page(site, "/-/commitments?status=overdue"))
    assert "removal of surveillance equipment" in overdue and "annual procurement report" not in overdue


def test_topics_index_links_every_topic(site):
    html = page(site, "/-/topics")
    assert f"/-/topic/family:{SURVEILLANCE_FAMILY}" in html and f"/-/family/{SURVEILLANCE_FAMILY}" in html
    assert "/-/topic/provision:surveillance-equipment-removal" in html


def test_a_pingpong_amendments_change_to_the_text_shows_on_its_page(tmp_path_factory, tmp_path):
    # The demo's prints end before ping-pong; a change attributed to Lords Amendment 47 shows like an amendment's.
    copy = demo_copy(tmp_path_factory, tmp_path / "pingpong.db")
    with copy.conn:
        copy.execute("INSERT INTO change_amendments (clause_change_id, pingpong_item_id, confidence, how) VALUES (?, 604284, 0.8, 'test')",
                     [f"{FROM_LORDS}/clause/59 -> {ACT}/section/62"])
    copy.close()
    for s in open_site(tmp_path / "pingpong.db"):
        text = visible(page(s, "/pingpong/pingpong_items/604284"))
        assert "Made this change to the text" in text and "Found by test (confidence 0.80)" in text
        assert "Procurement Bill [HL] as brought from the Lords → As enacted (ukpga/2023/54)" in text
