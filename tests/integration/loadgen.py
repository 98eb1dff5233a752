"""A real concurrent load for the load and fault tests: client threads, each
a publisher that PUTs (one TCP connection per request, no retries) to URLs it
alone owns, mixing compliant pages and pages the module must refuse, and
reader threads that GET what has been published. Every request's outcome is
logged; verify() then compares the log against the docroot and the registry
(sqlite3 on the real file).

Owning URLs per publisher makes each URL's history a sequence: after the run
the page on disk must be the body of the URL's last 2xx PUT (or, when the
server was killed, of a PUT whose answer never came), never a refused one."""
import hashlib
import http.client
import os
import random
import sqlite3
import threading
import time

from pages import policy_page

# what the module must refuse, and the rule that says why
BAD_PAGES = [
    ({"公开属性": None}, "attribute-missing"),
    ({"公开属性": "不予公开", "不公开理由": "过程性信息"}, "attribute-not-public"),
    ({"主题分类": "综合政务"}, "topic-incomplete"),
]

SECRET = "内部测算底数XYZZY"

# a server with room for every publisher at once (the base allows 64
# workers), publishing with mod_dav under /zwgk/ and the module on
LOAD_CONF = """
ServerLimit 12
ThreadsPerChild 32
MaxRequestWorkers 192
MaxSpareThreads 192
DisclosureRegistry %(registry)s
<Location /zwgk/>
  Dav On
  DisclosureEngine On
  DisclosurePublish On
</Location>
"""



def sha1(data):
    return hashlib.sha1(data).hexdigest()


def withheld_page():
    return policy_page({"标题": "关于内部测算方案的请示", "公开属性": "不予公开", "不公开理由": "过程性信息"},
                       body_extra="<p>%s</p>" % SECRET)


class Outcome:
    __slots__ = ("client", "method", "path", "good", "hash", "status", "error", "t0", "t1", "body")

    def __init__(self, client, method, path, good, digest):
        self.client, self.method, self.path, self.good, self.hash = client, method, path, good, digest
        self.status, self.error, self.t0, self.t1, self.body = None, None, 0.0, 0.0, b""

    @property
    def ms(self):
        return (self.t1 - self.t0) * 1000.0

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status <= 299


def request(port, method, path, body=None, headers=None, timeout=60):
    """One request on a fresh connection: (status, headers, body)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        h = {"Connection": "close"}
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        c.close()


class Load:
    """clients publishers and readers readers against httpd h for seconds
    seconds, each publisher owning urls_per_client pages under prefix.
    during(load) runs in the main thread while the load runs (fault
    injection); it may return before the end."""

    def __init__(self, h, clients, seconds, prefix="/zwgk/load", urls_per_client=3, bad_share=0.3,
                 readers=4, withheld=None, seed=1):
        self.h, self.clients, self.seconds, self.prefix = h, clients, seconds, prefix
        self.urls_per_client, self.bad_share, self.readers = urls_per_client, bad_share, readers
        self.withheld = withheld
        self.seed = seed
        self.outcomes = []          # PUTs, in completion order per client
        self.reads = []            # GETs
        self.sent = {}             # path -> {sha1: good} of every body sent (before it was sent)
        self.done_ok = {}          # path -> time the first 2xx completed
        self.bodies = {}           # sha1 -> body, to show what differs
        self.lock = threading.Lock()
        self.stop_at = 0.0
        self.started = self.finished = 0.0

    def paths(self, client):
        return ["%s/c%03d/p%d.html" % (self.prefix, client, k) for k in range(self.urls_per_client)]

    def all_paths(self):
        return [p for c in range(self.clients) for p in self.paths(c)]

    def _publisher(self, client):
        rnd = random.Random(self.seed * 100003 + client)
        mine = self.paths(client)
        seq = 0
        while time.monotonic() < self.stop_at:
            seq += 1
            path = rnd.choice(mine)
            good = rnd.random() >= self.bad_share
            marker = "<p>发布批次 c%d-%d</p>" % (client, seq)
            if good:
                body = policy_page({"索引号": "000014349/2024-%03d%02d" % (client, seq % 100)}, body_extra=marker)
            else:
                fields, _ = BAD_PAGES[seq % len(BAD_PAGES)]
                body = policy_page(fields, body_extra=marker)
            o = Outcome(client, "PUT", path, good, sha1(body))
            with self.lock:
                self.sent.setdefault(path, {})[o.hash] = good
                self.bodies[o.hash] = body
            o.t0 = time.monotonic()
            try:
                o.status, _, o.body = request(self.h.port, "PUT", path, body,
                                              {"Content-Type": "text/html; charset=utf-8"})
            except Exception as e:  # a lost request: logged, never retried
                o.error = "%s: %s" % (type(e).__name__, e)
            o.t1 = time.monotonic()
            with self.lock:
                self.outcomes.append(o)
                if o.ok and path not in self.done_ok:
                    self.done_ok[path] = o.t1

    def _reader(self, n):
        rnd = random.Random(self.seed * 7919 + n)
        paths = self.all_paths()
        i = 0
        while time.monotonic() < self.stop_at:
            i += 1
            path = self.withheld if (self.withheld and i % 10 == 0) else rnd.choice(paths)
            o = Outcome(-1 - n, "GET", path, None, None)
            o.t0 = time.monotonic()
            try:
                o.status, _, data = request(self.h.port, "GET", path)
                o.hash = sha1(data)
                o.body = data if path == self.withheld or o.status != 200 or o.hash not in self.sent.get(path, {}) \
                    else b""
            except Exception as e:
                o.error = "%s: %s" % (type(e).__name__, e)
            o.t1 = time.monotonic()
            with self.lock:
                self.reads.append(o)

    def run(self, during=None):
        self.started = time.monotonic()
        self.stop_at = self.started + self.seconds
        threads = [threading.Thread(target=self._publisher, args=(c,), daemon=True) for c in range(self.clients)]
        threads += [threading.Thread(target=self._reader, args=(n,), daemon=True) for n in range(self.readers)]
        for t in threads:
            t.start()
        if during:
            during(self)
        for t in threads:
            t.join(self.seconds + 120)
        assert not any(t.is_alive() for t in threads), "clients still waiting two minutes after the end"
        self.finished = time.monotonic()
        return self

    # ---- figures ----

    def summary(self, name):
        def pct(xs, p):
            xs = sorted(xs)
            return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else 0.0

        lines = ["%s: %d publishers + %d readers for %.0f s (wall %.1f s)" % (
            name, self.clients, self.readers, self.seconds, self.finished - self.started)]
        for label, items in (("PUT", self.outcomes), ("GET", self.reads)):
            by = {}
            for o in items:
                by.setdefault(o.status if o.status is not None else "lost", []).append(o.ms)
            allms = [o.ms for o in items]
            lines.append("  %s %d requests (%.1f/s), p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (
                label, len(items), len(items) / max(self.seconds, 1), pct(allms, 0.5), pct(allms, 0.99),
                max(allms) if allms else 0.0))
            for k in sorted(by, key=str):
                lines.append("    %s: %d (p50 %.1f ms, p99 %.1f ms)" % (k, len(by[k]), pct(by[k], 0.5), pct(by[k], 0.99)))
        text = "\n".join(lines)
        print(text)
        logdir = os.environ.get("DISCLOSURE_LOAD_LOG")
        if logdir:
            os.makedirs(logdir, exist_ok=True)
            with open(os.path.join(logdir, name.replace(" ", "_") + ".tsv"), "w", encoding="utf-8") as f:
                f.write("client\tmethod\tpath\tcompliant\tsha1\tstatus\terror\tstart_s\tms\n")
                for o in sorted(self.outcomes + self.reads, key=lambda o: o.t0):
                    f.write("%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t%.1f\n" % (
                        o.client, o.method, o.path, "" if o.good is None else int(o.good), o.hash or "",
                        o.status if o.status is not None else "", o.error or "", o.t0 - self.started, o.ms))
        out = os.environ.get("DISCLOSURE_LOAD_REPORT")
        if out:
            with open(out, "a", encoding="utf-8") as f:
                f.write(text + "\n")
        return text


def registry_rows(h):
    """(documents url -> content_hash, publishing url -> content_hash)."""
    db = sqlite3.connect("file:%s?mode=ro" % h.registry, uri=True, timeout=30)
    try:
        docs = dict(db.execute("SELECT url, content_hash FROM documents"))
        pending = dict(db.execute("SELECT url, content_hash FROM publishing"))
        return docs, pending
    finally:
        db.close()


def settled_rows(h, wait=5.0):
    """registry_rows once the reservations of answered publishes are gone:
    the module releases them at the end of the request, after the response
    went out (at most wait seconds)."""
    deadline = time.monotonic() + wait
    while True:
        docs, pending = registry_rows(h)
        if not pending or time.monotonic() > deadline:
            return docs, pending
        time.sleep(0.05)


def integrity(h):
    db = sqlite3.connect(h.registry, timeout=30)
    try:
        return [r[0] for r in db.execute("PRAGMA integrity_check")]
    finally:
        db.close()


def verify(load, crashed=False):
    """Problems found comparing the outcomes with the docroot and the
    registry; an empty list when all is well. crashed: the server was
    killed during the run, so a PUT that got no answer may or may not have
    been stored, and a page stored but not yet recorded is left in the
    registry's publishing table."""
    h = load.h
    docs, pending = registry_rows(h) if crashed else settled_rows(h)
    problems = []
    history = {}
    for o in load.outcomes:
        history.setdefault(o.path, []).append(o)
    for path in load.all_paths():
        url = h.url + path
        seq = history.get(path, [])
        ok = [o for o in seq if o.ok]
        last_ok = ok[-1] if ok else None
        after = seq[seq.index(last_ok) + 1:] if last_ok else seq
        unanswered = {o.hash for o in after if o.status is None and o.good}
        allowed = ({last_ok.hash} if last_ok else set()) | unanswered
        disk = os.path.join(h.docroot, path.lstrip("/"))
        on_disk = sha1(open(disk, "rb").read()) if os.path.exists(disk) else None
        if on_disk is None:
            if last_ok:
                problems.append("%s: answered %d but not on disk" % (path, last_ok.status))
            if url in docs:
                problems.append("%s: not on disk but in the registry" % path)
            continue
        if on_disk not in allowed:
            what = load.sent.get(path, {}).get(on_disk)
            problems.append("%s: disk holds %s" % (path, "a refused page" if what is False else
                                                   "an older page" if what else "bytes no client sent"))
        recorded = docs.get(url)
        if recorded == on_disk:
            continue
        if crashed and pending.get(url) == on_disk:
            continue  # stored, then the server died before recording it: marked as such
        problems.append("%s: on disk but the registry holds %s" % (
            path, "another version" if recorded else "nothing"))
    if not crashed and pending:
        problems.append("reservations left in the publishing table: %s" % sorted(pending)[:5])
    return problems


def verify_reads(load):
    """Every 200 served is a body some client sent whole; a page once
    published is never 404 again; the withheld page never leaks."""
    problems = []
    for o in load.reads:
        if o.error:
            continue
        if o.path == load.withheld:
            if o.status != 404 or SECRET.encode() in o.body:
                problems.append("withheld page answered %d" % o.status)
            continue
        if o.status == 200:
            if o.hash not in load.sent.get(o.path, {}):
                problems.append("GET %s served bytes no client sent whole" % o.path)
            elif not load.sent[o.path][o.hash]:
                problems.append("GET %s served a refused page" % o.path)
        elif o.status == 404:
            t = load.done_ok.get(o.path)
            if t is not None and t < o.t0:
                problems.append("GET %s answered 404 after a 2xx publish" % o.path)
        else:
            problems.append("GET %s answered %d" % (o.path, o.status))
    return problems
