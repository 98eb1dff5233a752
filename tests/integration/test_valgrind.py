"""mod_disclosure under valgrind: apache2 -X (one process, so memcheck sees every
request) through a refused publish (422), an accepted one, a blocked serve and a
banner, then a clean stop. Clean means no memory error and no definite leak (httpd
itself needs no suppression in this run)."""
import os
import re
import shutil

import pytest

from pages import policy_page
from pyhttpd import Httpd, curl

VALGRIND = shutil.which("valgrind")
CONF = """
DisclosureRegistry %(registry)s
<Location /zwgk/>
  Dav On
  DisclosureEngine On
  DisclosurePublish On
</Location>
"""


def put(h, path, body):
    return curl("-X", "PUT", "--data-binary", "@-", "-H", "Content-Type: text/html", h.url + path, data=body)


@pytest.mark.no_asan  # valgrind cannot run a module built with AddressSanitizer
def test_publish_block_and_banner_under_valgrind():
    # valgrind is in deps/debian-packages.txt: missing is a failure, not a skip
    assert VALGRIND, "valgrind is not installed (scripts/install-deps)"
    h = Httpd()
    os.makedirs(os.path.join(h.docroot, "zwgk"), exist_ok=True)
    h.write_conf(CONF % {"registry": h.registry})
    log = os.path.join(h.logs, "valgrind.log")
    h.wrapper = [VALGRIND, "--error-exitcode=9", "--leak-check=full", "--show-leak-kinds=definite",
                 "--errors-for-leak-kinds=definite", "--num-callers=30",
                 "--vgdb=no", "--log-file=" + log]
    h.args = ["-X"]
    try:
        h.start()
        assert put(h, "/zwgk/a.html", policy_page({"公开属性": None}))[0] == 422
        assert put(h, "/zwgk/old.html", policy_page({"发文字号": "某政发〔2019〕8号"}))[0] == 201
        with open(os.path.join(h.docroot, "zwgk", "w.html"), "wb") as f:
            f.write(policy_page({"公开属性": "依申请公开", "不公开理由": "个人隐私", "标题": "内部方案XYZ"}))
        for _ in range(2):  # judged, then from the cache
            s, _, b = curl(h.url + "/zwgk/w.html")
            assert s == 404 and "内部方案XYZ".encode() not in b
        new = policy_page({"发文字号": "某政发〔2025〕1号"}, body_extra="<p>某政发〔2019〕8号同时废止。</p>")
        assert put(h, "/zwgk/new.html", new)[0] == 201
        s, hd, b = curl(h.url + "/zwgk/old.html")
        assert s == 200 and "【已废止】".encode() in b, hd
        proc = h.proc
        h.stop()   # valgrind checks for leaks as the process exits
        report = open(log, encoding="utf-8", errors="replace").read()
        assert proc.returncode != 9 and re.search(r"ERROR SUMMARY: 0 errors", report), report[-20000:]
        assert not h.bad_log_lines(), h.bad_log_lines()
    finally:
        h.cleanup()
