"""Sample portal on 127.0.0.1 with mod_disclosure: publish a compliant page, be
refused for a non-compliant one, see the registry follow a repeal, and check
the whole portal with the disclosure command. `--keep` leaves it running."""
import json
import os
import re
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
from pages import interpretation_page, policy_page  # noqa: E402
from pyhttpd import Httpd, curl  # noqa: E402

CONF = """
DisclosureRegistry %(registry)s
<Location /zwgk/>
  Dav On
  DisclosureEngine On
  DisclosurePublish On
</Location>
AddOutputFilterByType DEFLATE text/html
"""


def title(text):
    print("\n\033[1m== %s\033[0m" % text if sys.stdout.isatty() else "\n== %s" % text)


def put(h, path, body, accept="application/json"):
    return curl("-X", "PUT", "--data-binary", "@-", "-H", "Content-Type: text/html", "-H", "Accept: " + accept,
                h.url + path, data=body)


def main():
    keep = "--keep" in sys.argv
    h = Httpd()
    os.makedirs(os.path.join(h.docroot, "zwgk"), exist_ok=True)
    h.write_conf(CONF % {"registry": h.registry})
    h.start()
    print("样例门户 sample portal: %s  (docroot %s)" % (h.url, h.docroot))
    try:
        title("1. 合规页面发布成功 A compliant policy page is published (201)")
        old = policy_page({"发文字号": "某政办发〔2020〕3号", "标题": "某县政务公开工作办法"})
        s, _, _ = put(h, "/zwgk/2020-3.html", old)
        print("PUT /zwgk/2020-3.html ->", s)

        title("2. 不合规页面被拒绝 A non-compliant page is refused (422) with a Chinese explanation")
        bad = policy_page({"公开属性": "不予公开", "主题分类": "综合政务", "发文字号": "某政办发[2024]07号"})
        s, hdr, body = put(h, "/zwgk/withheld.html", bad)
        print("PUT /zwgk/withheld.html ->", s, hdr.get("content-type"))
        problem = json.loads(body)
        print(problem["title"], "—", problem["detail"])
        for e in problem["errors"] + problem["warnings"]:
            print("  [%s] %s (%s): %s" % (e["severity"], e["rule"], e["field"], e["message"]))
        print("on disk:", os.path.exists(os.path.join(h.docroot, "zwgk", "withheld.html")))

        title("3. 解读须指向网站已有的文件 An interpretation of a document the site lacks is refused")
        s, _, body = put(h, "/zwgk/jd.html", interpretation_page("/zwgk/2024-30.html"))
        print("PUT /zwgk/jd.html ->", s, [e["rule"] for e in json.loads(body)["errors"]])

        title("4. 新文件废止旧文件 A new document repeals the old one: the registry marks it 废止")
        new = policy_page({"发文字号": "某政办发〔2024〕30号"},
                          body_extra="<p>本办法自发布之日起施行，《某县政务公开工作办法》（某政办发〔2020〕3号）同时废止。</p>",
                          links='<p>相关解读：<a href="/zwgk/jd.html">《某县关于进一步做好政务公开工作的通知》解读</a></p>')
        print("PUT /zwgk/2024-30.html ->", put(h, "/zwgk/2024-30.html", new)[0])
        print("PUT /zwgk/jd.html ->", put(h, "/zwgk/jd.html", interpretation_page("/zwgk/2024-30.html"))[0])
        out = subprocess.run(["sqlite3", "-header", "-column", h.registry,
                              "SELECT path, kind, doc_number, status FROM documents ORDER BY path"],
                             capture_output=True, text=True)
        print(out.stdout)

        title("5. 废止文件显示横幅 The repealed document is served with a 已废止 banner and ELI JSON-LD")
        s, hdr, body = curl(h.url + "/zwgk/2020-3.html")
        text = body.decode("utf-8")
        print("GET /zwgk/2020-3.html ->", s, "Disclosure-Status:", hdr.get("disclosure-status"))
        m = re.search(r'<div class="disclosure-status.*?</div>', text, re.S)
        print(re.sub(r"<[^>]+>", "", m.group(0)) if m else "(no banner)")
        m = re.search(r'<script type="application/ld\+json" id="disclosure-eli">(.*?)</script>', text, re.S)
        print("JSON-LD:", m.group(1) if m else "(none)")
        s, hdr, body = curl(h.url + "/zwgk/2024-30.html")
        print("GET /zwgk/2024-30.html ->", s, "Disclosure-Status:", hdr.get("disclosure-status"),
              "解读链接已注入" if b"disclosure-interpretations" in body else "")

        title("6. 不予公开页面不会被访问到 A page labelled 不予公开 that reached the disk is never served")
        with open(os.path.join(h.docroot, "zwgk", "internal.html"), "wb") as f:
            f.write(policy_page({"公开属性": "不予公开", "不公开理由": "过程性信息", "标题": "内部测算方案"}))
        for args in ([], ["-I"], ["-H", "Range: bytes=0-99"], ["-H", "Accept-Encoding: gzip"]):
            s, hdr, body = curl(*args, h.url + "/zwgk/internal.html")
            print("GET %-28s -> %d  leaked: %s" % (" ".join(args) or "(plain)", s, "内部测算方案".encode() in body))
        s, _, _ = curl("--path-as-is", h.url + "//zwgk/./internal.html")
        print("GET //zwgk/./internal.html      -> %d" % s)

        title("7. 全站扫描报告 A site-wide scan of the portal: summary, and the HTML report for inspectors")
        # a richer portal: some of the test corpus's pages join the sample ones
        for folder in ("clean", "attribute", "validity", "interpretation"):
            src = os.path.join(TOP, "tests", "corpus", folder)
            dst = os.path.join(h.docroot, "zwgk", folder)
            os.makedirs(dst, exist_ok=True)
            for f in os.listdir(src):
                if f.endswith(".html"):
                    with open(os.path.join(src, f), "rb") as a, open(os.path.join(dst, f), "wb") as b:
                        b.write(a.read())
        out_dir = os.path.join(h.dir, "report")
        r = subprocess.run([os.path.join(TOP, "disclosure"), "scan", "--docroot", h.docroot, "--base-url", h.url + "/",
                            "--date", "2025-06-30", "--format", "text", "--format", "html", "--format", "json",
                            "--output-dir", out_dir], capture_output=True, text=True)
        print(r.stdout.strip())
        report = json.load(open(os.path.join(out_dir, "scan.json"), encoding="utf-8"))
        by_rule = {}
        for p in report["pages"]:
            for f in p["findings"]:
                by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
        print("pages %(pages)d, errors %(errors)d, warnings %(warnings)d" % report["summary"])
        for rule, n in sorted(by_rule.items(), key=lambda kv: -kv[1])[:12]:
            print("  %-32s %d" % (rule, n))
        print("HTML report:", os.path.join(out_dir, "scan.html"), "(exit status %d: 0 clean, 1 findings)" % r.returncode)
        if keep:
            import shutil
            shutil.copy(os.path.join(out_dir, "scan.html"), os.path.join(TOP, "demo-report.html"))
            print("copied to", os.path.join(TOP, "demo-report.html"))

        bad = h.bad_log_lines()
        if bad:
            print("\nerror_log:\n" + "\n".join(bad))
        if keep:
            print("\nRunning at %s — Ctrl-C to stop." % h.url)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        h.cleanup()


if __name__ == "__main__":
    main()
