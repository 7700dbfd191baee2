"""What a visitor can make the published site do: bounded SQL, read-only methods, safe feed links,
and no secret-looking column served.

A visitor's query is bounded in what it may allocate (SQLite's length limit), how long it runs
(Datasette's time limit) and how many run at once (the plugin's ASGI guard); ``--no-sql`` turns
it off. The memory test runs the query in a fresh process and reads its peak memory.
"""
import asyncio
import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlite_utils
from click.testing import CliRunner

from tracker import store
from tracker.alerts import watches
from tracker.cli import cli
from tracker.publish import feeds, plugin, server

ROOT = Path(__file__).resolve().parent.parent
ATOM = "{http://www.w3.org/2005/Atom}"
PRINTF = "select length(printf('%.*c', 900000000, 'x')) as n"
DOUBLING = "with recursive c(x) as (select 'x' union all select x || x from c) select length(x) as n from c"
GROWING = "with recursive c(x) as (select 1 union all select x + 1 from c) select length(group_concat(x)) as n from c"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("limits") / "tracker.db"
    db = store.open_db(str(path))
    db["bills"].insert({"bill_id": 3159, "short_title": "Procurement Bill [HL]"})
    watches.add_watch(db, "bill", "bill", 3159, emails=["reader@example.org"], atom=True)
    db.close()
    return path


class Site:
    def __init__(self, path, **options):
        self.ds = server.make_datasette(path, **options)
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self.ds.invoke_startup())
        self.name = Path(path).stem

    def get(self, path):
        return self.loop.run_until_complete(self.ds.client.get(path))

    def post(self, path, **kwargs):
        return self.loop.run_until_complete(self.ds.client.post(path, **kwargs))

    def sql(self, sql, fmt="json"):
        return self.get(f"/{self.name}.{fmt}?sql={quote(sql)}")

    def close(self):
        self.loop.close()


@pytest.fixture(scope="module")
def site(db_path):
    s = Site(db_path)
    yield s
    s.close()


def run_in_fresh_process(db_path, sql):
    """``(status, answer, peak resident MB)`` of one query through the site, in a new Python."""
    script = textwrap.dedent(f"""
        import asyncio, json, resource, sys
        from urllib.parse import quote
        from tracker.publish import server
        ds = server.make_datasette({str(db_path)!r})
        loop = asyncio.new_event_loop()
        loop.run_until_complete(ds.invoke_startup())
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        r = loop.run_until_complete(ds.client.get("/{Path(db_path).stem}.json?sql=" + quote({sql!r})))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps([r.status_code, r.json(), before / 1024, peak / 1024]))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    status, answer, before, peak = json.loads(out.stdout.strip().splitlines()[-1])
    return status, answer, peak - before


@pytest.mark.skipif(not hasattr(__import__("sqlite3").Connection, "setlimit"), reason="SQLite's length limit needs Python 3.11+")
@pytest.mark.parametrize("sql", [PRINTF, DOUBLING])
def test_a_query_building_a_huge_value_stops_small(db_path, sql):
    """Unbounded, each of these takes about a gigabyte (printf: 7 s in one SQLite instruction, which
    Datasette's time limit cannot interrupt); bounded, at most the length limit."""
    status, answer, grew_mb = run_in_fresh_process(db_path, sql)
    if status == 200:  # printf gives up on a value over the limit and answers NULL
        assert answer["rows"] == [[None]]
    else:
        assert status == 400 and "string or blob too big" in answer["error"]
    assert grew_mb < 4 * plugin.MAX_VALUE_BYTES / 2**20, f"the query grew the process by {grew_mb:.0f} MB"


def test_printf_is_sqlites_own_below_the_width_limit():
    import sqlite3

    plain, bounded = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    plugin.bound_connection(bounded)
    for sql in ["printf('%5.2f|%-4s|%%|%d|%.*c|%q|%Q|%w', 3.14159, 'a', 7, 3, 'z', 'it''s', NULL, 'x\"y')",
                "format('%,d and %!.3g and %x', 1234567, 2.5, 255)", "printf('%s %s', 1)", "printf(NULL)", "printf('%*d', 6, 42)"]:
        assert bounded.execute(f"SELECT {sql}").fetchone() == plain.execute(f"SELECT {sql}").fetchone(), sql
    for sql in [PRINTF, "select printf('%900000000d', 1)", "select format('%*s', '900000000', 'x')", "select printf('%.2000000f', 1.5)"]:
        assert bounded.execute(sql).fetchone() == (None,), sql


def test_a_query_that_never_ends_is_stopped(site):
    answer = site.sql(GROWING)
    assert answer.status_code == 400
    assert "too long" in answer.json()["error"] or "too big" in answer.json()["error"]


def test_every_served_connection_is_bounded(site):
    import sqlite3

    def limits(conn):
        return conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH), conn.getlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH)

    if not hasattr(sqlite3.Connection, "getlimit"):
        pytest.skip("Python 3.11+")
    db = site.ds.get_database(site.name)
    assert site.loop.run_until_complete(db.execute_fn(limits)) == (plugin.MAX_VALUE_BYTES, plugin.MAX_SQL_BYTES)
    with pytest.raises(sqlite3.Error, match="too (big|large)"):
        site.loop.run_until_complete(db.execute("select 1 as a" + " " * plugin.MAX_SQL_BYTES))


def test_visitors_queries_at_once_are_capped():
    """The ASGI guard lets :data:`plugin.SQL_AT_ONCE` visitors' queries run; the next answers 429 at once."""
    release = asyncio.Event()
    started = []

    async def app(scope, receive, send):
        started.append(scope["query_string"])
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    guarded = plugin.bound_visitors(None)(app)

    async def request(query, method="GET"):
        sent = []

        async def send(message):
            sent.append(message)

        await guarded({"type": "http", "method": method, "path": "/tracker", "query_string": query}, None, send)
        return sent[0]["status"], dict(sent[0]["headers"])

    async def scenario():
        running = [asyncio.create_task(request(b"sql=select+1")) for _ in range(plugin.SQL_AT_ONCE)]
        await asyncio.sleep(0)
        assert len(started) == plugin.SQL_AT_ONCE
        refused, headers = await request(b"sql=select+2")
        assert refused == 429 and headers[b"retry-after"]
        assert (await request(b"_where=1"))[0] == 429  # a table filtered by the visitor's SQL too
        page = asyncio.create_task(request(b"q=hikvision"))  # pages are not held back
        await asyncio.sleep(0)
        assert started[-1] == b"q=hikvision"
        release.set()
        assert [await t for t in running] == [(200, {})] * plugin.SQL_AT_ONCE
        assert (await page)[0] == 200
        assert (await request(b"sql=select+3"))[0] == 200  # the slots are free again
        assert (await request(b"", method="POST"))[0] == 405

    asyncio.new_event_loop().run_until_complete(scenario())


def test_no_sql_leaves_canned_queries_and_pages(db_path):
    closed = Site(db_path, sql=False)
    try:
        assert closed.sql("select 1").status_code == 403
        assert closed.get(f"/{closed.name}/bills?_where=1").status_code == 403
        assert closed.get(f"/{closed.name}/changes_summary.json").status_code == 200
        assert closed.get("/-/search?q=procurement").status_code == 200
    finally:
        closed.close()
    args = server.datasette_args(db_path, sql=False)
    assert ["--setting", "default_allow_sql", "false"] == args[args.index("default_allow_sql") - 1: args.index("default_allow_sql") + 2]
    assert "default_allow_sql" not in server.datasette_args(db_path)


def test_tracker_serve_no_sql(db_path, monkeypatch):
    ran = []
    monkeypatch.setattr("datasette.cli.cli.main", lambda args, standalone_mode: ran.append(args))
    result = CliRunner().invoke(cli, ["--db", str(db_path), "serve", "--no-sql", "--port", "8999"])
    assert result.exit_code == 0, result.output
    assert "default_allow_sql" in ran[0] and ran[0][ran[0].index("default_allow_sql") + 1] == "false"
    CliRunner().invoke(cli, ["--db", str(db_path), "serve", "--port", "8999"])
    assert "default_allow_sql" not in ran[1]


def test_posts_and_unknown_routes_answer_4xx(site):
    assert site.post(f"/{site.name}/changes_summary").status_code == 405
    assert site.post(f"/{site.name}/changes_summary", data={"since": "2023-01-01"}).status_code == 405
    assert site.post(f"/{site.name}").status_code == 405
    assert site.post("/-/search").status_code == 405
    assert site.get("/-/no-such-page").status_code == 404
    assert site.get(f"/{site.name}/no_such_table").status_code == 404


def test_a_visitors_atom_link_must_be_http(site):
    links = ["javascript:alert(1)", "data:text/html,<script>x</script>", "ftp://example.org/x", " JavaScript:alert(1)",
             "https://bills.parliament.uk/bills/3159", "http://example.org/a"]
    rows = " union all ".join(
        f"select {i} as atom_id, 'entry {i}' as atom_title, '2023-01-0{i + 1}T00:00:00Z' as atom_updated, '{link}' as atom_link"
        for i, link in enumerate(links))
    answer = site.sql(rows, fmt="atom")
    assert answer.status_code == 200, answer.text[:300]
    entries = ET.fromstring(answer.content).findall(f"{ATOM}entry")
    hrefs = sorted(link.get("href") for e in entries for link in e.findall(f"{ATOM}link"))
    assert hrefs == ["http://example.org/a", "https://bills.parliament.uk/bills/3159"]
    assert len(entries) == len(links)  # the entries stay, without the link
    assert feeds.safe_link("javascript://example.org/%0aalert(1)") is None and feeds.safe_link(None) is None


@pytest.mark.parametrize("column", ["email", "reply_emails", "authorization", "cookie", "session_cookie", "session",
                                    "bearer_token", "token", "api_key", "smtp_password"])
def test_secret_looking_columns_are_refused(tmp_path, column):
    path = tmp_path / "leaky.db"
    sqlite_utils.Database(str(path))["settings"].insert({column: "x"})
    with pytest.raises(server.ServeError, match=column):
        server.check_servable(path)


def test_the_alerts_tables_are_not_served(site, db_path):
    """A database with watches (and their e-mail addresses) is served, without them."""
    assert server.secret_columns(db_path) == []
    server.check_servable(db_path)
    assert site.get(f"/{site.name}/watches").status_code == 403
    assert site.get(f"/{site.name}/alert_deliveries.json").status_code == 403
    listed = [t["name"] for t in site.get(f"/{site.name}.json").json()["tables"] if not t["hidden"]]
    assert "watches" not in listed and "bills" in listed
    leaked = site.sql("select emails, name from watches union all select destination, channel from alert_deliveries").json()
    assert all(value is None for row in leaked["rows"] for value in row)
    assert "reader@example.org" not in site.sql("select * from watches").text
    assert site.get(f"/{site.name}/bills/3159").status_code == 200  # counting the rows that refer to it still works
    linked = site.get(f"/{site.name}/alert_events.json?bill_id=3159&_shape=array")  # the bill's page links here: no dead end, no rows
    assert linked.status_code == 200 and linked.json() == []
    feed = site.get("/-/watch/bill.atom")  # the plugin's own page still reads them
    assert feed.status_code == 200 and "watch bill" in feed.text and "reader@example.org" not in feed.text
