"""Remake the README's screenshots from the demo: one per user's way in.

    .venv/bin/python docs/screenshots.py

Builds the demo database in a temporary folder (`tracker demo --no-serve`), serves it
with `tracker serve` on a free loopback port, and has Debian's Chromium (through
Playwright) photograph the page each user starts from, into `docs/img/`.
"""
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

IMAGES = Path(__file__).resolve().parent / "img"
CHROMIUM = "/usr/bin/chromium"
TRACKER = [sys.executable, "-c", "from tracker.cli import cli; cli()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "demo.db")
        subprocess.run([*TRACKER, "--db", db, "--quiet", "demo", "--no-serve"], check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        server = subprocess.Popen([*TRACKER, "--db", db, "serve", "--port", str(port)], stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(150):
                try:
                    urllib.request.urlopen(url + "/-/versions.json", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                            "--disable-background-networking", "--disable-component-update"])
                page = browser.new_page(viewport={"width": 1100, "height": 760})
                page.goto(url + "/-/search?q=new+clause+1")
                page.screenshot(path=str(IMAGES / "researcher.png"))
                page.goto(url + "/-/member/152")
                page.screenshot(path=str(IMAGES / "campaigner.png"))
                page.goto(url + "/-/alerts")
                page.screenshot(path=str(IMAGES / "staff.png"))
                browser.close()
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=10)
    print(f"wrote {', '.join(sorted(p.name for p in IMAGES.glob('*.png')))} in {IMAGES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
