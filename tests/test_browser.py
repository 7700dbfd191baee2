"""The publication in a real browser: Debian's Chromium driven by Playwright against ``datasette serve``.

The server is started by ``tracker serve`` itself (Datasette with the plugin, its
settings and metadata) on a free loopback port, over a database built like the in-process tests'.
Screenshots go to ``test-artifacts/``.
"""
import signal
import socket
import subprocess
import sys
import re
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from test_publish import A_SURVEILLANCE, ATOM, BILL, LORD_ALTON, SCRIPT, build_db
from tracker.publish.feeds import SAMPLE_CATEGORY


CHROMIUM = "/usr/bin/chromium"
PHONE_WIDTH = 390  # an iPhone 12-15's CSS width
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent: install Debian's chromium (`make browser`) to run the browser tests"
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served(path, tmp_path_factory):
    """``tracker serve`` on ``path`` at a free loopback port: yields its base URL, stops it with Ctrl-C."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("log") / "datasette.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tracker.cli import cli; cli()", "--db", str(path), "serve", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                proc.kill()
                pytest.fail(f"datasette did not start: {log.read()[-2000:]}")
            time.sleep(0.2)
    yield url
    proc.send_signal(signal.SIGINT)  # as Ctrl-C stops it: the serve command removes its metadata file
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """A small database built through the store as a sync builds it (not the sample)."""
    yield from served(build_db(tmp_path_factory.mktemp("browser") / "tracker.db"), tmp_path_factory)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    """The demo database, built by ``tracker demo`` from the bundled sample."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    built = subprocess.run([sys.executable, "-c", "from tracker.cli import cli; cli()", "--db", str(path), "--quiet", "demo", "--no-serve"],
                           capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stderr[-2000:]
    yield from served(path, tmp_path_factory)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    phone = request.node.get_closest_marker("phone") is not None
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844} if phone else {"width": 1280, "height": 900})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}") or dialog.dismiss())
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / (re.sub(r"[^\w.-]+", "-", request.node.name) + "-end.png")), full_page=True)
    context.close()
    assert not errors, errors  # no script errors, and no alert() from stored text


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_and_open_a_result(page, base_url):
    page.goto(base_url + "/")
    page.click("text=Search everything")
    page.fill("input[name=q]", "surveillance equipment")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("ol.search-results")
    shot(page, "search-results")
    first = page.locator("a.search-result").first
    assert "Amendment NC1" in first.inner_text()
    assert page.locator(".snippet mark").count() >= 2
    first.click()
    page.wait_for_url(f"**/-/amendment/{A_SURVEILLANCE}")
    assert page.locator("h1").inner_text().startswith("Amendment NC1")


def test_click_a_facet(page, base_url):
    page.goto(base_url + "/tracker/amendments")
    facet = page.locator(".facet-info[data-column=decision] a", has_text="Agreed").first
    facet.click()
    page.wait_for_url("**decision=Agreed**")
    shot(page, "facet-decision-agreed")
    assert page.inner_text("h3").startswith('1 row where decision = "Agreed"')
    assert page.locator(f'a[href="/-/amendment/{A_SURVEILLANCE}"]').count() == 1
    # the search page's own kind facet
    page.goto(base_url + "/-/search?q=hikvision")
    page.click("a.search-facet[data-kind=amendments]")
    page.wait_for_url("**kind=amendments**")
    kinds = set(page.locator("li.search-hit").evaluate_all("els => els.map(e => e.dataset.kind)"))
    assert kinds == {"amendments"}


def test_amendment_page_links_the_highlighted_supplier(page, base_url):
    page.goto(f"{base_url}/-/amendment/{A_SURVEILLANCE}")
    link = page.locator("a.mention-supplier").first
    assert link.inner_text() == "Hikvision"
    assert link.get_attribute("href") == "/-/supplier/hikvision"
    background = link.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), "the mention is highlighted"
    # stored markup shows as text, and runs nowhere
    assert SCRIPT in page.inner_text(".field-text")
    shot(page, "amendment-page")
    link.click()
    page.wait_for_url("**/-/supplier/hikvision")
    assert "Hikvision" in page.inner_text("h1")
    shot(page, "supplier-page")


def test_member_page(page, base_url):
    page.goto(f"{base_url}/-/amendment/{A_SURVEILLANCE}")
    page.click(f'a.sponsor[href="/-/member/{LORD_ALTON}"]')
    page.wait_for_url(f"**/-/member/{LORD_ALTON}")
    assert "Lord Alton of Liverpool" in page.inner_text("h1")
    table = page.locator("table.member-amendments")
    assert "NC1" in table.inner_text() and "lead sponsor" in table.inner_text()
    shot(page, "member-page")


def test_fetch_and_parse_a_feed(page, base_url):
    page.goto(f"{base_url}/tracker/bills/{BILL}")
    href = page.locator("a.bill-feed-link").get_attribute("href")
    assert href == f"/-/feeds/bill/{BILL}.atom"
    response = page.request.get(base_url + href)
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.body())
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert entries and all(e.findtext(f"{ATOM}id") and e.findtext(f"{ATOM}updated") for e in entries)
    assert entries[0].findtext(f"{ATOM}title") == "Amendment NC1 (Committee stage, Lords) changed: decision"
    all_changes = page.request.get(base_url + page.locator("a.feed-link").first.get_attribute("href"))
    assert ET.fromstring(all_changes.body()).findtext(f"{ATOM}title") == "Procurement Bill tracker: all changes"


def test_search_reaches_a_readable_pingpong_page(page, base_url):
    page.goto(f"{base_url}/-/search?q=surveillance+equipment&kind=pingpong_items")
    hit = page.locator("a.search-result", has_text="Motion B1").first
    hit.click()
    page.wait_for_url("**/tracker/pingpong_items/604290")
    # the row page reads like an amendment page (heading, sponsors, divisions), every column below
    assert page.inner_text("h1").startswith("Motion B1")
    assert "Procurement Bill [HL]: Motion B1" in page.inner_text("table.divisions")
    assert page.locator("h2#full-record").is_visible()
    shot(page, "pingpong-page")


# --- the three users' tasks on the demo database ---------------------------------------------

DUNCAN_SMITH = 152


def test_campaigner_finds_an_mp_and_how_he_voted(page, demo_url):
    """A campaigner types "Duncan", reaches Sir Iain Duncan Smith's page, then a division he voted in:
    his party's vote and the result."""
    page.goto(demo_url + "/")
    page.fill("#member-q", "Duncan")
    suggestion = page.locator("a.member-suggestion", has_text="Sir Iain Duncan Smith")
    suggestion.wait_for()
    shot(page, "campaigner-1-autocomplete")
    suggestion.click()
    page.wait_for_url(f"**/-/member/{DUNCAN_SMITH}")
    assert "Sir Iain Duncan Smith" in page.inner_text("h1")
    party = page.inner_text("section.content p >> nth=0").split(" · ")[0].strip()
    shot(page, "campaigner-2-member")
    votes = page.locator("table.member-votes tr", has=page.locator("a[href^='/-/division/']"))
    voted = votes.first.locator("td").nth(3).inner_text().split()[0]
    votes.first.locator("a[href^='/-/division/']").click()
    page.wait_for_url("**/-/division/**")
    result = page.inner_text(".division-result")
    assert re.search(r"(Agreed|Not agreed): the (Ayes|Noes|Contents|Not contents) have it", result), result
    row = page.locator("table.votes tr.vote", has=page.locator(f"a[href='/-/member/{DUNCAN_SMITH}']"))
    assert row.locator("td.party").inner_text() == party
    assert row.locator("td").nth(2).inner_text().lower().startswith(voted.lower()[:2])
    summary = page.locator("table.party-votes tr", has_text=party)
    assert summary.count() == 1
    shot(page, "campaigner-3-division")
    # and back to what was voted on
    page.locator("a.division-item").click()
    assert page.locator("h1").inner_text()


def test_the_finder_works_without_scripts(browser, demo_url):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(demo_url + "/")
    pg.fill("#member-q", "Duncan")
    pg.press("#member-q", "Enter")
    pg.wait_for_url(f"**/-/member/{DUNCAN_SMITH}")
    # a former name finds a member too, and several matches are listed
    pg.goto(demo_url + "/-/members/find?q=Maclean")
    assert "Lord Blencathra" in pg.inner_text("ul.found-members")
    context.close()


def test_staff_reach_the_alerts_page_and_open_a_feed(page, demo_url):
    page.goto(demo_url + "/")
    page.click("a.alerts-link")
    page.wait_for_url("**/-/alerts")
    assert "tracker watch add" in page.inner_text("pre")
    assert "/-/watch/NAME.atom" in page.inner_text("section.content")
    shot(page, "staff-alerts-page")
    href = page.locator("a.all-changes-feed").get_attribute("href")
    response = page.request.get(demo_url + href)
    assert response.ok and response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.body())
    assert root.findall(f"{ATOM}entry")
    assert root.findtext(f"{ATOM}title").startswith("[Sample data]")
    assert any(c.get("term") == SAMPLE_CATEGORY for c in root.findall(f"{ATOM}category"))


def test_the_sample_banner_shows_on_the_demo_only(page, demo_url, base_url):
    for path in ("/", "/-/bill/3159", "/demo/amendments", "/-/search?q=hikvision"):
        page.goto(demo_url + path)
        assert page.locator("#sample-banner").is_visible(), path
        assert "not Hansard" in page.inner_text("#sample-banner")
    shot(page, "sample-banner")
    assert page.request.get(demo_url + "/demo/bills.json").json()["tracker_dataset"] == "sample"
    for path in ("/", f"/-/bill/{BILL}", "/tracker/amendments"):
        page.goto(base_url + path)
        assert page.locator("#sample-banner").count() == 0, path
    assert "tracker_dataset" not in page.request.get(base_url + "/tracker/bills.json").json()


def test_a_bill_reads_as_its_story(page, demo_url):
    page.goto(demo_url + "/-/bill/3159")
    assert page.inner_text("h1") == "Procurement Act 2023"
    assert "Royal Assent" in page.inner_text(".bill-status")
    chart = page.locator("svg.stage-timeline")
    assert chart.is_visible()
    assert {"Lords", "Commons"} <= set(chart.locator("text").all_text_contents())
    assert chart.locator("g.stage-mark").count() >= 10
    assert "Negatived on division" in page.inner_text("details.stage-amendments[open]") or page.locator("td.decision").count()
    assert page.locator("table.divisions td.result").count() == 7
    assert page.locator("a[href^='https://www.legislation.gov.uk/ukpga/2023/54']").count() == 1
    shot(page, "bill-page")
    page.locator("ul.debates a[href^='/-/debate/']").first.click()
    page.wait_for_url("**/-/debate/**")
    assert page.locator("a.hansard-link").get_attribute("href").startswith("https://hansard.parliament.uk/")
    assert page.locator(".contribution a.speaker").count() >= 1
    shot(page, "debate-page")


def test_a_debate_links_the_amendments_it_names(page, demo_url):
    page.goto(demo_url + "/-/bill/3159")
    page.locator("ul.debates a[href^='/-/debate/']", has_text="New Clause 1").first.click()
    page.wait_for_url("**/-/debate/**")
    ref = page.locator("a.amendment-ref").first
    assert ref.get_attribute("href").startswith("/-/amendment/")
    ref.click()
    page.wait_for_url("**/-/amendment/**")
    assert page.inner_text("h1").startswith("Amendment")


PHONE_PAGES = ("/", "/-/bill/3159", "/-/amendment/10001677", f"/-/member/{DUNCAN_SMITH}", "/-/division/commons-1555",
               "/-/debate/6A988B04-C120-5E3D-818C-E3405639354A", "/-/alerts", "/-/search?q=surveillance+equipment",
               "/demo/amendments", "/demo/amendments/10001677", "/demo/amendments_matching_term?term=hikvision", "/demo")


@pytest.mark.phone
@pytest.mark.parametrize("path", PHONE_PAGES)
def test_pages_fit_a_phone(page, demo_url, path):
    page.goto(demo_url + path)
    wide = page.evaluate("document.documentElement.scrollWidth")
    shot(page, "phone-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:60] or "home"))
    assert wide <= PHONE_WIDTH, f"{path} is {wide}px wide on a {PHONE_WIDTH}px screen"


def link_shape(url):
    """A link's kind: its path with every segment holding a digit as N, and its query's keys."""
    parts = urllib.parse.urlsplit(url)
    keys = sorted(k for k, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    return "/".join("N" if re.search(r"\d", seg) else seg for seg in parts.path.split("/")) + "?" + ",".join(keys)


def test_crawl_finds_no_dead_end(page, demo_url):
    """Every kind of link from the home page, three levels deep, answers without a 4xx or 5xx.

    Datasette's own variations of a page (``_sort``, ``_facet``, ``_next`` ...) and exports are not
    followed, and of the links of one kind (``/demo/amendments/N``) one is: the walk checks every kind
    of link each page offers, in a time a test can take."""
    seen, shapes, failures = {"/"}, set(), []
    level = ["/"]
    for depth in range(4):
        found = []
        for path in level:
            response = page.request.get(demo_url + path, max_redirects=5)
            if response.status >= 400:
                failures.append((path, response.status))
                continue
            if depth == 3 or "text/html" not in response.headers.get("content-type", ""):
                continue
            for href in re.findall(r'href="([^"#]*)', response.text()):
                url = urllib.parse.urljoin(demo_url + path, href.replace("&amp;", "&"))
                parts = urllib.parse.urlsplit(url)
                if url.split("/")[2] != demo_url.split("/")[2] or parts.path.startswith("/-/static"):
                    continue
                if any(k.startswith("_") for k, _ in urllib.parse.parse_qsl(parts.query)) or re.search(r"\.(json|csv)$", parts.path):
                    continue
                local = parts.path + ("?" + parts.query if parts.query else "")
                if local in seen or link_shape(local) in shapes:
                    continue
                seen.add(local)
                shapes.add(link_shape(local))
                found.append(local)
        level = found
    assert len(seen) > 100
    assert not failures, failures


def test_unknown_addresses_are_404_pages(page, demo_url):
    for path in ("/a/b/c/d", "/-/feeds/member/152.atom", "/-/bill/999999", "/-/division/nope", "/-/debate/nope"):
        response = page.request.get(demo_url + path)
        assert response.status == 404, path
    page.goto(demo_url + "/a/b/c/d")
    assert "404" in page.inner_text("body")

# NC1 at the Commons report stage (Angela Rayner's), and the division on it, in the demo sample.
DEMO_NC1, DEMO_NC1_DIVISION = 10001677, "commons-1555"


def test_researcher_types_new_clause_1_and_reaches_the_amendment_its_division_and_back(page, demo_url):
    page.goto(demo_url + "/-/search")
    page.fill("input[name=q]", "new clause 1")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("ol.search-results")
    shot(page, "search-new-clause-1")
    named = page.locator("li.reference-hit")
    assert named.count() == 2  # NC1 at each stage it was tabled, before any text match
    assert page.locator("li.search-hit").first.get_attribute("class").endswith("reference-hit")
    report = page.locator("li.reference-hit", has_text="Report stage")
    assert "Negatived on division" in report.inner_text() and "Angela Rayner" in report.inner_text()
    report.locator("a.search-result").click()
    page.wait_for_url(f"**/-/amendment/{DEMO_NC1}")
    assert page.locator("h1").inner_text().startswith("Amendment NC1")
    page.locator(f'a[href*="{DEMO_NC1_DIVISION}"]').first.click()
    page.wait_for_url(f"**{DEMO_NC1_DIVISION}**")
    shot(page, "division-of-new-clause-1")
    assert "1555" in page.inner_text("body") and page.locator("h1").count() == 1
    page.go_back()
    page.wait_for_url(f"**/-/amendment/{DEMO_NC1}")
    assert page.locator("h1").inner_text().startswith("Amendment NC1")
    page.go_back()
    page.wait_for_url("**/-/search?q=new+clause+1**")
    assert page.locator("li.reference-hit").count() == 2
