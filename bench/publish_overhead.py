#!/usr/bin/env python3
"""publish-overhead: what mod_disclosure adds to publishing a page by PUT.

One apache2 (Debian's, event MPM, started by tests/integration/pyhttpd.py)
serves two mod_dav locations that differ only in the module:

  /on/    Dav On, DisclosureEngine On, DisclosurePublish On
  /off/   Dav On, DisclosureEngine Off

and the same realistic ~50 KB compliant policy page (bench/gen-pages.py) is
PUT to both, module off and on alternating, in two phases:

  latency     one keep-alive connection per side (python http.client), the
              PUTs taken in turn: off, on, on, off, off, on, ... so that both
              sides meet the same moment's noise. What an editor's publish
              costs without queueing. The "added median" (median on minus
              median off) and the verdict come from this phase.
  throughput  several keep-alive connections at once (wrk with a Lua PUT
              script; python threads with --client python or without wrk),
              rounds alternating off, on, on, off, ...: requests per second,
              median/p90 under that load, and the server's CPU time per PUT
              (apache2 parent and children, from /proc).

See bench/publish-overhead.md.  Python standard library only.
"""

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from pyhttpd import Httpd  # noqa: E402

OUT = os.path.join(HERE, "out")
TARGET_BYTES = 50 * 1024

CONF = """
LogLevel warn
%(registry)s
<Location /on/>
  Dav On
  DisclosureEngine On
  DisclosurePublish On
</Location>
<Location /off/>
  Dav On
  DisclosureEngine Off
</Location>
"""

PUT_LUA = r"""
-- wrk -s put.lua URL -- PAGEFILE PREFIX : PUT PAGEFILE to PREFIX/tT-N.html,
-- each thread rotating over its own 8 paths, on keep-alive connections.
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
local reqs = {}
local n = 0
function init(args)
  local f = assert(io.open(args[1], "rb"))
  local body = f:read("*a")
  f:close()
  for i = 1, 8 do
    reqs[i] = wrk.format("PUT", string.format("%s/t%d-%d.html", args[2], tid, i),
                         {["Content-Type"] = "text/html; charset=utf-8"}, body)
  end
end
function request()
  n = n % 8 + 1
  return reqs[n]
end
"""


def log(*a):
    print(*a, flush=True)


def pick_page(seed):
    """A compliant UTF-8 page from gen-pages.py, the one closest to 50 KB."""
    d = os.path.join(OUT, "publish-pages-seed%s" % seed)
    manifest = os.path.join(d, "manifest.tsv")
    if not os.path.exists(manifest):
        subprocess.run([sys.executable, os.path.join(HERE, "gen-pages.py"), "--count", "40", "--seed", str(seed),
                        "--gbk-share", "0", "--jobs", "1", "--out", d], check=True)
    rows = []
    with open(manifest, encoding="utf-8") as f:
        next(f)
        for line in f:
            name, size, cs, layout, fault = line.rstrip("\n").split("\t")
            if fault == "-" and cs == "utf-8":
                rows.append((abs(int(size) - TARGET_BYTES), name, int(size), layout))
    rows.sort()
    return [(os.path.join(d, name), size, layout) for _, name, size, layout in rows]


class Conn:
    """One keep-alive connection; reconnects if the server closed it."""

    def __init__(self, port):
        self.port = port
        self.c = None

    def put(self, path, body):
        for attempt in (0, 1):
            if self.c is None:
                self.c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.c.request("PUT", path, body=body, headers={"Content-Type": "text/html; charset=utf-8"})
                r = self.c.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.c.close()
                    self.c = None
                return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
            except (http.client.HTTPException, OSError):
                self.c.close()
                self.c = None
                if attempt:
                    raise

    def close(self):
        if self.c:
            self.c.close()
            self.c = None


def pct(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def interleaved_block(port, body, seconds):
    """`seconds` per side of PUTs on two keep-alive connections, one to /off/
    and one to /on/, taken in turn (off-on, on-off, ...): both sides see the
    same moment's noise. Returns the latencies of each side, in s, and the
    on-minus-off difference of each pair."""
    conns = {"off": Conn(port), "on": Conn(port)}
    lat = {"off": [], "on": []}
    diffs = []
    i = 0
    end = time.perf_counter() + 2 * seconds
    try:
        while time.perf_counter() < end:
            pair = {}
            for side in ("off", "on") if i % 2 == 0 else ("on", "off"):
                t0 = time.perf_counter()
                st, _, data = conns[side].put("/%s/seq/p%d.html" % (side, i % 8), body)
                pair[side] = time.perf_counter() - t0
                if st not in (201, 204):
                    raise RuntimeError("%s: unexpected response %d %r" % (side, st, data[:300]))
            for side in pair:
                lat[side].append(pair[side])
            diffs.append(pair["on"] - pair["off"])
            i += 1
    finally:
        for c in conns.values():
            c.close()
    return lat, diffs


def server_cpu(pid):
    """CPU seconds used so far by the apache2 parent, its reaped children and
    its live children (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        ppid, utime, stime, cutime, cstime = int(fields[1]), int(fields[11]), int(fields[12]), int(fields[13]), int(fields[14])
        if int(d) == pid:
            total += utime + stime + cutime + cstime
        elif ppid == pid:
            total += utime + stime
    return total / float(tick)


def threaded_round(port, side, body, seconds, conns):
    lats = [[] for _ in range(conns)]
    bad = []
    start = threading.Barrier(conns + 1)
    box = {}

    def worker(k):
        c = Conn(port)
        start.wait()
        i = 0
        try:
            while True:
                t0 = time.perf_counter()
                if t0 >= box["end"]:
                    break
                st, _, data = c.put("/%s/par/t%d-%d.html" % (side, k, i % 8), body)
                lats[k].append(time.perf_counter() - t0)
                if st not in (201, 204):
                    bad.append((st, data[:300]))
                i += 1
        finally:
            c.close()

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
    for t in ts:
        t.start()
    box["end"] = time.perf_counter() + seconds
    t0 = time.perf_counter()
    start.wait()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - t0
    allv = [v for l in lats for v in l]
    return {"requests": len(allv), "seconds": elapsed, "rps": len(allv) / elapsed,
            "median": pct(allv, 50), "p90": pct(allv, 90), "bad": bad}


WRK_LAT = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$")
UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def wrk_round(url, side, lua, page_file, seconds, conns, threads):
    cmd = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % max(1, round(seconds)), "--latency",
           "--timeout", "10s", "-s", lua, url + "/%s/" % side, "--", page_file, "/%s/wrk" % side]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("wrk failed: %s\n%s" % (" ".join(cmd), r.stderr + r.stdout))
    out = r.stdout
    res = {"bad": []}
    m = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m)", out, re.M)
    res["requests"] = int(m.group(1))
    res["seconds"] = float(m.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[m.group(3)]
    res["rps"] = float(re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M).group(1))
    for line in out.splitlines():
        m = WRK_LAT.match(line)
        if m:
            res["p" + m.group(1)] = float(m.group(2)) * UNIT[m.group(3)]
    res["median"], res["p90"] = res["p50"], res["p90"]
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        res["bad"].append(("non-2xx", m.group(1)))
    m = re.search(r"Socket errors: (.*)", out)
    if m:
        res["bad"].append(("socket errors", m.group(1)))
    return res


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def ms(v):
    return v * 1000.0


def main(argv=None):
    ap = argparse.ArgumentParser(description="PUT overhead of mod_disclosure (see bench/publish-overhead.md)")
    ap.add_argument("--seconds", type=float, default=10.0,
                    help="measured seconds per side, split evenly over both phases (default 10)")
    ap.add_argument("--rounds", type=int, default=5, help="alternating rounds per side and phase (default 5)")
    ap.add_argument("--conns", type=int, default=4, help="connections in the throughput phase (default 4)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    ap.add_argument("--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python",
                    help="throughput client (default wrk when installed)")
    ap.add_argument("--page", help="page to publish (default: a compliant gen-pages.py page of ~50 KB)")
    ap.add_argument("--seed", default="1", help="gen-pages.py seed for the default page")
    ap.add_argument("--no-registry", action="store_true", help="run without DisclosureRegistry")
    ap.add_argument("--mpm", default="event", choices=("event", "worker", "prefork"))
    ap.add_argument("--target-ms", type=float, default=2.0, help="added median that passes (default 2 ms)")
    ap.add_argument("--strict", action="store_true", help="exit 1 on FAIL")
    ap.add_argument("--keep", action="store_true", help="keep the server's directory (logs, registry)")
    a = ap.parse_args(argv)
    if a.rounds < 1 or a.seconds <= 0 or a.conns < 1:
        ap.error("bad --rounds, --seconds or --conns")
    os.makedirs(OUT, exist_ok=True)

    candidates = [(a.page, os.path.getsize(a.page), "given")] if a.page else pick_page(a.seed)
    h = Httpd(mpm=a.mpm)
    for d in ("on", "off"):
        for sub in ("seq", "par", "wrk", "probe"):
            os.makedirs(os.path.join(h.docroot, d, sub), exist_ok=True)
    h.write_conf(CONF % {"registry": "" if a.no_registry else "DisclosureRegistry %s" % h.registry})
    status = 0
    try:
        h.start()
        # the page: first PUT must be 201 on both sides and store the bytes
        # unchanged; prefer one with no findings at all
        chosen = None
        for path, size, layout in candidates[:10]:
            body = open(path, "rb").read()
            name = "probe/%s" % os.path.basename(path)
            c = Conn(h.port)
            s_on, hd, resp = c.put("/on/" + name, body)
            s_off, _, _ = c.put("/off/" + name, body)
            c.close()
            stored = all(open(os.path.join(h.docroot, side, name), "rb").read() == body
                         for side in ("on", "off") if os.path.exists(os.path.join(h.docroot, side, name)))
            if s_on == 201 and s_off == 201 and stored:
                findings = hd.get("disclosure-findings", "")
                if chosen is None or (chosen[3] and not findings):
                    chosen = (path, size, body, findings, layout)
                if not findings:
                    break
            else:
                log("publish-overhead: %s not usable (on=%d off=%d): %s" % (path, s_on, s_off, resp[:200]))
        if chosen is None:
            log("publish-overhead: no candidate page was accepted with 201")
            return 2
        page_file, size, body, findings, layout = chosen
        lua = os.path.join(h.dir, "put.lua")
        with open(lua, "w") as f:
            f.write(PUT_LUA)
        log("publish-overhead: apache2 %s MPM on port %d, registry %s, %d CPUs, load average %s" %
            (a.mpm, h.port, "off" if a.no_registry else "on", os.cpu_count() or 0, loadavg()))
        log("publish-overhead: page %s (%d bytes, layout %s, findings: %s) accepted with 201" %
            (os.path.relpath(page_file, TOP), size, layout, findings or "none"))

        per_round = a.seconds / 2.0 / a.rounds
        # warm-up: fill both sides' paths, wake the children, load caches
        interleaved_block(h.port, body, 0.5)
        for side in ("off", "on"):
            threaded_round(h.port, side, body, 0.5, a.conns)

        seq = {"off": [], "on": []}
        diffs = []
        log("phase 1, latency: 1 connection per side, PUTs taken in turn off/on, %d rounds x %.1f s per side"
            % (a.rounds, per_round))
        for rnd in range(1, a.rounds + 1):
            lat, d = interleaved_block(h.port, body, per_round)
            diffs.extend(d)
            for side in ("off", "on"):
                seq[side].extend(lat[side])
                log("  round %d %-3s requests=%5d median=%6.2f ms p90=%6.2f ms" %
                    (rnd, side, len(lat[side]), ms(pct(lat[side], 50)), ms(pct(lat[side], 90))))

        thr = {"off": [], "on": []}
        log("phase 2, throughput: %s, %d connections%s, %d rounds x %.1f s per side" %
            (a.client, a.conns, " / %d threads" % a.threads if a.client == "wrk" else "", a.rounds, per_round))
        for rnd in range(1, a.rounds + 1):
            for side in ("off", "on") if rnd % 2 else ("on", "off"):
                cpu0 = server_cpu(h.proc.pid)
                if a.client == "wrk":
                    res = wrk_round(h.url, side, lua, page_file, per_round, a.conns, a.threads)
                else:
                    res = threaded_round(h.port, side, body, per_round, a.conns)
                res["cpu"] = server_cpu(h.proc.pid) - cpu0
                if res["bad"]:
                    raise RuntimeError("%s: unexpected responses %r" % (side, res["bad"][:3]))
                thr[side].append(res)
                log("  round %d %-3s requests=%5d req/s=%7.1f median=%6.2f ms p90=%6.2f ms server CPU/PUT=%.2f ms" %
                    (rnd, side, res["requests"], res["rps"], ms(res["median"]), ms(res["p90"]),
                     ms(res["cpu"] / max(1, res["requests"]))))

        summary = {}
        for side in ("off", "on"):
            rs = thr[side]
            summary[side] = {
                "seq_median": pct(seq[side], 50), "seq_p90": pct(seq[side], 90), "seq_n": len(seq[side]),
                "rps": sum(r["requests"] for r in rs) / sum(r["seconds"] for r in rs),
                "median": statistics.median(r["median"] for r in rs),
                "p90": statistics.median(r["p90"] for r in rs),
                "cpu": sum(r["cpu"] for r in rs) / max(1, sum(r["requests"] for r in rs)),
            }
        added = summary["on"]["seq_median"] - summary["off"]["seq_median"]
        added_p90 = summary["on"]["seq_p90"] - summary["off"]["seq_p90"]
        paired = pct(diffs, 50)
        added_load = summary["on"]["median"] - summary["off"]["median"]
        added_cpu = summary["on"]["cpu"] - summary["off"]["cpu"]
        rps_ratio = summary["on"]["rps"] / summary["off"]["rps"]
        log("")
        for side in ("off", "on"):
            s_ = summary[side]
            log("%-3s latency phase:    %5d PUTs, median %.2f ms, p90 %.2f ms (1 connection)" %
                (side, s_["seq_n"], ms(s_["seq_median"]), ms(s_["seq_p90"])))
            log("%-3s throughput phase: %7.1f req/s (%d conns), median %.2f ms, p90 %.2f ms (medians of rounds), "
                "server CPU %.2f ms per PUT" % (side, s_["rps"], a.conns, ms(s_["median"]), ms(s_["p90"]), ms(s_["cpu"])))
        log("added: median %.2f ms, p90 %.2f ms (1 connection; median of the %d paired differences %.2f ms); "
            "median %.2f ms under %d connections; server CPU +%.2f ms per PUT; throughput on/off %.3f"
            % (ms(added), ms(added_p90), len(diffs), ms(paired), ms(added_load), a.conns, ms(added_cpu), rps_ratio))
        log("load average at the end: %s (a busy machine inflates both sides and the difference)" % loadavg())
        bad = h.bad_log_lines()
        if bad:
            log("publish-overhead: error_log has unexpected lines:\n" + "\n".join(bad[:10]))
            status = 2
        warn = [l for l in h.error_log().splitlines() if re.search(r"\[disclosure:warn\]", l)]
        if warn:
            log("publish-overhead: WARNING: %d [disclosure:warn] lines in the error_log, e.g.:\n  %s"
                % (len(warn), "\n  ".join(re.sub(r"^.*?\] disclosure: ", "", l) for l in warn[:3])))
        verdict = "PASS" if ms(added) < a.target_ms else "FAIL"
        log("publish-overhead: off=%.0f req/s median=%.2f ms; on=%.0f req/s median=%.2f ms; "
            "added median=%.2f ms (target < %g ms) %s" %
            (summary["off"]["rps"], ms(summary["off"]["seq_median"]), summary["on"]["rps"],
             ms(summary["on"]["seq_median"]), ms(added), a.target_ms, verdict))
        if verdict == "FAIL" and a.strict:
            status = status or 1
        return status
    finally:
        h.stop()
        if a.keep:
            log("publish-overhead: server directory kept in %s" % h.dir)
        else:
            h.cleanup()


if __name__ == "__main__":
    sys.exit(main())
