"""``make sample``: record the demo's sync from the fake services into the packaged WARC.

``tracker demo`` replays ``tracker/sample/demo.warc.gz`` through the real client, so
the package ships the sample as data, not as a server. This records it: the demo's
own sync steps run against :class:`fakes.sampleapi.SampleApi` served on a local
HTTP server, twice (the second pass asks what a rerun of the demo asks), and every
response they read is written once under the real service's URL.

The archive is a function of the sample alone, so rebuilding it changes nothing
until the sample does: records are sorted by URL, dated :data:`RECORDED_AT`, named
by a UUID of their URL, and keep only the ``Content-Type`` header.

Run it as ``make sample`` (or ``PYTHONPATH=tests python -m fakes.record [PATH]``).
"""
import http
import logging
import os
import sys
import tempfile
import uuid
from pathlib import Path
from unittest import mock

from pytest_httpserver import HTTPServer
from warcio.warcwriter import WARCWriter

from fakes.sampleapi import SampleApi
from fakes.server import SampleServer
from scrapers.errors import TrackerError
from scrapers.http import BASE_URL_DEFAULTS, ReplayArchive, Response, write_warc_response
from tracker import store
from tracker.sync import run_sync
from tracker.sync.demo import SAMPLE_ARCHIVE, demo_steps

# The WARC format requires a date on every record; the sample is written as at autumn 2024.
RECORDED_AT = "2024-09-01T00:00:00Z"
# The demo's sync and then a rerun of it: the rerun asks what `tracker demo` asks of a database it built before.
PASSES = 2


def record_demo(path, api=None) -> int:
    """Record the demo's sync of ``api`` (the bundled sample) into the WARC at ``path``; return its record count.

    Raises :class:`TrackerError` when the sync meets an error: a partial record would
    leave the demo failing on whatever is missing.
    """
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        sample = SampleServer(server, api or SampleApi())
        responses = _sync_responses(sample)
    finally:
        server.stop()
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for response in sorted(responses, key=lambda r: r.url):
                reason = http.HTTPStatus(response.status).phrase
                write_warc_response(writer, response, reason, record_id=f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, response.url)}>")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return len(responses)


def _sync_responses(sample) -> list:
    """The responses the demo's sync reads from ``sample``, each once, under the real services' URLs."""
    real_roots = {sample.url(service) + "/": default + "/" for service, (_, default) in BASE_URL_DEFAULTS.items()}
    with tempfile.TemporaryDirectory() as work, mock.patch.dict(os.environ, sample.environ()):
        db = store.open_db(os.path.join(work, "sample.db"))
        archives = []
        try:
            for _ in range(PASSES):
                run = run_sync(db, demo_steps(), sources="make sample", archive_dir=os.path.join(work, "archive"), rate_limit=0)
                if run.errors:
                    raise TrackerError(f"the demo's sync of the sample failed: {run.errors[0]}", source="make sample")
                archives.append(db.execute("SELECT archive_path FROM sync_runs WHERE id = ?", [run.run_id]).fetchone()[0])
        finally:
            db.close()
        # A rerun's conditional requests are answered 304; the archive keeps each URL's full answer.
        recorded = ReplayArchive([path for path in archives if path and os.path.exists(path)]).responses
    out = []
    for url, response in recorded.items():
        root = next(local for local in real_roots if url.startswith(local))
        content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type")
        out.append(Response(real_roots[root] + url[len(root):], response.status, {"Content-Type": content_type} if content_type else {}, response.body, RECORDED_AT))
    return out


def recorded_responses(path) -> dict:
    """URL -> ``(status, Content-Type, body)`` of every record in the WARC at ``path``."""
    return {
        url: (response.status, response.headers.get("Content-Type"), response.body)
        for url, response in ReplayArchive([path]).responses.items()
    }


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else SAMPLE_ARCHIVE
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    try:
        count = record_demo(path)
    except TrackerError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    print(f"recorded {count} responses of the demo's sync into {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
