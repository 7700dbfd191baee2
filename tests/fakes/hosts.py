"""The sample's services each on a host of its own, answering after a fixed latency.

The real services are seven hosts (bills-api, members-api, hansard-api, commonsvotes-api,
lordsvotes-api, questions-statements-api and www.legislation.gov.uk). :class:`SampleHosts`
starts a local server per service (a host:port of its own, so the client's per-host
rate limit treats them as the real hosts), each serving one request at a time, as one
polite client sees a host. The concurrency tests and ``benchmarks/sync_concurrency.py``
use it to see how a run spreads over the hosts, and when each host was asked.
"""
import time

from pytest_httpserver import HTTPServer

from fakes.server import SampleServer
from scrapers.http import BASE_URL_DEFAULTS


class TimedSampleServer(SampleServer):
    """A :class:`SampleServer` that answers after ``latency`` seconds and notes when each request came."""

    def __init__(self, httpserver, api, *, service, latency=0.0, log=None, clock=time.monotonic):
        self.service = service
        self.latency = latency
        self.log = log if log is not None else []
        self.clock = clock
        self.before_answer = None  # a test's hook: called with the request before it is answered
        super().__init__(httpserver, api)

    def handle(self, request):
        self.log.append((self.service, self.clock(), request.path))
        if self.before_answer:
            self.before_answer(request)
        if self.latency:
            time.sleep(self.latency)
        return super().handle(request)


class SampleHosts:
    """Every service of ``api`` on a local server of its own; use as a context manager.

    ``log`` holds ``(service, monotonic time, path)`` for each request, in arrival order.
    """

    def __init__(self, api, *, latency=0.0):
        self.log = []
        self.servers = {}
        for service in BASE_URL_DEFAULTS:
            httpserver = HTTPServer()
            httpserver.start()
            self.servers[service] = TimedSampleServer(httpserver, api, service=service, latency=latency, log=self.log)

    def environ(self) -> dict:
        """``TRACKER_*_URL`` -> the root of that service on its own server."""
        return {env: self.servers[service].url(service) for service, (env, _) in BASE_URL_DEFAULTS.items()}

    def requests_by_service(self) -> dict:
        """``{service: arrival times}``, in arrival order."""
        out = {}
        for service, at, _path in list(self.log):
            out.setdefault(service, []).append(at)
        return out

    def close(self) -> None:
        for server in self.servers.values():
            server.httpserver.clear()
            if server.httpserver.is_running():
                server.httpserver.stop()

    def __enter__(self) -> "SampleHosts":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
