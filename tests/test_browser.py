"""The publication in a real browser: Debian's Chromium driven by Playwright against ``datasette serve``.

The server is started by ``tracker serve`` itself (Datasette with the plugin, its
settings and metadata) on a free loopback port, over a database built like the in-process tests'.
Screenshots go to ``test-artifacts/``.
"""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from test_publish import A_SURVEILLANCE, ATOM, BILL, LORD_ALTON, SCRIPT, build_db

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is absent: install Debian's chromium (`make browser`) to run the browser tests"
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    yield from served(build_db(tmp_path_factory.mktemp("browser") / "tracker.db"), tmp_path_factory)


def served(path, tmp_path_factory):
    """Yield the URL of ``tracker serve`` serving ``path`` until the generator is closed."""
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
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}") or dialog.dismiss())
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}-end.png"), full_page=True)
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
