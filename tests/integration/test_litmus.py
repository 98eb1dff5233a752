"""The litmus WebDAV compliance suite must give the same results with
mod_disclosure on as with it off.

One apache2 serves four mod_dav locations:

  /dav-off/   plain mod_dav (DisclosureEngine Off)
  /dav-on/    DisclosureEngine On + DisclosurePublish On
  /html-off/  plain mod_dav, every PUT relabelled Content-Type: text/html
  /html-on/   the module on, every PUT relabelled Content-Type: text/html

litmus itself never uploads HTML: its PUTs carry no Content-Type and names
such as `res`, `lockme`, `ccsrc/foo.3`, so on /dav-on/ the module looks at
each PUT and declines it. The /html-* pair makes the module judge every
litmus PUT as a page: mod_headers rewrites the request's Content-Type before
mod_disclosure's fixup reads the body, and litmus is pointed (HTDOCS) at a
directory whose `foo` -- the file litmus uploads for all its PUTs except the
two fixed bodies of basic/put_get* and http/expect100 -- is a compliant
policy page. The fixed bodies are plain text, which no disclosure rule applies
to, so they are accepted too. The registry proves the module really judged
and replayed them (each accepted page is recorded there).

Results measured on Debian's apache2 2.4 / mod_dav_fs with litmus 0.13, both
pairs, module on and off alike (checked twice):
  basic 16/16, copymove 13/13, props 30/30, locks 41/41, http 4/4 passed;
  warnings in locks (the same both ways, mod_dav_fs behaviour):
    18 cond_put_corrupt_token  "PUT failed with 400 not 423"
    38 unmapped_lock           "LOCK on unmapped url returned 200 not 201"
  No test fails with the module off, so there is no mod_dav_fs failure to
  excuse; should one appear (another httpd build), equality still holds the
  module to "no worse than mod_dav alone".

mod_dav and core log litmus's deliberately bad requests at [error] (`[dav:error]
... [423, #0]`, `AH00540/AH00541 XML parser error` from props/propfind_invalid*).
Those are allowed, but only in the exact forms below, and they must be the
same lines for the module-on location as for the module-off one.
"""
import collections
import http.client
import os
import re
import sqlite3
import subprocess
import tempfile
import time

import pytest

from pages import policy_page
from pyhttpd import Httpd

LITMUS = "/usr/bin/litmus"
SUITES = ("basic", "copymove", "props", "locks", "http")
MUST_PASS = ("basic", "copymove", "props")

RELABEL = "  RequestHeader set Content-Type \"text/html; charset=utf-8\" \"expr=%%{REQUEST_METHOD} == 'PUT'\"\n"
CONF = """
DisclosureRegistry %(registry)s
<Location /dav-off/>
  Dav On
  DisclosureEngine Off
</Location>
<Location /dav-on/>
  Dav On
  DisclosureEngine On
  DisclosurePublish On
</Location>
<Location /html-off/>
  Dav On
  DisclosureEngine Off
""" + RELABEL + """</Location>
<Location /html-on/>
  Dav On
  DisclosureEngine On
  DisclosurePublish On
""" + RELABEL + """</Location>
"""
LOCATIONS = ("dav-off", "dav-on", "html-off", "html-on")

# [error] lines litmus provokes on purpose, with the module off as well:
# mod_dav's 4xx explanations and core's XML parser complaints.
EXPECTED_ERRORS = [r"\[dav:error\] .*\[4\d\d, #\d+\]$",
                   r"\[core:error\] .*AH0054[01]: XML [Pp]arser [Ee]rror"]

TEST_LINE = re.compile(r"^\s*(\d+)\.\s(\S+?)\.*\s+(pass|FAIL|SKIPPED|WARNING:)(.*)$")
CONT_LINE = re.compile(r"^\s+\.+\s+(pass|FAIL|SKIPPED|WARNING:)(.*)$")
SUITE_LINE = re.compile(r"^-> running `(\w+)':")
SUMMARY = re.compile(r"^<- summary for `(\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed")
ALL_SKIPPED = re.compile(r"^<- all tests skipped for `(\w+)'")


def parse_litmus(out, loc, port):
    """Per-test results {(suite, n, name): (result, (warnings...))} and
    per-suite summaries {suite: (run, passed, failed)}."""
    def norm(s):
        return s.replace("/%s/" % loc, "/LOC/").replace(":%d" % port, ":PORT").strip()

    results, summary = {}, {}
    suite, current = None, None
    for line in out.splitlines():
        m = SUITE_LINE.match(line)
        if m:
            suite, current = m.group(1), None
            continue
        m = SUMMARY.match(line)
        if m:
            summary[m.group(1)] = tuple(int(x) for x in m.group(2, 3, 4))
            continue
        m = ALL_SKIPPED.match(line)
        if m:
            summary[m.group(1)] = (0, 0, 0)
            continue
        m = TEST_LINE.match(line)
        if m:
            current = (suite, int(m.group(1)), m.group(2))
            word, rest = m.group(3), m.group(4)
        else:
            m = CONT_LINE.match(line)
            if not m or current is None:
                continue
            word, rest = m.group(1), m.group(2)
        result, warnings = results.get(current, (None, ()))
        if word == "WARNING:":
            results[current] = (result, warnings + (norm(rest),))
        else:
            results[current] = (word + norm(rest) if word != "pass" else "pass", warnings)
    return results, summary


def run_litmus(url, workdir, htdocs=None):
    env = dict(os.environ)
    env.pop("TESTS", None)
    if htdocs:
        env["HTDOCS"] = htdocs
    # -k: run every suite even after a failure. litmus writes debug.log and
    # child.log into its working directory.
    r = subprocess.run([LITMUS, "-k", url], cwd=workdir, env=env, capture_output=True, encoding="utf-8",
                       errors="replace", timeout=45)
    return r


def error_lines(h):
    return h.error_log().splitlines()


def normalised_error(line, loc, port):
    """The message of an allowed [error] line without time, pid, client port
    and location, so that on and off can be compared."""
    msg = re.sub(r"^\[[^]]*\] \[[^]]*\] \[pid [^]]*\] ", "", line)
    msg = re.sub(r"\[client [^]]*\] ", "", msg)
    return msg.replace("/%s/" % loc, "/LOC/").replace(":%d/" % port, ":PORT/")


@pytest.fixture(scope="module")
def litmus_runs():
    # litmus is in deps/debian-packages.txt: missing is a failure, not a skip
    assert os.path.exists(LITMUS), "litmus is not installed (scripts/install-deps)"
    h = Httpd()
    h.allowed_errors = list(EXPECTED_ERRORS)
    for d in LOCATIONS:
        os.makedirs(os.path.join(h.docroot, d), exist_ok=True)
    # debug: the module names every page it checks
    h.write_conf(CONF % {"registry": h.registry} + "LogLevel warn disclosure:debug\n")  # also hands the new dirs to www-data
    work = tempfile.mkdtemp(prefix="litmus-", dir=h.dir)
    htdocs = os.path.join(work, "htdocs")
    os.makedirs(htdocs)
    with open(os.path.join(htdocs, "foo"), "wb") as f:
        f.write(policy_page())
    os.chmod(work, 0o755)
    t0 = time.time()
    try:
        h.start()
        runs = {}
        for loc in LOCATIONS:
            wd = os.path.join(work, loc)
            os.makedirs(wd)
            mark = len(error_lines(h))
            r = run_litmus("%s/%s/" % (h.url, loc), wd, htdocs if loc.startswith("html") else None)
            time.sleep(0.2)   # let the log catch up before cutting this run's slice
            results, summary = parse_litmus(r.stdout, loc, h.port)
            runs[loc] = {"rc": r.returncode, "out": r.stdout, "err": r.stderr, "results": results,
                         "summary": summary, "log": error_lines(h)[mark:]}
        yield h, runs, time.time() - t0
    finally:
        h.cleanup()


def describe(run):
    return "\n".join("%s %2d %-24s %s %s" % (k + v) for k, v in sorted(run["results"].items()))


@pytest.mark.parametrize("on,off", [("dav-on", "dav-off"), ("html-on", "html-off")])
def test_litmus_same_with_module_on_and_off(litmus_runs, on, off):
    h, runs, elapsed = litmus_runs
    a, b = runs[on], runs[off]
    for run in (a, b):
        assert set(run["summary"]) == set(SUITES), run["out"][-3000:] + run["err"]
        for suite in SUITES:   # the parser saw each suite's tests
            assert [k for k in run["results"] if k[0] == suite], describe(run)
        assert all(r[0] is not None for r in run["results"].values()), describe(run)
    assert a["summary"] == b["summary"]
    assert a["results"] == b["results"], "on:\n%s\n\noff:\n%s" % (describe(a), describe(b))
    assert a["rc"] == b["rc"]
    for suite in MUST_PASS:
        run_, passed, failed = a["summary"][suite]
        assert run_ > 0 and failed == 0 and passed == run_, (suite, a["summary"][suite])
    assert elapsed < 60


def test_litmus_html_puts_went_through_the_module(litmus_runs):
    """On /html-on/ every litmus PUT was judged as HTML and replayed to
    mod_dav (the module's debug line names each checked page); on /dav-on/
    the module declined everything (no Content-Type, no .html name). The
    registry follows litmus's DELETEs and MOVEs, so it is not the witness."""
    h, runs, _ = litmus_runs
    log = h.error_log()
    checked = set(re.findall(r"disclosure: checked (\S+) \(", log))
    for name in ("res", "lockme", "copysrc", "ccsrc/foo.0", "mvsrc/foo.9", "prop", "expect100",
                 "lockcoll/lockme.txt"):
        assert "%s/html-on/litmus/%s" % (h.url, name) in checked, sorted(checked)
    assert not [u for u in checked if "/dav-on/" in u or "-off/" in u], sorted(checked)
    log = h.error_log()
    assert "disclosure: publish of" not in log, [l for l in log.splitlines() if "disclosure:" in l]


def test_litmus_error_log_only_has_mod_dav_lines_and_the_same_both_ways(litmus_runs):
    h, runs, _ = litmus_runs
    assert not h.bad_log_lines(), "\n".join(h.bad_log_lines())
    for on, off in (("dav-on", "dav-off"), ("html-on", "html-off")):
        a = collections.Counter(normalised_error(l, on, h.port) for l in runs[on]["log"] if "error]" in l)
        b = collections.Counter(normalised_error(l, off, h.port) for l in runs[off]["log"] if "error]" in l)
        assert a == b, (a - b, b - a)
        assert not [l for l in runs[on]["log"] if "[disclosure:" in l and "info]" not in l and "debug]" not in l]


# ---------------------------------------------------------------------------
# litmus's own operations on real .html names, with the Content-Type WebDAV
# clients send (application/octet-stream), so the module's extension rule is
# the one that picks them up.
# ---------------------------------------------------------------------------

def request(h, method, path, body=None, headers=None, chunked=False):
    c = http.client.HTTPConnection("127.0.0.1", h.port, timeout=20)
    try:
        hdrs = dict(headers or {})
        if chunked:
            c.putrequest(method, path)
            for k, v in hdrs.items():
                c.putheader(k, v)
            c.putheader("Transfer-Encoding", "chunked")
            c.endheaders()
            for i in range(0, len(body), 7000):
                part = body[i:i + 7000]
                c.send(b"%x\r\n" % len(part) + part + b"\r\n")
            c.send(b"0\r\n\r\n")
        else:
            c.request(method, path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        c.close()


LOCK_BODY = b"""<?xml version="1.0" encoding="utf-8"?>
<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>
<D:locktype><D:write/></D:locktype><D:owner>litmus-html</D:owner></D:lockinfo>"""
PROPPATCH_BODY = b"""<?xml version="1.0" encoding="utf-8"?>
<D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://example.com/ns"><D:set><D:prop>
<Z:reviewed>yes</Z:reviewed></D:prop></D:set></D:propertyupdate>"""
PROPFIND_BODY = b"""<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:Z="http://example.com/ns"><D:prop><Z:reviewed/><D:getcontentlength/>
</D:prop></D:propfind>"""


def html_session(h, loc):
    """litmus-style steps on page.html; returns the status trail and what
    ended up on disk."""
    page = policy_page(body_extra="".join("<p>第%d条　本办法所称政务公开，是指行政机关公开其政府信息。</p>\n" % i
                                          for i in range(400)))
    base = "/%s/s" % loc
    octet = {"Content-Type": "application/octet-stream"}
    trail = []

    def step(name, *a, **k):
        st, hd, body = request(h, *a, **k)
        trail.append((name, st))
        return st, hd, body

    step("mkcol", "MKCOL", base + "/")
    step("put_new", "PUT", base + "/page.html", page, octet)
    trail.append(("get_same", step("get", "GET", base + "/page.html")[2] == page))
    step("put_overwrite", "PUT", base + "/page.html", page, octet)
    step("put_chunked_expect", "PUT", base + "/page.html", page,
         dict(octet, Expect="100-continue"), chunked=True)
    step("put_htm_textual", "PUT", base + "/page.htm", page, {"Content-Type": "text/html; charset=utf-8"})
    step("proppatch", "PROPPATCH", base + "/page.html", PROPPATCH_BODY, {"Content-Type": "application/xml"})
    st, _, body = step("propfind", "PROPFIND", base + "/page.html", PROPFIND_BODY,
                       {"Depth": "0", "Content-Type": "application/xml"})
    trail.append(("prop_kept", b"yes</" in body))
    step("copy", "COPY", base + "/page.html", headers={"Destination": h.url + base + "/copy.html"})
    step("copy_overwrite_F", "COPY", base + "/page.html",
         headers={"Destination": h.url + base + "/copy.html", "Overwrite": "F"})
    step("move", "MOVE", base + "/copy.html", headers={"Destination": h.url + base + "/moved.html"})
    st, hd, _ = step("lock", "LOCK", base + "/page.html", LOCK_BODY,
                     {"Content-Type": "application/xml", "Timeout": "Second-60"})
    token = hd.get("lock-token", "").strip("<>")
    etag = request(h, "HEAD", base + "/page.html")[1].get("etag", "")
    step("put_locked_no_token", "PUT", base + "/page.html", page, octet)
    step("put_with_token", "PUT", base + "/page.html", page, dict(octet, If="(<%s>)" % token))
    step("put_token_bad_etag", "PUT", base + "/page.html", page,
         dict(octet, If='(<%s> ["bad-etag"])' % token))
    step("put_not_nolock", "PUT", base + "/page.html", page,
         dict(octet, If="(<%s>) (Not <DAV:no-lock>)" % token))
    step("delete_locked", "DELETE", base + "/page.html")
    step("unlock", "UNLOCK", base + "/page.html", headers={"Lock-Token": "<%s>" % token})
    trail.append(("etag_seen", bool(etag)))
    disk = {}
    for n in ("page.html", "page.htm", "moved.html"):
        p = os.path.join(h.docroot, loc, "s", n)
        disk[n] = open(p, "rb").read() == page if os.path.exists(p) else None
    step("delete", "DELETE", base + "/")
    return trail, disk


def test_html_pages_through_dav_methods_same_on_and_off(litmus_runs):
    h, _, _ = litmus_runs
    trail_on, disk_on = html_session(h, "dav-on")
    trail_off, disk_off = html_session(h, "dav-off")
    assert trail_on == trail_off
    assert disk_on == disk_off == {"page.html": True, "page.htm": True, "moved.html": True}
    expected = {"mkcol": 201, "put_new": 201, "get": 200, "get_same": True, "put_overwrite": 204,
                "put_chunked_expect": 204, "put_htm_textual": 201, "proppatch": 207, "propfind": 207,
                "prop_kept": True, "copy": 201, "copy_overwrite_F": 412, "move": 201, "lock": 200,
                "put_locked_no_token": 423, "put_with_token": 204, "put_token_bad_etag": 412,
                "put_not_nolock": 204, "delete_locked": 423, "unlock": 204, "etag_seen": True, "delete": 204}
    assert dict(trail_on) == expected, trail_on
    # the module judged (and recorded) the pages on /dav-on/ only
    db = sqlite3.connect(h.registry)
    try:
        urls = {row[0] for row in db.execute("SELECT url FROM documents")}
    finally:
        db.close()
    assert h.url + "/dav-on/s/page.html" in urls and h.url + "/dav-on/s/page.htm" in urls
    assert not [u for u in urls if "/dav-off/" in u]
    assert not h.bad_log_lines(), "\n".join(h.bad_log_lines())
