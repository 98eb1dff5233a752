import http.server
import os
import sys
import threading

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from pyhttpd import Httpd  # noqa: E402


class Backend(http.server.ThreadingHTTPServer):
    """A CMS backend behind mod_proxy that records every body it receives."""

    def __init__(self):
        self.received = []
        self.pages = {}  # path -> (content type, bytes) served on GET
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                outer.received.append((self.command, self.path, body))
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_POST

            def do_GET(self):
                ctype, body = outer.pages.get(self.path, ("text/plain", b"not here"))
                self.send_response(200 if self.path in outer.pages else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_HEAD = do_GET

            def log_message(self, *a):
                pass

        super().__init__(("127.0.0.1", 0), H)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server_address[1]


PUBLISH_CONF = """
DisclosureRegistry %(registry)s
<Location /zwgk/>
  Dav On
  DisclosureEngine On
  DisclosurePublish On
  DisclosureMaxBody 300000
  DisclosureMemoryBody 16K
</Location>
<Location /report/>
  Dav On
  DisclosureEngine ReportOnly
  DisclosurePublish On
</Location>
<Location /plain/>
  Dav On
</Location>
ProxyPass /cms/ http://127.0.0.1:%(backend)d/
<Location /cms/>
  DisclosureEngine On
  DisclosurePublish On
</Location>
"""


@pytest.fixture(scope="session")
def backend():
    b = Backend()
    yield b
    b.shutdown()


@pytest.fixture(scope="module")
def httpd(backend):
    h = Httpd()
    for d in ("zwgk", "report", "plain"):
        os.makedirs(os.path.join(h.docroot, d), exist_ok=True)
    h.write_conf(PUBLISH_CONF % {"registry": h.registry, "backend": backend.port})
    h.start()
    yield h
    bad = h.bad_log_lines()
    h.cleanup()
    assert not bad, "unexpected error_log lines:\n" + "\n".join(bad)


def pytest_configure(config):
    # make check-asan runs pytest -m "not no_asan"; pytest reports them as deselected
    config.addinivalue_line("markers", "no_asan(reason): left out of make check-asan, with the reason given")
