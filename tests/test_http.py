"""The shared HTTP client: retries, Retry-After, rate limit, conditional requests, WARC archive and replay."""
import json

import pytest
from werkzeug import Response

from scrapers.errors import TrackerError
from scrapers.http import HttpClient, ReplayArchive, build_url, parse_retry_after
from tracker import store


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def serve_json(httpserver, path, payload, **kwargs):
    httpserver.expect_request(path, **kwargs).respond_with_json(payload)


def test_retries_500_then_succeeds(httpserver):
    httpserver.expect_ordered_request("/x").respond_with_data("boom", status=500)
    httpserver.expect_ordered_request("/x").respond_with_data("boom", status=503)
    httpserver.expect_ordered_request("/x").respond_with_json({"ok": True})
    sleeps = Sleeps()
    client = HttpClient(sleep=sleeps, rate_limit=0, backoff=1.0)
    data, response = client.get_json(httpserver.url_for("/x"), source="test")
    assert data == {"ok": True}
    assert client.requests == 3
    # exponential backoff with jitter: attempt 0 in [0.5, 1], attempt 1 in [1, 2]
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0


def test_each_retry_is_told_before_the_wait(httpserver):
    httpserver.expect_ordered_request("/x").respond_with_data("busy", status=503, headers={"Retry-After": "4"})
    httpserver.expect_ordered_request("/x").respond_with_json({"ok": True})
    told = []
    client = HttpClient(sleep=Sleeps(), rate_limit=0, max_retries=5, on_retry=lambda *args: told.append(args))
    client.get(httpserver.url_for("/x"), source="test")
    assert told == [(4.0, 1, 5, httpserver.url_for("/x"))]


def test_429_honours_retry_after(httpserver):
    httpserver.expect_ordered_request("/x").respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request("/x").respond_with_json({"ok": 1})
    sleeps = Sleeps()
    client = HttpClient(sleep=sleeps, rate_limit=0)
    assert client.get_json(httpserver.url_for("/x"), source="test")[0] == {"ok": 1}
    assert sleeps == [7.0]


def test_retries_exhausted_is_one_line_error(httpserver):
    httpserver.expect_request("/x").respond_with_data("down", status=502)
    client = HttpClient(sleep=Sleeps(), rate_limit=0, max_retries=2)
    with pytest.raises(TrackerError) as error:
        client.get(httpserver.url_for("/x"), source="Bills API")
    message = str(error.value)
    assert message.startswith("Bills API: HTTP 502 after 3 attempts")
    assert httpserver.url_for("/x") in message and "\n" not in message
    assert client.requests == 3


def test_connection_refused_is_retried_then_reported():
    sleeps = Sleeps()
    client = HttpClient(sleep=sleeps, rate_limit=0, max_retries=1, timeout=(0.5, 0.5))
    with pytest.raises(TrackerError, match="connection failed after 2 attempts"):
        client.get("http://127.0.0.1:9/nothing", source="test")
    assert len(sleeps) == 1


def test_404_is_not_retried(httpserver):
    httpserver.expect_request("/Bills/999").respond_with_json({"status": 404}, status=404)
    client = HttpClient(sleep=Sleeps(), rate_limit=0)
    with pytest.raises(TrackerError, match="not found"):
        client.get(httpserver.url_for("/Bills/999"), source="Bills API")
    assert client.requests == 1


def test_malformed_json_names_the_url(httpserver):
    httpserver.expect_request("/bad").respond_with_data("<html>maintenance</html>", content_type="text/html")
    client = HttpClient(rate_limit=0)
    with pytest.raises(TrackerError, match="malformed JSON") as error:
        client.get_json(httpserver.url_for("/bad"), source="Bills API")
    assert error.value.url == httpserver.url_for("/bad")


def test_rate_limit_spaces_requests(httpserver):
    serve_json(httpserver, "/x", {})
    now = [100.0]
    sleeps = Sleeps()

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    client = HttpClient(sleep=sleep, clock=lambda: now[0], rate_limit=4)
    for _ in range(3):
        client.get(httpserver.url_for("/x"), source="test")
    assert sleeps == [pytest.approx(0.25), pytest.approx(0.25)]


def test_user_agent_names_the_project(httpserver):
    serve_json(httpserver, "/x", {})
    HttpClient(rate_limit=0).get(httpserver.url_for("/x"), source="test")
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("procurement-bill-tracker/")
    assert "http" in request.headers["User-Agent"]


def test_conditional_requests_use_stored_validators(httpserver, db):
    body = json.dumps({"billId": 1}).encode()

    def handler(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(body, content_type="application/json", headers={"ETag": '"v1"', "Last-Modified": "Mon, 02 Jan 2023 10:00:00 GMT"})

    httpserver.expect_request("/b").respond_with_handler(handler)
    cache = store.HttpCache(db)
    first = HttpClient(rate_limit=0, cache=cache).get_json(httpserver.url_for("/b"), source="t")[0]
    second_client = HttpClient(rate_limit=0, cache=cache)
    second, response = second_client.get_json(httpserver.url_for("/b"), source="t")
    assert first == second == {"billId": 1}
    assert response.from_cache
    last_request, last_response = httpserver.log[-1]
    assert last_request.headers["If-None-Match"] == '"v1"'
    assert last_request.headers["If-Modified-Since"] == "Mon, 02 Jan 2023 10:00:00 GMT"
    assert last_response.status_code == 304


def test_archive_then_replay_by_exact_url(httpserver, tmp_path):
    serve_json(httpserver, "/api/v1/Bills", {"items": [{"billId": 1}], "totalResults": 1}, query_string="SearchTerm=Procurement+Bill&Skip=0&Take=20")
    archive = tmp_path / "run.warc.gz"
    with HttpClient(rate_limit=0, archive_path=str(archive)) as client:
        pages = list(client.get_paged(httpserver.url_for("/api/v1/Bills"), {"SearchTerm": "Procurement Bill"}, source="t"))
    assert pages[0][0] == [{"billId": 1}]
    assert archive.exists()
    httpserver.clear()  # the network is gone: only the archive can answer
    replay = HttpClient(replay=[str(archive)])
    again = list(replay.get_paged(httpserver.url_for("/api/v1/Bills"), {"SearchTerm": "Procurement Bill"}, source="t"))
    assert again[0][0] == [{"billId": 1}]
    assert replay.requests == 1
    with pytest.raises(TrackerError, match="not in the replay archive") as error:
        replay.get(httpserver.url_for("/api/v1/Bills/2"), source="Bills API")
    assert error.value.url.endswith("/api/v1/Bills/2")


def test_replay_of_a_damaged_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"not a warc at all")
    with pytest.raises(TrackerError, match="replay"):
        ReplayArchive([str(bad)])


def test_paging_reads_until_total(httpserver):
    items = list(range(45))

    def handler(request):
        skip, take = int(request.args["Skip"]), int(request.args["Take"])
        return Response(json.dumps({"items": items[skip : skip + take], "totalResults": 45}), content_type="application/json")

    httpserver.expect_request("/list").respond_with_handler(handler)
    client = HttpClient(rate_limit=0)
    pages = [page for page, _ in client.get_paged(httpserver.url_for("/list"), source="t", page_size=20)]
    assert [len(p) for p in pages] == [20, 20, 5]
    assert sum(pages, []) == items


def test_parse_retry_after_forms():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: no wait
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_build_url_is_deterministic():
    assert build_url("https://x/api", {"SearchTerm": "Procurement Bill", "Skip": 0}) == "https://x/api?SearchTerm=Procurement+Bill&Skip=0"


def test_replay_of_a_not_modified_run_asks_for_the_earlier_archive(httpserver, tmp_path, db):
    def handler(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(b'{"billId": 1}', content_type="application/json", headers={"ETag": '"v1"'})

    httpserver.expect_request("/b").respond_with_handler(handler)
    cache = store.HttpCache(db)
    first, second = tmp_path / "first.warc.gz", tmp_path / "second.warc.gz"
    with HttpClient(rate_limit=0, cache=cache, archive_path=str(first)) as client:
        client.get(httpserver.url_for("/b"), source="t")
    with HttpClient(rate_limit=0, cache=cache, archive_path=str(second)) as client:
        assert client.get(httpserver.url_for("/b"), source="t").from_cache
    with pytest.raises(TrackerError, match="only a 304 Not Modified is archived"):
        HttpClient(replay=[str(second)]).get(httpserver.url_for("/b"), source="t")
    both = HttpClient(replay=[str(first), str(second)])
    assert both.get_json(httpserver.url_for("/b"), source="t")[0] == {"billId": 1}


# -- faults a real server can send: bodies cut off, paging ignored -------------------------

class ScriptedServer:
    """A raw TCP server on 127.0.0.1 answering each connection with the next scripted bytes, then
    closing it: the only way to send what werkzeug will not (a body shorter than its
    Content-Length, a chunked body that never ends)."""

    def __init__(self, answers):
        import socket
        import threading

        self.answers = list(answers)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/x"
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.answers:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    request += chunk
                self.connections += 1
                conn.sendall(self.answers.pop(0))

    def close(self):
        self.sock.close()


def http_answer(body, *, length=None, extra=b""):
    length = len(body) if length is None else length
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + extra + b"Content-Length: " + str(length).encode() + b"\r\n\r\n" + body)


GOOD = json.dumps({"items": [1, 2, 3], "totalResults": 3}).encode()


@pytest.mark.parametrize("cut", [
    http_answer(GOOD[:10], length=len(GOOD)),  # Content-Length not met
    (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
     + hex(len(GOOD[:10]))[2:].encode() + b"\r\n" + GOOD[:10] + b"\r\n"),  # a chunked body that never ends
], ids=["content-length", "chunked"])
def test_a_body_cut_off_mid_transfer_is_retried(cut):
    server = ScriptedServer([cut, cut, http_answer(GOOD)])
    sleeps = Sleeps()
    try:
        data, _ = HttpClient(sleep=sleeps, rate_limit=0).get_json(server.url, source="test")
    finally:
        server.close()
    assert data["items"] == [1, 2, 3]
    assert server.connections == 3 and len(sleeps) == 2


def test_a_body_always_cut_off_is_one_line_error():
    cut = http_answer(GOOD[:10], length=len(GOOD))
    server = ScriptedServer([cut] * 3)
    client = HttpClient(sleep=Sleeps(), rate_limit=0, max_retries=2)
    try:
        with pytest.raises(TrackerError) as error:
            client.get(server.url, source="Bills API")
    finally:
        server.close()
    assert str(error.value).startswith("Bills API: body cut off mid-transfer after 3 attempts")
    assert client.requests == 3


def test_a_server_ignoring_skip_stops_the_listing(httpserver):
    # Every page is the first page: without the check, a bare-array listing never ends.
    httpserver.expect_request("/list").respond_with_json([{"id": 1}, {"id": 2}])
    client = HttpClient(sleep=Sleeps(), rate_limit=0)
    pages = client.get_paged(httpserver.url_for("/list"), source="Commons Votes API", items_key=None, page_size=2)
    assert next(pages)[0] == [{"id": 1}, {"id": 2}]
    with pytest.raises(TrackerError, match="the same page again at Skip=2: the server ignores paging"):
        next(pages)


def test_a_total_that_is_not_a_count_is_one_line_error(httpserver):
    httpserver.expect_request("/list").respond_with_json({"items": [{"id": 1}], "totalResults": "abc"})
    client = HttpClient(sleep=Sleeps(), rate_limit=0)
    with pytest.raises(TrackerError, match="'totalResults' is 'abc', not a count"):
        list(client.get_paged(httpserver.url_for("/list"), source="Bills API"))


def test_an_archive_that_cannot_be_written_is_one_line_error(httpserver, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    httpserver.expect_request("/x").respond_with_json({"ok": 1})
    client = HttpClient(sleep=Sleeps(), rate_limit=0, archive_path=str(blocker / "archive" / "run.warc.gz"))
    with pytest.raises(TrackerError, match="cannot write the archive"):
        client.get(httpserver.url_for("/x"), source="Bills API")


def test_rate_limit_is_per_host(httpserver):
    # Two hosts (127.0.0.1 and localhost) at 2 requests a second each: alternating between
    # them waits only for each host's own pace.
    httpserver.expect_request("/x").respond_with_json({"ok": 1})
    clock = [100.0]
    sleeps = Sleeps()

    def sleep(seconds):
        sleeps.append(seconds)
        clock[0] += seconds

    client = HttpClient(sleep=sleep, clock=lambda: clock[0], rate_limit=2)
    one = httpserver.url_for("/x")
    other = one.replace("localhost", "127.0.0.1") if "localhost" in one else one.replace("127.0.0.1", "localhost")
    for url in (one, other, one, other):
        client.get(url, source="test")
    assert sleeps == [0.5]  # the third request (host one again) waits; the fourth's host is due by then
