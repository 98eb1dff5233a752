"""bench/serve-overhead: wrk against the same static 50 KB policy pages with
the DISCLOSURE filter on (verdicts cached) and off, in one run, alternating
rounds; then the added latency of a page's first (uncached) request."""
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from pages import policy_page  # noqa: E402
from pyhttpd import Httpd  # noqa: E402

CONF = """
DisclosureRegistry %(registry)s
<Location /on/>
  DisclosureEngine On
</Location>
<Location /off/>
  DisclosureEngine Off
</Location>
"""


def page_50k(i):
    body = "".join("<p>第%d条　为规范政务公开工作，提高政府工作透明度，依据《中华人民共和国政府信息公开条例》，"
                   "结合本县实际，制定本办法。各单位应当按照要求做好信息发布、政策解读和回应关切工作。</p>\n" % k
                   for k in range(185))
    p = policy_page({"索引号": "000014349/2024-%05d" % i}, body_extra=body)
    return p


def wrk(url, seconds):
    out = subprocess.run(["wrk", "-t2", "-c16", "-d%ds" % seconds, "--latency", url],
                         capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    med = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[med.group(2)]
    return rps, float(med.group(1)) * scale


def main():
    seconds = int(os.environ.get("SECONDS_PER_ROUND", "5"))
    rounds = int(os.environ.get("ROUNDS", "3"))
    h = Httpd()
    for d in ("on", "off", "on/fresh", "off/fresh"):
        os.makedirs(os.path.join(h.docroot, d), exist_ok=True)
    page = page_50k(0)
    for d in ("on", "off"):
        with open(os.path.join(h.docroot, d, "p.html"), "wb") as f:
            f.write(page)
    h.write_conf(CONF % {"registry": h.registry})
    h.start()
    try:
        print("page size %d bytes" % len(page))
        for d in ("on", "off"):  # warm up (and fill the verdict cache)
            wrk(h.url + "/%s/p.html" % d, 1)
        on, off = [], []
        for i in range(rounds):
            off.append(wrk(h.url + "/off/p.html", seconds))
            on.append(wrk(h.url + "/on/p.html", seconds))
            print("round %d: off %.0f req/s (median %.2f ms)  on %.0f req/s (median %.2f ms)"
                  % (i + 1, off[-1][0], off[-1][1], on[-1][0], on[-1][1]))
        roff = statistics.median(x[0] for x in off)
        ron = statistics.median(x[0] for x in on)
        ratio = ron / roff
        print("serve-overhead: off=%.0f req/s on=%.0f req/s ratio=%.3f (target >= 0.95) %s"
              % (roff, ron, ratio, "PASS" if ratio >= 0.95 else "FAIL"))
        # uncached: a new file per request on each side; time_total by curl
        lat_on, lat_off = [], []
        for i in range(40):
            p = page_50k(i + 1)
            for d, acc in (("on", lat_on), ("off", lat_off)):
                with open(os.path.join(h.docroot, d, "fresh", "f%d.html" % i), "wb") as f:
                    f.write(p)
                t = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{time_total}",
                                    h.url + "/%s/fresh/f%d.html" % (d, i)], capture_output=True, text=True).stdout
                acc.append(float(t) * 1000)
        added = statistics.median(lat_on) - statistics.median(lat_off)
        print("serve-overhead: uncached 50 KB page: off median %.2f ms, on median %.2f ms, added %.2f ms"
              % (statistics.median(lat_off), statistics.median(lat_on), added))
        bad = h.bad_log_lines()
        if bad:
            print("error_log:", *bad, sep="\n")
    finally:
        h.cleanup()


if __name__ == "__main__":
    main()
