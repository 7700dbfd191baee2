"""The tests' fake of the Parliament services and legislation.gov.uk: one fake, one adapter.

:class:`SampleApi` (``sampleapi.py``) answers the services' paths over the bundled
sample's content (or a test's own); :class:`SampleServer` (``server.py``) serves it
to the real client on a local HTTP server. ``record.py`` (``make sample``) records
the demo's sync from them into the WARC the package ships.
"""
from fakes.sampleapi import SAMPLE_DIR, SampleApi, load_parliament_sample, load_sample
from fakes.server import SampleServer

__all__ = ["SAMPLE_DIR", "SampleApi", "SampleServer", "load_parliament_sample", "load_sample"]
