"""Shared fixtures: fresh databases in tmp paths and a local server speaking the real APIs."""
import json
from pathlib import Path

import pytest

from fakes import SampleApi, SampleServer
from tracker import store

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "parliament"


def load_fixture(*parts):
    return json.loads((FIXTURES.joinpath(*parts)).read_text(encoding="utf-8"))


def shared_example(name):
    """A real example response from ../shared, or skip where a clone has no ../shared."""
    path = SHARED / "examples" / name
    if not path.exists():
        pytest.skip(f"{path} is absent (no ../shared beside this clone)")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def small_bill():
    """The small Bills API fixture (bill 3159: 4 stages, 27 amendments, 2 ping-pong items)."""
    return load_fixture("bills", "small_bill.json")


@pytest.fixture
def serve_sample(httpserver, monkeypatch):
    """``serve_sample(api)``: a :class:`fakes.SampleServer` serving ``api`` (a :class:`fakes.SampleApi`),
    with every TRACKER_*_URL pointing at it."""

    def serve(api):
        server = SampleServer(httpserver, api)
        for env, url in server.environ().items():
            monkeypatch.setenv(env, url)
        return server

    return serve


@pytest.fixture
def local_api(serve_sample, small_bill):
    """The sample's services with the small Bills API fixture in place of the sample's bill."""
    return serve_sample(SampleApi(small_bill))


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "tracker.db")


@pytest.fixture
def db(db_path):
    database = store.open_db(db_path)
    yield database
    database.close()


NO_WAIT = {"sleep": lambda seconds: None}
