"""Load against a real apache2 on loopback (issue 6): 100 concurrent
publishers for 60 s (DISCLOSURE_LOAD_SECONDS, DISCLOSURE_LOAD_CLIENTS) mixing
compliant and non-compliant pages, and a graceful restart under load.

Every 2xx is on disk and in the registry with the hash of the body sent,
every 422 is in neither (a refused PUT over a published page leaves the old
page), no SQLITE_BUSY or other 5xx reaches a client, withheld pages stay
blocked while publishing runs. Figures (requests per outcome, p50/p99) are
printed (pytest -s) and appended to $DISCLOSURE_LOAD_REPORT when set."""
import json
import os
import re
import signal
import time

import pytest

from loadgen import LOAD_CONF, Load, integrity, request, verify, verify_reads, withheld_page
from pyhttpd import Httpd

# what registry.c says when SQLite gives up on a lock (SQLITE_BUSY/LOCKED)
BUSY = re.compile(r"locked by another connection|database is locked|database table is locked|SQLITE_BUSY")

SECONDS = float(os.environ.get("DISCLOSURE_LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("DISCLOSURE_LOAD_CLIENTS", "100"))



def start(name):
    h = Httpd(name=name)
    os.makedirs(os.path.join(h.docroot, "zwgk", "load"), exist_ok=True)
    with open(os.path.join(h.docroot, "zwgk", "withheld.html"), "wb") as f:
        f.write(withheld_page())
    # one directory per publisher, as a CMS keeps one per column
    for c in range(CLIENTS):
        os.makedirs(os.path.join(h.docroot, "zwgk", "load", "c%03d" % c), exist_ok=True)
    h.write_conf(LOAD_CONF % {"registry": h.registry})
    return h.start()


@pytest.fixture
def server(request):
    h = start(request.node.name)
    yield h
    bad = h.bad_log_lines()
    log = h.error_log()
    h.cleanup()
    assert not bad, "unexpected error_log lines:\n" + "\n".join(bad[:20])
    busy = [l for l in log.splitlines() if BUSY.search(l)]
    assert not busy, "the registry was busy:\n" + "\n".join(busy[:10])


def assert_statuses(load):
    """Each PUT answered, with the verdict its page deserves."""
    lost = [o for o in load.outcomes if o.status is None]
    assert not lost, "%d requests lost, e.g. %s %s" % (len(lost), lost[0].path, lost[0].error)
    wrong = [o for o in load.outcomes if (o.status in (201, 204)) != o.good or o.status not in (201, 204, 422)]
    assert not wrong, ["%s %s good=%s -> %s %s" % (o.method, o.path, o.good, o.status, o.body[:300])
                       for o in wrong[:5]]
    for o in load.outcomes:
        if o.status == 422:
            problem = json.loads(o.body)
            assert problem["status"] == 422 and problem["errors"]


def test_publishers_under_load_keep_disk_and_registry_in_step(server):
    load = Load(server, CLIENTS, SECONDS, withheld="/zwgk/withheld.html", readers=4).run()
    load.summary("load")
    assert_statuses(load)
    assert len(load.outcomes) >= CLIENTS * 2, "the load did not run"
    # the mix did happen: refusals over pages already published among them
    assert {o.status for o in load.outcomes} >= {201, 204, 422}
    overwritten = set()
    refused_over = 0
    for o in load.outcomes:
        if o.ok:
            overwritten.add(o.path)
        elif o.status == 422 and o.path in overwritten:
            refused_over += 1
    assert refused_over > 0
    assert verify(load) == []
    assert verify_reads(load) == []
    assert sum(1 for o in load.reads if o.path == load.withheld and o.status == 404) > 0
    assert integrity(server) == ["ok"]


def test_graceful_restart_under_load_loses_no_request(server):
    """apachectl -k graceful (SIGUSR1 to the parent) three times while
    publishers and readers run: every request in flight gets its whole
    answer, and nothing is retried."""
    seconds = min(SECONDS, 20)
    restarts = []

    def during(load):
        for k in range(3):
            time.sleep(seconds / 4)
            os.kill(server.proc.pid, signal.SIGUSR1)
            restarts.append(time.monotonic())

    load = Load(server, min(CLIENTS, 50), seconds, prefix="/zwgk/load", withheld="/zwgk/withheld.html",
                readers=4, seed=2).run(during)
    load.summary("graceful")
    assert len(restarts) == 3
    assert server.error_log().count("resuming normal operations") >= 4
    assert_statuses(load)
    lost_reads = [o for o in load.reads if o.error]
    assert not lost_reads, "%d reads lost, e.g. %s" % (len(lost_reads), lost_reads[0].error)
    # requests were in flight across each restart
    for t in restarts:
        assert any(o.t0 < t < o.t1 for o in load.outcomes + load.reads)
    assert verify(load) == []
    assert verify_reads(load) == []
    assert integrity(server) == ["ok"]
