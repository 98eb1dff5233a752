"""The report page (SetHandler disclosure-report) and `disclosure report --scan`.

A small generated site (bench/gen-pages.py, plus a page whose title and
ColumnName are hostile: <script>, quotes) is scanned twice into a registry,
with a faulty page added between the scans, before httpd starts with the
shipped conf/disclosure.conf Included (its <Location "/disclosure-report">
with Require local) and DisclosureRegistry pointing at that registry. Then:
the HTML report and the JSON API over HTTP, the report page opened in
headless Chromium (screenshot, DOM, console), and the CLI's --scan ID."""
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from pyhttpd import TOP, Httpd, curl  # noqa: E402

DISCLOSURE = os.environ.get("DISCLOSURE", os.path.join(TOP, "disclosure"))
SHIPPED_CONF = os.path.join(TOP, "conf", "disclosure.conf")
DATE = "2025-06-30"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE_TITLE = '<script>alert(1)</script> "双引号" \'single\' 《关于测试的通知》'
HOSTILE_COLUMN = '栏目<script>alert(2)</script>"'


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


HOSTILE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="ColumnName" content="%(c)s">
<title>%(t)s</title></head><body>
<table>
<tr><td>索引号：</td><td>11340722/2025-00099</td><td>发布机构：</td><td>某县人民政府办公室</td></tr>
<tr><td>标题：</td><td>%(t)s</td></tr>
<tr><td>文号：</td><td>某政办[2025]9号</td><td>成文日期：</td><td>2025-05-06</td></tr>
<tr><td>发布日期：</td><td>2025-05-08</td><td>主题分类：</td><td>综合政务</td></tr>
</table><p>正文</p></body></html>
""" % {"t": esc(HOSTILE_TITLE), "c": esc(HOSTILE_COLUMN)}

# added before the second scan: the trend must move
LATE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>新增文件</title></head><body>
<table><tr><td>索引号：</td><td>11340722/2025-00123</td></tr>
<tr><td>标题：</td><td>关于新增的通知</td></tr>
<tr><td>文号：</td><td>某政发[2025]01号</td></tr></table></body></html>
"""


def run(*args, check=None):
    r = subprocess.run([DISCLOSURE] + [str(a) for a in args], capture_output=True, text=True, timeout=600)
    if check is not None:
        assert r.returncode == check, "exit %d, stderr:\n%s" % (r.returncode, r.stderr[-3000:])
    return r


def hand_to_server_user(path):
    """httpd's children run as www-data when the tests run as root."""
    if os.geteuid() != 0:
        return
    uid = pwd.getpwnam("www-data").pw_uid
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.chown(path + suffix, uid, -1)


def report_conf(registry):
    return ("DisclosureRegistry %s\n" % registry if registry else "") + "Include %s\n" % SHIPPED_CONF


@pytest.fixture(scope="module")
def site():
    h = Httpd(name="report")
    zwgk = os.path.join(h.docroot, "zwgk")
    subprocess.run([sys.executable, os.path.join(TOP, "bench", "gen-pages.py"), "--count", "12", "--out", zwgk,
                    "--seed", "7", "--jobs", "1"], check=True, capture_output=True)
    os.unlink(os.path.join(zwgk, "manifest.tsv"))
    with open(os.path.join(zwgk, "hostile.html"), "w", encoding="utf-8") as f:
        f.write(HOSTILE_PAGE)
    for n in (1, 2):
        if n == 2:
            # the registry knows a scan's clean pages by the seconds it ran
            time.sleep(1.1)
            with open(os.path.join(zwgk, "late.html"), "w", encoding="utf-8") as f:
                f.write(LATE_PAGE)
        r = run("scan", "--docroot", h.docroot, "--base-url", h.url, "--date", DATE, "--registry", h.registry,
                "--jobs", "2")
        assert r.returncode == 1, r.stdout + r.stderr
    hand_to_server_user(h.registry)
    h.write_conf(report_conf(h.registry))  # also hands the tree to www-data
    h.start()
    yield h
    bad = h.bad_log_lines()
    h.cleanup()
    assert not bad, "unexpected error_log lines:\n" + "\n".join(bad)


def get(site, path):
    return curl(site.url + path)


def test_shipped_conf_restricts_report():
    text = open(SHIPPED_CONF, encoding="utf-8").read()
    active = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    i = active.index('<Location "/disclosure-report">')
    block = active[i:active.index("</Location>", i)]
    assert "SetHandler disclosure-report" in block
    assert "Require local" in block
    assert not any(ln.startswith("Require all granted") for ln in block)


def test_shipped_conf_denies_partial_uploads(site):
    """A publish killed mid-upload leaves mod_dav_fs's temporary file beside
    the pages: with the shipped conf Included, httpd refuses it by name."""
    site.allowed_errors.append(r"AH01630: client denied by server configuration: .*/\.davfs\.tmp4kX9Qz")
    part = os.path.join(site.docroot, "zwgk", ".davfs.tmp4kX9Qz")
    with open(part, "w", encoding="utf-8") as f:
        f.write("<html><body>公开属性：不予公开 secret-partial-body</body></html>")
    try:
        status, _, body = get(site, "/zwgk/.davfs.tmp4kX9Qz")
        assert status == 403
        assert b"secret-partial-body" not in body
        # the pages beside it are served as before
        status, _, _ = get(site, "/zwgk/hostile.html")
        assert status == 200
    finally:
        os.unlink(part)


def test_report_page_html(site):
    status, headers, body = get(site, "/disclosure-report/")
    assert status == 200, body[:500]
    assert headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in headers.get("content-security-policy", "")
    html = body.decode("utf-8")
    assert html.count("<svg") >= 4  # trend, by rule, by issuer, by column
    assert 'class="trend"' in html and "<polyline" in html
    for heading in ("总览", "趋势", "按规则", "按发布机构", "按栏目", "问题最多的页面", "全部问题"):
        assert heading in html
    # Chinese first: the headings say it in Chinese, then in English
    assert html.index("按规则") < html.index("By rule")
    # hostile page text is text
    assert "<script" not in html.lower()
    assert esc(HOSTILE_TITLE).replace("'", "&#39;") in html
    assert esc(HOSTILE_COLUMN) in html  # the page's own ColumnName, escaped
    assert "政策文件" in html or "政府文件" in html or "部门文件" in html  # gen-pages' ColumnName values
    # every finding links to its page; no external resource is loaded
    assert 'href="%s/zwgk/hostile.html"' % site.url in html
    assert not re.search(r'<(?:img|link|script|iframe)\b', html, re.I)
    assert 'src="' not in html
    # the latest scan is #2 and the trend shows #1 too
    assert "scan #2" in html and ">#1<" in html


def test_report_page_without_slash_and_earlier_scan(site):
    status, _, body = get(site, "/disclosure-report")
    assert status == 200 and b"scan #2" in body
    status, headers, body = curl("-I", site.url + "/disclosure-report/")
    assert status == 200 and headers["content-type"].startswith("text/html") and b"<html" not in body
    status, _, body = get(site, "/disclosure-report/?scan=1")
    assert status == 200
    html = body.decode("utf-8")
    assert "scan #1" in html and ">#2<" not in html  # the trend stops at the scan reported
    assert "late.html" not in html  # added after scan 1
    assert get(site, "/disclosure-report/?scan=99")[0] == 404
    assert get(site, "/disclosure-report/?scan=x")[0] == 400


def test_api_scans(site):
    status, headers, body = get(site, "/disclosure-report/api/scans")
    assert status == 200 and headers["content-type"].startswith("application/json")
    doc = json.loads(body)
    scans = doc["scans"]
    assert [s["id"] for s in scans] == [1, 2]
    for s in scans:
        assert {"id", "started", "finished", "sources", "pages", "fetch_errors", "errors", "warnings"} <= set(s)
    assert scans[1]["pages"] == scans[0]["pages"] + 1
    assert scans[1]["errors"] + scans[1]["warnings"] > scans[0]["errors"] + scans[0]["warnings"]


def test_api_scan_is_rules_output(site):
    status, headers, body = get(site, "/disclosure-report/api/scans/2")
    assert status == 200 and headers["content-type"].startswith("application/json")
    doc = json.loads(body)
    assert doc["version"] == 1
    assert set(doc["summary"]) == {"pages", "errors", "warnings"}
    assert set(doc["scan"]) == {"id", "started", "finished", "sources", "pages", "fetch_errors"}
    assert doc["scan"]["id"] == 2
    assert len(doc["pages"]) == doc["scan"]["pages"] == 14
    for p in doc["pages"]:
        assert {"path", "url", "kind", "record", "findings"} <= set(p)
        for f in p["findings"]:
            assert set(f) == {"rule", "severity", "field", "message", "message_en", "evidence", "line"}
            assert f["severity"] in ("error", "warning")
    scans = json.loads(get(site, "/disclosure-report/api/scans")[2])["scans"]
    assert doc["summary"]["errors"] == scans[1]["errors"]
    assert doc["summary"]["warnings"] == scans[1]["warnings"]
    hostile = [p for p in doc["pages"] if p["url"].endswith("/hostile.html")][0]
    assert hostile["record"]["title"] == HOSTILE_TITLE
    # RULES.md's page object: the column the report groups by is not part of it
    assert "column" not in hostile
    # the CLI renders the same scan the same way
    cli = json.loads(run("report", "--registry", site.registry, "--scan", "2", "--format", "json", check=0).stdout)
    assert cli == doc


def test_api_pages_and_unknown_paths(site):
    url = site.url + "/zwgk/hostile.html"
    status, headers, body = get(site, "/disclosure-report/api/pages?url=" + url.replace(":", "%3A"))
    assert status == 200, body
    doc = json.loads(body)
    assert doc["held"] is True and doc["document"]["url"] == url
    assert doc["document"]["page"]["record"]["title"] == HOSTILE_TITLE
    assert "registry_status" in doc and "interpretations" in doc["registry_status"]
    status, _, body = get(site, "/disclosure-report/api/pages?url=" + site.url + "/nowhere.html")
    assert status == 404 and json.loads(body)["held"] is False
    assert get(site, "/disclosure-report/api/pages")[0] == 400
    for path in ("/disclosure-report/api/scans/99", "/disclosure-report/api/nope", "/disclosure-report/other",
                 "/disclosure-report/api/scans/abc"):
        status, headers, _ = get(site, path)
        assert status == 404, path
    status, headers, body = get(site, "/disclosure-report/api/scans/99")
    assert headers["content-type"].startswith("application/problem+json")
    assert json.loads(body)["status"] == 404
    assert curl("-X", "POST", "-d", "x", site.url + "/disclosure-report/")[0] == 405


def test_without_registry_503(tmp_path):
    h = Httpd(name="report-noreg")
    h.write_conf(report_conf(None))
    try:
        h.start()
        status, headers, body = curl(h.url + "/disclosure-report/")
        assert status == 503
        text = body.decode("utf-8")
        assert "DisclosureRegistry" in text and "未配置登记库" in text
        status, headers, body = curl(h.url + "/disclosure-report/api/scans")
        assert status == 503 and json.loads(body)["status"] == 503
        assert not h.bad_log_lines()
    finally:
        h.cleanup()


def chromium(args, tmp_path, timeout=120):
    assert CHROMIUM, "chromium is not installed (Debian package chromium; deps/debian-packages.txt lists it)"
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run",
              "--user-data-dir=%s" % (tmp_path / "profile"), "--enable-logging=stderr", "--v=0"]
    return subprocess.run(common + args, capture_output=True, timeout=timeout, text=True)


def console_problems(stderr):
    # the report has no script: any console line at all is a problem
    return [ln for ln in stderr.splitlines()
            if "CONSOLE" in ln or "Uncaught" in ln or "Content Security Policy" in ln]


def test_chromium_renders_report_page(site, tmp_path):
    page = site.url + "/disclosure-report/"
    png = tmp_path / "report.png"
    shot = chromium(["--screenshot=%s" % png, "--window-size=1280,2400", page], tmp_path)
    assert png.exists(), shot.stderr[-3000:]
    assert png.stat().st_size > 20000
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert not console_problems(shot.stderr), "\n".join(console_problems(shot.stderr))
    dumped = chromium(["--dump-dom", page], tmp_path)
    dom = dumped.stdout
    assert dom.count("<svg") >= 4
    assert 'class="trend"' in dom and "<polyline" in dom and "<rect" in dom
    assert "<script" not in dom.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in dom
    assert not console_problems(dumped.stderr), "\n".join(console_problems(dumped.stderr))


def test_cli_report_scan_id(site, tmp_path):
    one = json.loads(run("report", "--registry", site.registry, "--scan", "1", "--format", "json", check=0).stdout)
    two = json.loads(run("report", "--registry", site.registry, "--format", "json", check=0).stdout)
    assert one["scan"]["id"] == 1 and two["scan"]["id"] == 2
    assert len(two["pages"]) == 14
    # an earlier scan: its pages with findings (its clean pages were recorded
    # again since); its own page count stays in the scan member
    assert one["scan"]["pages"] == 13
    assert one["pages"] and all(p["findings"] for p in one["pages"])
    assert any(p["url"].endswith("/hostile.html") for p in one["pages"])
    assert not any(p["url"].endswith("/late.html") for p in one["pages"])
    assert two["summary"]["errors"] + two["summary"]["warnings"] > one["summary"]["errors"] + one["summary"]["warnings"]
    out = tmp_path / "one"
    run("report", "--registry", site.registry, "--scan", "1", "--format", "html", "--format", "csv",
        "--output-dir", out, check=0)
    html = (out / "scan.html").read_text(encoding="utf-8")
    assert "scan #1" in html and 'class="trend"' in html and "<script" not in html.lower()
    rows = (out / "scan.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert len(rows) - 1 == one["summary"]["errors"] + one["summary"]["warnings"]
    r = run("report", "--registry", site.registry, "--scan", "99", check=2)
    assert "no scan 99" in r.stderr
    run("report", "--registry", site.registry, "--scan", "abc", check=3)
    run("report", "--registry", site.registry, "--scan", "0", check=3)
