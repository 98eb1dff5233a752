"""disclosure scan against a real httpd serving a generated site: ~150
bench/gen-pages.py pages (some GBK), hand-made interpretation pages, a GBK
page whose charset comes from Content-Type, a hostile title, robots.txt
excluding /private/, a sitemap index pointing at two sitemaps (one .gz), and
/busy/ behind ProxyPass: a python backend that answers 429 + Retry-After
once per page. Scans by crawl, sitemap and docroot must agree per URL."""
import csv
import gzip
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from pyhttpd import TOP, Httpd  # noqa: E402

DISCLOSURE = os.environ.get("DISCLOSURE", os.path.join(TOP, "disclosure"))
DATE = "2025-06-30"
HOSTILE_TITLE = '<script>alert("pwned")</script> & \'quoted\' 《关于"测试"的通知》'
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

GBK_PAGE = """<!DOCTYPE html><html><head><meta charset="gbk">
<title>关于印发《某县促进就业若干措施》的通知</title></head><body>
<table>
<tr><td>索引号：</td><td>11340722/2025-00017</td><td>发布机构：</td><td>某县人力资源和社会保障局</td></tr>
<tr><td>标题：</td><td>关于印发《某县促进就业若干措施》的通知</td></tr>
<tr><td>文号：</td><td>某人社〔2025〕3号</td><td>成文日期：</td><td>2025年05月06日</td></tr>
<tr><td>发布日期：</td><td>2025-05-08</td><td>主题分类：</td><td>劳动、人事、监察/劳动就业</td></tr>
</table><p>第一条 为促进就业，制定本措施。</p></body></html>
"""

HOSTILE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="%(t)s">
<title>%(t)s</title></head><body>
<table>
<tr><td>索引号：</td><td>11340722/2025-00099</td><td>发布机构：</td><td>某县&lt;b&gt;办公室</td></tr>
<tr><td>标题：</td><td>%(t)s</td></tr>
<tr><td>文号：</td><td>某政办〔2025〕9号</td><td>成文日期：</td><td>2025-05-06</td></tr>
<tr><td>发布日期：</td><td>2025-05-08</td><td>主题分类：</td><td>综合政务/政务公开</td></tr>
</table><p>正文</p></body></html>
""" % {"t": HOSTILE_TITLE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")}

NEW_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>新增文件</title></head><body>
<table><tr><td>索引号：</td><td>11340722/2025-00123</td></tr>
<tr><td>标题：</td><td>关于新增的通知</td></tr>
<tr><td>文号：</td><td>某政发[2025]01号</td></tr></table></body></html>
"""

CLEAN_PAGE = "<!DOCTYPE html><html><head><meta charset='utf-8'><title>首页</title></head><body><p>欢迎</p></body></html>\n"


class Busy(http.server.ThreadingHTTPServer):
    """Serves docroot/busy/* but answers 429 Retry-After: 1 to the first
    request for each path."""

    def __init__(self, root):
        self.seen = {}
        self.log = []
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.log.append(self.path)
                n = outer.seen.get(self.path, 0)
                outer.seen[self.path] = n + 1
                if n == 0:
                    self.send_response(429)
                    self.send_header("Retry-After", "1")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                p = os.path.join(root, self.path.lstrip("/").split("?")[0])
                if not os.path.isfile(p):
                    self.send_error(404)
                    return
                body = open(p, "rb").read()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        super().__init__(("127.0.0.1", 0), H)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def run(*args, check=None):
    r = subprocess.run([DISCLOSURE] + [str(a) for a in args], capture_output=True, text=True, timeout=600)
    if check is not None:
        assert r.returncode == check, "exit %d, stderr:\n%s" % (r.returncode, r.stderr[-3000:])
    return r


def urls_of(site_pages, base):
    return [base + "/" + p for p in site_pages]


@pytest.fixture(scope="module")
def site():
    h = Httpd()
    root = h.docroot
    subprocess.run([sys.executable, os.path.join(TOP, "bench", "gen-pages.py"), "--count", "150",
                    "--out", os.path.join(root, "zwgk"), "--seed", "11", "--gbk-share", "0.1"],
                   check=True, capture_output=True)
    os.unlink(os.path.join(root, "zwgk", "manifest.tsv"))
    os.makedirs(os.path.join(root, "jd"))
    for name in ("columntype-with-original.html", "tujie-gbk.html", "no-link-back.html", "title-jiedu-no-columntype.html"):
        shutil.copy(os.path.join(TOP, "tests", "corpus", "interpretation", name), os.path.join(root, "jd", name))
    with open(os.path.join(root, "gbk.html"), "wb") as f:
        f.write(GBK_PAGE.encode("gbk"))
    with open(os.path.join(root, "hostile.html"), "w", encoding="utf-8") as f:
        f.write(HOSTILE_PAGE)
    os.makedirs(os.path.join(root, "private"))
    with open(os.path.join(root, "private", "secret.html"), "w", encoding="utf-8") as f:
        f.write(NEW_PAGE)
    os.makedirs(os.path.join(root, "busy"))
    shutil.copy(os.path.join(root, "zwgk", "page-00003.html"), os.path.join(root, "busy", "page.html"))
    with open(os.path.join(root, "robots.txt"), "w") as f:
        f.write("User-agent: *\nDisallow: /private/\n")
    pages = sorted(os.path.relpath(os.path.join(d, n), root) for d, _, ns in os.walk(root)
                   for n in ns if n.endswith(".html"))
    pages.append("index.html")
    links = "".join('<li><a href="/%s">%s</a></li>\n' % (p, p) for p in pages if p != "index.html")
    with open(os.path.join(root, "index.html"), "w", encoding="utf-8") as f:
        f.write("<!DOCTYPE html><html><head><meta charset='utf-8'><title>首页</title></head><body><ul>\n%s</ul></body></html>\n" % links)
    busy = Busy(root)
    h.write_conf("""
<Files "gbk.html">
  ForceType "text/html; charset=GBK"
</Files>
ProxyPass /busy/ http://127.0.0.1:%d/busy/
""" % busy.server_address[1])
    h.start()
    base = h.url
    # sitemap index -> sitemap1.xml (plain) + sitemap2.xml.gz
    urls = urls_of(sorted(pages), base)
    half = len(urls) // 2

    def urlset(us):
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                + "".join("<url><loc>%s</loc></url>\n" % u for u in us) + "</urlset>\n")
    with open(os.path.join(root, "sitemap1.xml"), "w") as f:
        f.write(urlset(urls[:half]))
    with gzip.open(os.path.join(root, "sitemap2.xml.gz"), "wt") as f:
        f.write(urlset(urls[half:]))
    with open(os.path.join(root, "sitemap_index.xml"), "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                '<sitemap><loc>%s/sitemap1.xml</loc></sitemap>\n<sitemap><loc>%s/sitemap2.xml.gz</loc></sitemap>\n'
                '</sitemapindex>\n' % (base, base))
    if os.geteuid() == 0:
        h.write_conf()  # hands the new files to www-data
    out = tempfile.mkdtemp(prefix="disclosure-scan-")
    h.site_pages = pages
    h.busy = busy
    h.out = out
    yield h
    busy.shutdown()
    bad = h.bad_log_lines()
    h.cleanup()
    shutil.rmtree(out, ignore_errors=True)
    assert not bad, "unexpected error_log lines:\n" + "\n".join(bad)


def scan_json(site, name, *args):
    d = os.path.join(site.out, name)
    r = run("scan", "--date", DATE, "--format", "json", "--output-dir", d, *args)
    assert r.returncode in (0, 1), r.stderr[-3000:]
    with open(os.path.join(d, "scan.json"), encoding="utf-8") as f:
        return json.load(f), r


def by_url(doc):
    return {p["url"]: sorted((f["rule"], f["severity"], f["field"] or "", f["evidence"] or "")
                             for f in p["findings"]) for p in doc["pages"]}


@pytest.fixture(scope="module")
def scans(site):
    crawl, rc = scan_json(site, "crawl", "--crawl", site.url + "/index.html", "--max-pages", "5000",
                          "--max-depth", "2", "--concurrency", "8")
    sm, rs = scan_json(site, "sitemap", "--sitemap", site.url + "/sitemap_index.xml")
    dr, rd = scan_json(site, "docroot", "--docroot", site.docroot, "--base-url", site.url)
    return {"crawl": (crawl, rc), "sitemap": (sm, rs), "docroot": (dr, rd)}


def check_shape(doc):
    assert doc["version"] == 1
    assert set(doc) >= {"version", "pages", "summary", "scan"}
    assert set(doc["summary"]) == {"pages", "errors", "warnings"}
    assert set(doc["scan"]) == {"id", "started", "finished", "sources", "pages", "fetch_errors"}
    assert isinstance(doc["scan"]["sources"], list) and doc["scan"]["sources"]
    assert doc["scan"]["pages"] == len(doc["pages"]) == doc["summary"]["pages"]
    errors = warnings = 0
    for p in doc["pages"]:
        assert set(p) >= {"path", "url", "kind", "record", "findings"}
        assert p["url"].startswith("http")
        assert p["kind"] in ("policy", "interpretation", "other")
        assert isinstance(p["record"], dict)
        for f in p["findings"]:
            assert set(f) >= {"rule", "severity", "field", "message", "message_en", "evidence", "line"}
            assert f["severity"] in ("error", "warning")
            assert f["line"] is None or isinstance(f["line"], int)
            assert f["evidence"] is None or len(f["evidence"]) <= 200
            errors += f["severity"] == "error"
            warnings += f["severity"] == "warning"
    assert (errors, warnings) == (doc["summary"]["errors"], doc["summary"]["warnings"])


def test_json_shape(scans):
    for name, (doc, r) in scans.items():
        check_shape(doc)
        assert r.returncode == 1, name  # the generated site has faults


def test_same_findings_by_crawl_sitemap_docroot(site, scans):
    crawl, sm, dr = (by_url(scans[k][0]) for k in ("crawl", "sitemap", "docroot"))
    public = {u for u in dr if "/private/" not in u}
    assert len(public) == len(site.site_pages) - 1
    # a crawl also meets the site root, "/", which serves index.html again
    assert set(crawl) - public <= {site.url + "/"}
    crawl.pop(site.url + "/", None)
    assert set(crawl) == public
    assert set(sm) == public
    for u in public:
        assert crawl[u] == dr[u], u
        assert sm[u] == dr[u], u
    # cross-page findings landed on the pages they concern
    rules = {f[0] for fs in dr.values() for f in fs}
    assert "interpretation-unresolved" in rules
    # docroot pages carry their path, fetched ones do not
    assert all(p["path"] for p in scans["docroot"][0]["pages"])
    assert all(p["path"] is None for p in scans["crawl"][0]["pages"])


def test_robots_respected(site, scans):
    for k in ("crawl", "sitemap"):
        doc, r = scans[k]
        assert not any("/private/" in p["url"] for p in doc["pages"]), k
        assert "robots.txt" in r.stderr
    with open(os.path.join(site.logs, "access_log")) as log:
        assert not [line for line in log if '"GET /private/' in line]
    # --ignore-robots says so and fetches it
    doc, r = scan_json(site, "ignore", "--sitemap", site.url + "/sitemap_index.xml", "--ignore-robots")
    assert "--ignore-robots" in r.stderr
    assert any("/private/" in p["url"] for p in doc["pages"])


def test_retry_after_429(site, scans):
    u = site.url + "/busy/page.html"
    for k in ("crawl", "sitemap"):
        assert u in by_url(scans[k][0]), k
    assert site.busy.seen["/busy/page.html"] >= 4  # 429 then 200, in each of three fetching scans


def test_gbk_decodes(scans):
    doc = scans["crawl"][0]
    page = next(p for p in doc["pages"] if p["url"].endswith("/gbk.html"))
    assert page["record"]["title"] == "关于印发《某县促进就业若干措施》的通知"
    assert page["record"]["issuer"] == "某县人力资源和社会保障局"
    tujie = next(p for p in doc["pages"] if p["url"].endswith("/jd/tujie-gbk.html"))
    assert "一图读懂" in tujie["record"]["title"]


def test_exit_statuses(site, tmp_path):
    assert run("scan", "--bogus").returncode == 3
    assert run("scan", "--docroot", site.docroot).returncode == 3  # no --base-url
    assert run("scan", "--crawl", "ftp://x/").returncode == 3
    bad = tmp_path / "bad.xml"
    bad.write_text("<policy>")
    assert run("scan", "--policy", bad, "--docroot", site.docroot, "--base-url", site.url).returncode == 3
    assert run("scan", "--crawl", "http://127.0.0.1:1/", "--retries", "0").returncode == 2
    assert run("scan", "--docroot", tmp_path / "missing", "--base-url", "http://x/").returncode == 2
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "index.html").write_text(CLEAN_PAGE, encoding="utf-8")
    r = run("scan", "--docroot", clean, "--base-url", "http://x/", "--date", DATE)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 个页面 pages" in r.stdout


def test_baseline_reports_only_added(site, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(site.docroot, root)
    base_dir = tmp_path / "base"
    r = run("scan", "--docroot", root, "--base-url", site.url, "--date", DATE, "--format", "json",
            "--output-dir", base_dir)
    assert r.returncode == 1
    baseline = base_dir / "scan.json"
    again = run("scan", "--docroot", root, "--base-url", site.url, "--date", DATE, "--baseline", baseline)
    assert again.returncode == 0, again.stdout + again.stderr
    (root / "zwgk" / "new.html").write_text(NEW_PAGE, encoding="utf-8")
    out = tmp_path / "after"
    r = run("scan", "--docroot", root, "--base-url", site.url, "--date", DATE, "--baseline", baseline,
            "--format", "json", "--format", "sarif", "--output-dir", out)
    assert r.returncode == 1
    doc = json.load(open(out / "scan.json", encoding="utf-8"))
    new = [(p["url"], f["rule"]) for p in doc["pages"] for f in p["findings"] if not f.get("known")]
    assert new and all(u.endswith("/zwgk/new.html") for u, _ in new), new
    known = sum(1 for p in doc["pages"] for f in p["findings"] if f.get("known"))
    assert known == sum(len(p["findings"]) for p in json.load(open(baseline, encoding="utf-8"))["pages"])
    sarif = json.load(open(out / "scan.sarif", encoding="utf-8"))
    states = {r["baselineState"] for r in sarif["runs"][0]["results"]}
    assert states == {"new", "unchanged"}
    # --fail-on warning: the warnings of the new page fail too; known ones never
    r = run("scan", "--docroot", root, "--base-url", site.url, "--date", DATE, "--baseline", out / "scan.json",
            "--fail-on", "warning")
    assert r.returncode == 0, r.stdout


@pytest.fixture(scope="module")
def reports(site):
    d = os.path.join(site.out, "all")
    reg = os.path.join(site.out, "reg.sqlite")
    r = run("scan", "--docroot", site.docroot, "--base-url", site.url, "--date", DATE, "--registry", reg,
            "--output-dir", d, *sum((["--format", f] for f in ("json", "csv", "sarif", "junit", "html", "text")), []))
    assert r.returncode == 1, r.stderr
    assert "个页面 pages" in r.stdout
    d_rep = os.path.join(site.out, "again")
    r2 = run("report", "--registry", reg, "--format", "json", "--format", "html", "--format", "csv",
             "--output-dir", d_rep, check=0)
    return d, d_rep, reg


def test_sarif(reports):
    d = reports[0]
    sarif = json.load(open(os.path.join(d, "scan.sarif"), encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    run0 = sarif["runs"][0]
    ids = {r["id"] for r in run0["tool"]["driver"]["rules"]}
    assert {"attribute-missing", "interpretation-unresolved", "privacy-id-number"} <= ids
    doc = json.load(open(os.path.join(d, "scan.json"), encoding="utf-8"))
    assert len(run0["results"]) == doc["summary"]["errors"] + doc["summary"]["warnings"]
    for res in run0["results"]:
        assert res["ruleId"] in ids
        assert res["level"] in ("error", "warning")
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("http")


def test_junit(reports):
    tree = ET.parse(os.path.join(reports[0], "scan.junit.xml"))
    suites = tree.getroot().findall("testsuite")
    doc = json.load(open(os.path.join(reports[0], "scan.json"), encoding="utf-8"))
    assert len(suites) == len(doc["pages"])
    cases = tree.getroot().findall(".//testcase")
    assert len(cases) == 6 * len(doc["pages"])
    assert {c.get("name") for c in cases} == {"attribute", "interpretation", "validity", "topic", "metadata", "privacy"}
    assert tree.getroot().findall(".//failure")


def test_csv(reports):
    raw = open(os.path.join(reports[0], "scan.csv"), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["url", "kind", "rule", "severity", "field", "evidence", "message", "issuer", "title"]
    doc = json.load(open(os.path.join(reports[0], "scan.json"), encoding="utf-8"))
    assert len(rows) - 1 == doc["summary"]["errors"] + doc["summary"]["warnings"]
    assert any(r[8] == HOSTILE_TITLE for r in rows[1:])


def test_html_escapes_hostile_title(reports):
    html = open(os.path.join(reports[0], "scan.html"), encoding="utf-8").read()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in html
    assert "<svg" in html and "http://" not in html.split("<body>")[0].replace("http://www.w3.org", "")
    assert "按规则" in html and "By rule" in html and "按发布机构" in html and "按栏目" in html


def test_report_renders_again(reports):
    d, d_rep, _ = reports
    a = json.load(open(os.path.join(d, "scan.json"), encoding="utf-8"))
    b = json.load(open(os.path.join(d_rep, "scan.json"), encoding="utf-8"))
    assert by_url(a) == by_url(b)
    assert b["scan"]["id"] == a["scan"]["id"]
    assert os.path.getsize(os.path.join(d_rep, "scan.html")) > 10000


def test_scan_html_shows_trend(site, reports, tmp_path):
    """The HTML report a scan writes shows the trend against the registry's
    earlier scans, this scan's row with the counts of its own JSON report,
    and draws the same numbers `disclosure report` draws once it is stored."""
    first = json.load(open(os.path.join(reports[0], "scan.json"), encoding="utf-8"))
    reg = tmp_path / "reg.sqlite"
    shutil.copy(reports[2], reg)
    out = tmp_path / "second"
    r = run("scan", "--docroot", site.docroot, "--base-url", site.url, "--date", DATE, "--registry", reg,
            "--jobs", "2", "--format", "json", "--format", "html", "--output-dir", out)
    assert r.returncode == 1, r.stderr
    doc = json.load(open(out / "scan.json", encoding="utf-8"))
    html = open(out / "scan.html", encoding="utf-8").read()
    rows = re.findall(r'<tr( class="current")?><td>#(\d+)</td><td>[^<]*</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td></tr>',
                      html)
    first_id, second_id = first["scan"]["id"], doc["scan"]["id"]
    assert second_id > first_id
    assert [(int(i), int(p), int(e), int(w)) for _, i, p, e, w in rows][-2:] == [
        (first_id, first["summary"]["pages"], first["summary"]["errors"], first["summary"]["warnings"]),
        (second_id, doc["summary"]["pages"], doc["summary"]["errors"], doc["summary"]["warnings"])]
    assert rows[-1][0] and not rows[-2][0]  # this scan's row is marked current
    assert 'class="trend"' in html and "<polyline" in html
    again = run("report", "--registry", reg, "--format", "html").stdout
    trend = lambda h: h[h.index('<svg class="trend"'):h.index("</table></figure>", h.index('<svg class="trend"'))]
    assert trend(again) == trend(html)


def test_report_from_documents_only(site, tmp_path):
    reg = tmp_path / "imported.sqlite"
    run("registry", "import", "--registry", reg, "--base-url", site.url, "--date", DATE, site.docroot, check=0)
    r = run("report", "--registry", reg, "--format", "json", check=0)
    doc = json.loads(r.stdout)
    assert len(doc["pages"]) == len(site.site_pages)  # /private/ too: import reads the docroot
    assert "scan" not in doc


def test_chromium_renders_report(reports, tmp_path):
    assert CHROMIUM, "chromium is not installed (deps/debian-packages.txt lists it)"
    html = os.path.join(reports[0], "scan.html")
    png = tmp_path / "scan.png"
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run",
              "--user-data-dir=%s" % (tmp_path / "profile")]
    subprocess.run(common + ["--screenshot=%s" % png, "--window-size=1280,2000", "file://" + html],
                   capture_output=True, timeout=120)
    assert png.exists() and png.stat().st_size > 20000
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    dom = subprocess.run(common + ["--dump-dom", "file://" + html], capture_output=True, timeout=120, text=True).stdout
    assert dom.count("<svg") >= 3
    assert "<rect" in dom
    assert "<script" not in dom.lower()
    assert "&lt;script&gt;alert" in dom


def access_counts(site, since):
    """GET requests per URL path in httpd's access_log after byte offset since."""
    counts = {}
    with open(os.path.join(site.logs, "access_log"), "rb") as f:
        f.seek(since)
        for line in f.read().decode("utf-8", "replace").splitlines():
            try:
                method, path = line.split('"')[1].split()[:2]
            except (IndexError, ValueError):
                continue
            if method == "GET":
                counts[path] = counts.get(path, 0) + 1
    return counts


def scan_rows(registry, sql, *args):
    import sqlite3
    db = sqlite3.connect("file:%s?mode=ro" % registry, uri=True, timeout=10)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def test_resume_after_kill(site, scans, tmp_path):
    """A crawl killed with SIGKILL after 40 pages, then --resume: the same
    findings per URL as an uninterrupted crawl, and none of the 40 pages
    fetched again."""
    import time
    from urllib.parse import urlsplit
    reg = str(tmp_path / "resume.sqlite")
    args = ["scan", "--date", DATE, "--registry", reg, "--format", "json"]
    first = subprocess.Popen([DISCLOSURE] + args + [
        "--output-dir", str(tmp_path / "killed"), "--crawl", site.url + "/index.html", "--max-pages", "5000",
        "--max-depth", "2", "--concurrency", "1", "--delay", "15"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    n = 0
    while time.time() < deadline and first.poll() is None:
        try:
            n = scan_rows(reg, "SELECT count(*) FROM scan_pages")[0][0]
        except Exception:  # tables not created yet
            n = 0
        if n >= 40:
            break
        time.sleep(0.05)
    assert first.poll() is None, "the scan ended before it could be interrupted"
    first.kill()
    first.wait()
    had = scan_rows(reg, "SELECT url, requested FROM scan_pages")
    assert len(had) >= 40
    assert len(had) < len(site.site_pages) - 5, "killed too late to test anything"
    assert scan_rows(reg, "SELECT count(*) FROM scans WHERE finished IS NULL") == [(1,)]
    since = os.path.getsize(os.path.join(site.logs, "access_log"))

    d = tmp_path / "resumed"
    r = subprocess.run([DISCLOSURE, "scan", "--resume", "--registry", reg, "--format", "json", "--output-dir", str(d)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode in (0, 1), r.stderr[-3000:]
    assert ("resuming scan 1: %d 页已检查 pages already recorded" % len(had)) in r.stderr, r.stderr
    with open(d / "scan.json", encoding="utf-8") as f:
        doc = json.load(f)
    check_shape(doc)
    assert by_url(doc) == by_url(scans["crawl"][0])
    assert doc["scan"]["sources"] == ["crawl:%s/index.html" % site.url]

    fetched = access_counts(site, since)
    assert fetched, "the resumed scan fetched nothing"
    for url, requested in had:
        for u in {url, requested} - {None}:
            assert fetched.get(urlsplit(u).path, 0) == 0, "fetched again: " + u
    assert max(fetched.get(urlsplit(u).path, 0) for u in by_url(doc) if "/busy/" not in u) == 1
    # finished as usual: one scan, completed, its resume rows and spooled bytes gone
    assert scan_rows(reg, "SELECT count(*) FROM scans WHERE finished IS NOT NULL") == [(1,)]
    assert scan_rows(reg, "SELECT count(*) FROM scan_pages") == [(0,)]
    assert scan_rows(reg, "SELECT count(*) FROM scan_frontier") == [(0,)]
    assert not [p for p in os.listdir(tmp_path) if p.startswith("resume.sqlite.scan")]
    # nothing left to resume: without sources that is a configuration error
    r = run("scan", "--resume", "--registry", reg)
    assert r.returncode == 3 and "no interrupted scan" in r.stderr


def test_resume_needs_registry(site):
    r = run("scan", "--resume", "--docroot", site.docroot, "--base-url", site.url)
    assert r.returncode == 3 and "--registry" in r.stderr
