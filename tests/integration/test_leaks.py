"""Leak-proof blocking (issue 6, part 4): every trick we could think of to read
a 不予公开 page through a real apache2 with the module — the label written
every way a template or an editor writes it, and the page asked for every way
a client or a server configuration can ask. Each variant asserts that no byte
of the page's secret text reaches the client: not in the body (decompressed),
not in a header, and no Content-Length, ETag or Last-Modified of the page."""
import email.utils
import gzip
import http.client
import os
import shutil
import socket
import subprocess
import time
import zlib

import pytest

from pages import policy_page
from pyhttpd import MODULES, Httpd, curl

SECRET_TITLE = "关于某县征地补偿内部测算方案的请示"
SECRET_BODY = "补偿测算底数机密段落XYZZY"
SECRETS = (SECRET_TITLE, SECRET_BODY)

CONF = """
LoadModule autoindex_module %(modules)s/mod_autoindex.so
DisclosureRegistry %(registry)s
AddType text/html .shtml
AddOutputFilter INCLUDES .shtml
AddOutputFilterByType DEFLATE text/html text/plain
AddLanguage zh-CN .zh-cn
AddEncoding gzip .gz
AddEncoding br .br
AddLanguage en .en
AcceptPathInfo On
AllowEncodedSlashes On
RewriteEngine On
RewriteRule ^/rw/(.*)$ /zwgk/$1 [PT]
RewriteRule ^/self/(.*)$ http://127.0.0.1:%(port)d/zwgk/$1 [P]
Alias /alias/ %(docroot)s/zwgk/
ProxyPass /be/ http://127.0.0.1:%(backend)d/
<Location /err/>
  ErrorDocument 404 /zwgk/w.html
</Location>
# an error page assembled by SSI from a withheld fragment: served with the
# error's status (404), not 200
<Location /err2/>
  ErrorDocument 404 /zwgk/assembled.shtml
</Location>
<Directory "%(docroot)s/zwgk">
  # on the directory, so that every URL that maps to these files is covered
  DisclosureEngine On
  Options +Includes +MultiViews +Indexes +FollowSymLinks
  DirectoryIndex index.html
  IndexOptions FancyIndexing ScanHTMLTitles
</Directory>
<Location /be/>
  DisclosureEngine On
</Location>
<Location /err3/>
  ErrorDocument 404 /be/w.html
</Location>
# HTTP/2 without TLS (curl --http2-prior-knowledge), as portals run h2 behind TLS
LoadModule http2_module %(modules)s/mod_http2.so
Protocols h2c http/1.1
# scripts that print the page: with 200, and with a 404 of their own
<IfModule !mod_cgid.c>
  LoadModule cgid_module %(modules)s/mod_cgid.so
</IfModule>
ScriptSock %(cgidir)s/cgid.sock
ScriptAlias /cgi/ %(cgidir)s/
<Directory "%(cgidir)s">
  DisclosureEngine On
  Require all granted
</Directory>
"""

CGI = """#!/bin/sh
printf '%%bContent-Type: text/html; charset=utf-8\\r\\n\\r\\n' "%(status)s"
cat '%(page)s'
"""

BACKEND_CONF = """
AddOutputFilterByType DEFLATE text/html text/plain
AddOutputFilterByType BROTLI_COMPRESS application/xhtml+xml
AddType application/xhtml+xml .xhtml
AddType text/plain .txt
"""


def withheld_page(fields=None, body="", charset="utf-8"):
    f = {"标题": SECRET_TITLE, "公开属性": "不予公开", "不公开理由": "过程性信息"}
    f.update(fields or {})
    return policy_page(f, body_extra="<p>%s</p>%s" % (SECRET_BODY, body), charset=charset)


def row_page(rows="", body="", head=""):
    """A page whose 公开属性 is only what rows/body say."""
    p = policy_page({"标题": SECRET_TITLE, "公开属性": None, "不公开理由": "过程性信息"},
                    body_extra="<p>%s</p>%s" % (SECRET_BODY, body)).decode("utf-8")
    p = p.replace("</table>", rows + "</table>").replace("</head>", head + "</head>")
    return p.encode("utf-8")


def attr(value):
    return withheld_page({"公开属性": value})


# ---- the label, written every way (each page holds the secret body) ----
LABELS = {
    "plain": attr("不予公开"),
    "on-request": attr("依申请公开"),
    "ideographic-space": attr("不予\u3000公开"),
    "nbsp": attr("不予\u00a0公开"),
    "nbsp-entity": attr("不予&nbsp;公开"),
    "zero-width-space": attr("不\u200b予公开"),
    "zero-width-joiner": attr("不\u200d予公开"),
    "zero-width-non-joiner": attr("不予\u200c公开"),
    "word-joiner": attr("不予\u2060公开"),
    "soft-hyphen": attr("不予&shy;公开"),
    "bom-inside": attr("\ufeff不予公开"),
    "label-with-zwsp": row_page('<tr><td>公开\u200b属性：</td><td>不予公开</td></tr>'),
    "label-spaced-halfwidth-colon": row_page('<tr><td>公 开 属 性 :</td><td>不予公开</td></tr>'),
    "label-fullwidth-colon-spaces": row_page('<tr><td>公开属性\u3000：\u3000</td><td>\u3000不予公开\u3000</td></tr>'),
    "synonym-gongkaifangshi": row_page('<tr><td>公开方式：</td><td>不予公开</td></tr>'),
    "synonym-gongkaileixing": row_page('<tr><td>公开类型：</td><td>不公开</td></tr>'),
    "split-spans": attr("<span>不予</span><span>公开</span>"),
    "split-bold-italic": attr("<b>不</b>予<i>公</i>开"),
    "comment-split": attr("不予<!-- cms -->公开"),
    "value-in-link": attr('<a href="/list?gk=3">不予公开</a>'),
    "td-pairs-upper-case-tags": row_page('<TR><TD CLASS="l">公开属性：</TD><TD>不予公开</TD></TR>'),
    "column-layout": row_page(body='<table><tr><th>索引号</th><th>公开属性</th></tr>'
                                   '<tr><td>000014349/2024-00111</td><td>不予公开</td></tr></table>'),
    "dl": row_page(body="<dl><dt>公开属性：</dt><dd>不予公开</dd></dl>"),
    "inline-pair": row_page(body="<p>索引号：000014349/2024-00111 公开属性：不予公开</p>"),
    "numeric-entities": attr("&#19981;&#20104;&#20844;&#24320;"),
    "hex-entities": attr("&#x4E0D;&#x4E88;&#x516C;&#x5F00;"),
    "entity-label": row_page('<tr><td>&#20844;&#24320;&#23646;&#24615;：</td><td>不予公开</td></tr>'),
    "traditional": row_page('<tr><td>公開屬性：</td><td>不予公開</td></tr>'),
    "value-with-reason": attr("不予公开（过程性信息）"),
    "value-in-brackets": attr("【不予公开】"),
    "value-in-parens": attr("(不予公开)"),
    "mianyu-typo": attr("免于公开"),
    "zanbu": attr("暂不公开"),
    "noscript": row_page(body="<noscript><p>公开属性：不予公开</p></noscript>"),
    "template": row_page(body="<template><p>公开属性：不予公开</p></template>"),
    "textarea": row_page(body="<textarea>公开属性：不予公开</textarea>"),
    "note-only": row_page(body="<p>（此件不予公开）</p>"),
    "note-traditional-halfwidth": row_page(body="<p>(此件不予公開)</p>"),
    "note-split-by-tags": attr("主动公开") .replace(b"</div>\n</body>", "<p>（此件<span>不予</span>公开）</p></div>\n</body>".encode()),
    "conflict-table-then-note": withheld_page({"公开属性": "主动公开"}, body="<p>（此件不予公开）</p>"),
    "conflict-note-then-table": row_page(rows='<tr><td>公开属性：</td><td>主动公开</td></tr>').replace(
        b"<body>", "<body><p>（此件不予公开）</p>".encode()),
    "conflict-two-labels": row_page('<tr><td>公开属性：</td><td>主动公开</td></tr><tr><td>公开方式：</td><td>依申请公开</td></tr>'),
    "conflict-two-labels-reversed": row_page('<tr><td>公开方式：</td><td>依申请公开</td></tr><tr><td>公开属性：</td><td>主动公开</td></tr>'),
    "ninth-label": row_page("".join('<tr><td>公开属性：</td><td>主动公开</td></tr>' for _ in range(9))
                            + '<tr><td>公开属性：</td><td>不予公开</td></tr>'),
    "nul-bytes": b"\x00\x00" + attr("不\x00予公开"),
    "gbk": withheld_page(charset="gbk"),
    "gb18030-four-byte": withheld_page({"发文机关": "某县\U00020000办公室"}, charset="gb18030"),
    "utf-8-bom": b"\xef\xbb\xbf" + attr("不予公开"),
    "utf-16le-bom": b"\xff\xfe" + attr("不予公开").decode().replace('charset="utf-8"', 'charset="utf-16"').encode("utf-16-le"),
    "utf-16be-bom": b"\xfe\xff" + attr("不予公开").decode().replace('charset="utf-8"', 'charset="utf-16"').encode("utf-16-be"),
    "wrong-meta-charset": withheld_page().decode().encode("gb18030"),           # GBK bytes, meta says utf-8
    "undeclared-gbk": withheld_page().decode().replace('<meta charset="utf-8">', "").encode("gb18030"),
    "one-bad-byte": attr("不予公开").replace(SECRET_BODY.encode(), b"\xff" + SECRET_BODY.encode()),
    "truncated-last-character": attr("不予公开") + "公".encode()[:2],
}


def brotli_compress(data):
    """br, by a throw-away apache2 with mod_brotli (as a site that
    precompresses its pages would)."""
    h = Httpd(name="brotli")
    try:
        with open(os.path.join(h.docroot, "p.xhtml"), "wb") as f:
            f.write(data)
        h.write_conf("AddType application/xhtml+xml .xhtml\nAddOutputFilterByType BROTLI_COMPRESS application/xhtml+xml\n")
        h.start()
        r = subprocess.run(["curl", "-sS", "-H", "Accept-Encoding: br", h.url + "/p.xhtml"], capture_output=True)
        assert r.stdout and SECRET_BODY.encode() not in r.stdout  # really compressed
        return r.stdout
    finally:
        h.cleanup()


def decoded_body(headers, body):
    enc = headers.get("content-encoding", "")
    if body[:2] == b"\x1f\x8b":
        return gzip.decompress(body)
    if enc == "deflate":
        return zlib.decompress(body)
    return body


def assert_same_as_missing(site, status, headers, body, args=(), missing="/zwgk/v/no-such-page.html"):
    """A blocked page answers exactly as a page that is not there: no header
    (Disclosure-Status: withheld would say there is a secret here)."""
    s2, h2, b2 = curl(*args, site.url + missing)
    # Same framing too (Content-Length, not chunked), but for one case: a
    # HEAD behind mod_proxy. The module asks the backend for a GET (a HEAD
    # brings no body to judge), so a page missing there answers the
    # backend's 404 with the length of its body; a blocked one answers this
    # server's own 404, which for a HEAD has no Content-Length (as a missing
    # page here has none; with ProxyErrorOverride On both are this server's).
    framing = ("date", "content-length") if "-I" in args and missing.startswith("/be/") else ("date",)
    h1 = {k: v for k, v in headers.items() if k not in framing}
    h2 = {k: v for k, v in h2.items() if k not in framing}
    if "-I" in args:  # curl -I writes the headers where the body would be
        body = b2 = b""
    assert (status, h1, body) == (s2, h2, b2)


def assert_no_leak(status, headers, body, page=None):
    text = decoded_body(headers, body)
    for secret in SECRETS:
        for enc in ("utf-8", "gb18030", "utf-16-le", "utf-16-be"):
            s = secret.encode(enc)
            assert s not in text, (status, secret, enc)
            assert s not in b"".join((k + v).encode("latin-1", "replace") for k, v in headers.items())
    if page is not None:
        # nothing that confirms the page: not its length, not its validators
        assert headers.get("content-length") != str(len(page))
        assert "etag" not in headers and "last-modified" not in headers, headers
    return text


@pytest.fixture(scope="module")
def backend_httpd():
    """The CMS behind mod_proxy: a plain apache2 (the module loaded but off)
    that honours Range, conditional requests, gzip and br as real servers do."""
    h = Httpd(name="backend")
    h.write_conf(BACKEND_CONF)
    for name, data in (("w.html", withheld_page()), ("w.txt", withheld_page()),
                       ("w.xhtml", withheld_page()), ("ok.html", policy_page())):
        with open(os.path.join(h.docroot, name), "wb") as f:
            f.write(data)
    h.start()
    yield h
    h.cleanup()


@pytest.fixture(scope="module")
def site(backend_httpd):
    h = Httpd()
    z = os.path.join(h.docroot, "zwgk")
    for d in ("zwgk", "zwgk/sec", "zwgk/v", "zwgk/idx", "zwgk/frag", "pub"):
        os.makedirs(os.path.join(h.docroot, d), exist_ok=True)
    page = withheld_page()
    files = {
        "zwgk/w.html": page,
        "zwgk/sec/index.html": page,
        "zwgk/idx/w.html": page,
        "zwgk/lang.html.zh-cn": page,
        "zwgk/lang.html.en": page,
        "zwgk/pre.html.gz": gzip.compress(page),
        "zwgk/pre2.html.br": brotli_compress(page),
        "zwgk/UPPER.HTML": page,
        "zwgk/frag/meta.html": '<table><tr><td>公开属性：</td><td>不予公开</td></tr></table>'.encode(),
        "zwgk/assembled.shtml": ('<html><head><meta charset="utf-8"></head><body><!--#include virtual="/zwgk/frag/meta.html" -->'
                                 '<p>%s</p></body></html>' % SECRET_BODY).encode(),
        "zwgk/noext": page,
        "zwgk/inc.shtml": b'<html><body><p>page</p><!--#include virtual="/zwgk/w.html" --></body></html>',
        "zwgk/incfile.shtml": b'<html><body><p>page</p><!--#include file="w.html" --></body></html>',
        "zwgk/ok.html": policy_page(),
        "pub/ok.html": policy_page(),
    }
    for name, data in LABELS.items():
        files["zwgk/v/%s.html" % name] = data
    for name, data in files.items():
        with open(os.path.join(h.docroot, name), "wb") as f:
            f.write(data)
    os.symlink(os.path.join(z, "w.html"), os.path.join(z, "link.html"))
    os.symlink(os.path.join(z, "w.html"), os.path.join(z, "link.txt"))
    shutil.copy(os.path.join(z, "w.html"), os.path.join(z, "copy.txt"))
    cgidir = os.path.join(h.dir, "cgi")
    os.makedirs(cgidir)
    for name, status, page in (("w.cgi", "", "w.html"), ("w404.cgi", "Status: 404 Not Found\\r\\n", "w.html"),
                               ("ok.cgi", "", "ok.html")):
        with open(os.path.join(cgidir, name), "w") as f:
            f.write(CGI % {"status": status, "page": os.path.join(z, page)})
        os.chmod(os.path.join(cgidir, name), 0o755)
    h.write_conf(CONF % {"modules": MODULES, "registry": h.registry, "docroot": h.docroot, "port": h.port,
                         "backend": backend_httpd.port, "cgidir": cgidir})
    # what other modules say when the page they wanted is blocked
    h.allowed_errors = [r"AH00687: Negotiation: discovered file", r'unable to include "', r"AH01276",
                        r"AH01264", r"AH00126"]
    h.start()
    h.page = page
    yield h
    bad = h.bad_log_lines()
    h.cleanup()
    assert not bad, "unexpected error_log lines:\n" + "\n".join(bad)


@pytest.mark.parametrize("name", sorted(LABELS))
def test_every_way_of_writing_the_label_is_blocked(site, name):
    status, headers, body = curl(site.url + "/zwgk/v/%s.html" % name)
    assert status == 404, (name, status)
    assert_no_leak(status, headers, body, LABELS[name])
    assert_same_as_missing(site, status, headers, body)


def real_etag(site):
    st = os.stat(os.path.join(site.docroot, "zwgk/w.html"))
    # httpd's default FileETag (MTime Size): size and mtime in microseconds, hex
    return '"%x-%x"' % (st.st_size, st.st_mtime_ns // 1000)


def backend_etag(backend, path):
    """The ETag the backend gives the page (mod_deflate may add -gzip)."""
    status, headers, _ = curl(backend.url + path)
    assert status == 200 and headers.get("etag"), headers
    return headers["etag"]


def now_http():
    """Now as an HTTP date: not before the pages' Last-Modified, and not in
    the future (where httpd ignores If-Modified-Since)."""
    return email.utils.formatdate(time.time(), usegmt=True)

REQUESTS = [
    ("get", "/zwgk/w.html", []),
    ("head", "/zwgk/w.html", ["-I"]),
    ("http/1.0", "/zwgk/w.html", ["--http1.0"]),
    ("range", "/zwgk/w.html", ["-H", "Range: bytes=0-300"]),
    ("multi-range", "/zwgk/w.html", ["-H", "Range: bytes=0-10,200-400,-50"]),
    ("suffix-range", "/zwgk/w.html", ["-H", "Range: bytes=-500"]),
    ("if-range-date", "/zwgk/w.html", ["-H", "Range: bytes=0-300", "-H", "If-Range: Wed, 01 Jan 2031 00:00:00 GMT"]),
    ("if-range-etag", "/zwgk/w.html", ["-H", "Range: bytes=0-300", "-H", "If-Range: {etag}"]),
    ("if-none-match-etag", "/zwgk/w.html", ["-H", "If-None-Match: {etag}"]),
    ("if-none-match-star", "/zwgk/w.html", ["-H", "If-None-Match: *"]),
    ("if-match-etag", "/zwgk/w.html", ["-H", "If-Match: {etag}"]),
    ("if-modified-since", "/zwgk/w.html", ["-H", "If-Modified-Since: Wed, 01 Jan 2031 00:00:00 GMT"]),
    ("if-unmodified-since", "/zwgk/w.html", ["-H", "If-Unmodified-Since: Wed, 01 Jan 2031 00:00:00 GMT"]),
    ("gzip", "/zwgk/w.html", ["-H", "Accept-Encoding: gzip"]),
    ("br", "/zwgk/w.html", ["--compressed", "-H", "Accept-Encoding: br"]),
    ("deflate", "/zwgk/w.html", ["-H", "Accept-Encoding: deflate"]),
    ("path-info", "/zwgk/w.html/extra/path", []),
    ("trailing-slash", "/zwgk/w.html/", []),
    ("double-slashes", "//zwgk//w.html", ["--path-as-is"]),
    ("dot-segment", "/zwgk/./w.html", ["--path-as-is"]),
    ("dot-dot-segment", "/zwgk/sec/../w.html", ["--path-as-is"]),
    ("encoded-dot", "/zwgk/%2e/w.html", ["--path-as-is"]),
    ("encoded-dot-dot", "/zwgk/sec/%2e%2e/w.html", ["--path-as-is"]),
    ("encoded-extension-dot", "/zwgk/w%2Ehtml", ["--path-as-is"]),
    ("encoded-slash", "/zwgk%2Fw.html", ["--path-as-is"]),
    ("encoded-letters", "/%7a%77%67%6b/%77.html", ["--path-as-is"]),
    ("trailing-dot", "/zwgk/w.html.", ["--path-as-is"]),
    ("upper-case-path", "/ZWGK/W.HTML", []),
    ("jsessionid", "/zwgk/w.html;jsessionid=0123ABC", ["--path-as-is"]),
    ("query-string", "/zwgk/w.html?page=1&print=true", []),
    ("empty-query", "/zwgk/w.html?", ["--path-as-is"]),
    ("multiviews", "/zwgk/w", ["-H", "Accept: text/html"]),
    ("multiviews-language", "/zwgk/lang.html", ["-H", "Accept-Language: zh-CN"]),
    ("multiviews-language-en", "/zwgk/lang", ["-H", "Accept-Language: en"]),
    ("directory-index", "/zwgk/sec/", []),
    ("directory-no-slash", "/zwgk/sec", ["-L"]),
    ("alias", "/alias/w.html", []),
    ("rewrite-pt", "/rw/w.html", []),
    ("rewrite-proxy-to-self", "/self/w.html", []),
    ("symlink-html", "/zwgk/link.html", []),
    ("symlink-txt", "/zwgk/link.txt", []),
    ("copy-txt", "/zwgk/copy.txt", []),
    ("no-extension", "/zwgk/noext", []),
    ("precompressed-gz", "/zwgk/pre.html.gz", []),
    ("precompressed-br", "/zwgk/pre2.html.br", []),
    ("multiviews-precompressed-gz", "/zwgk/pre", ["-H", "Accept-Encoding: gzip"]),
    ("multiviews-precompressed-br", "/zwgk/pre2", ["-H", "Accept-Encoding: br"]),
    ("upper-case-extension", "/zwgk/UPPER.HTML", []),
    ("ssi-assembled-label", "/zwgk/assembled.shtml", []),
    ("options", "/zwgk/w.html", ["-X", "OPTIONS"]),
    ("post", "/zwgk/w.html", ["-X", "POST", "-d", "a=1"]),
    ("error-document", "/err/missing.html", []),
    ("error-document-ssi", "/err2/missing.html", []),
    ("error-document-proxied", "/err3/missing.html", []),
    ("cgi", "/cgi/w.cgi", []),
    ("cgi-own-404", "/cgi/w404.cgi", []),
    ("h2c", "/zwgk/w.html", ["--http2-prior-knowledge"]),
    ("h2c-ssi-assembled-label", "/zwgk/assembled.shtml", ["--http2-prior-knowledge"]),
    ("h2c-proxied", "/be/w.html", ["--http2-prior-knowledge"]),
    ("h2c-cgi", "/cgi/w.cgi", ["--http2-prior-knowledge"]),
    ("proxied", "/be/w.html", []),
    ("proxied-head", "/be/w.html", ["-I"]),
    ("proxied-range", "/be/w.html", ["-H", "Range: bytes=0-300"]),
    ("proxied-suffix-range", "/be/w.html", ["-H", "Range: bytes=-400"]),
    ("proxied-gzip", "/be/w.html", ["-H", "Accept-Encoding: gzip"]),
    ("proxied-br", "/be/w.xhtml", ["--compressed", "-H", "Accept-Encoding: br"]),
    ("proxied-text-plain", "/be/w.txt", ["-H", "Accept-Encoding: gzip"]),
    ("proxied-http/1.0", "/be/w.html", ["--http1.0"]),
    # the backend would answer 304 or 412 without a body to judge: a page
    # missing there answers 404 to the same conditions
    ("proxied-if-none-match-etag", "/be/w.html", ["-H", "If-None-Match: {be_etag}"]),
    ("proxied-if-none-match-star", "/be/w.html", ["-H", "If-None-Match: *"]),
    ("proxied-if-modified-since", "/be/w.html", ["-H", "If-Modified-Since: {now}"]),
    ("proxied-if-match-other", "/be/w.html", ["-H", 'If-Match: "not-its-etag"']),
    ("proxied-if-unmodified-since", "/be/w.html", ["-H", "If-Unmodified-Since: Mon, 01 Jan 2001 00:00:00 GMT"]),
]


@pytest.mark.parametrize("name,path,args", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_every_way_of_asking_is_blocked(site, backend_httpd, name, path, args):
    values = {"{etag}": lambda: real_etag(site), "{be_etag}": lambda: backend_etag(backend_httpd, "/w.html"),
              "{now}": now_http}
    for key, value in values.items():
        if any(key in a for a in args):  # the backend is asked only when needed
            v = value()
            args = [a.replace(key, v) for a in args]
    status, headers, body = curl(*args, site.url + path)
    page = None if name.startswith("proxied") else site.page
    assert_no_leak(status, headers, body, page)
    if name.startswith("directory") and status == 200:
        # the index page blocked, mod_autoindex lists the directory instead
        assert b"Index of /zwgk/sec" in decoded_body(headers, body)
        return
    # "not here" in one of its forms; never 200, 206 or 304 for the page
    # (OPTIONS sends no content: 200, as for a page that is not there)
    assert status in (400, 403, 404, 405, 406, 412, 416, 500, 502) or name == "options", (name, status, headers)
    if name.startswith("proxied-if"):
        # a 412 or a 304 would say the page is there: a missing one is a 404
        assert status == 404, (name, status, headers)
    if name == "options":
        assert status == 200 and not body
        assert_same_as_missing(site, status, headers, body, args)
    elif status == 404 and not name.startswith("directory") and not name.startswith("error-document"):
        missing = "/zwgk/v/no-such-page.html"
        for prefix, there in (("/be/", "/be/no-such-page.html"), ("/cgi/", "/cgi/no-such-script.cgi")):
            if path.startswith(prefix):
                missing = there
        assert_same_as_missing(site, status, headers, body, args, missing)


def test_proxied_public_pages_keep_their_conditions(site, backend_httpd):
    """The conditions held back from the backend are evaluated here, once the
    page is judged fit, against the backend's validators: clients keep their
    304s, and a failed If-Match is still a 412."""
    etag = backend_etag(backend_httpd, "/ok.html")
    url = site.url + "/be/ok.html"
    status, headers, body = curl(url)
    assert status == 200 and headers.get("etag") == etag and policy_page() in decoded_body(headers, body)
    for args, want in ((["-H", "If-None-Match: " + etag], 304), (["-H", "If-None-Match: *"], 304),
                       (["-H", "If-Modified-Since: " + now_http()], 304), (["-H", 'If-None-Match: "other"'], 200),
                       (["-H", "If-Match: " + etag], 200), (["-H", 'If-Match: "other"'], 412),
                       (["-I", "-H", "If-None-Match: " + etag], 304)):
        status, headers, body = curl(*args, url)
        assert status == want, (args, status, headers)
        if want == 304:
            # curl -I writes the headers where the body would be
            assert ("-I" in args or not body) and headers.get("etag") == etag and "content-length" not in headers, \
                (args, headers)
        if want == 200 and "-I" not in args:
            assert policy_page() in decoded_body(headers, body)


def test_one_connection_goes_on_after_blocks_in_the_filter(site):
    """A block in the output filter replaces the response mid-handler; the
    connection must stay usable and in step: the next answers on it are the
    right ones, whole."""
    c = http.client.HTTPConnection("127.0.0.1", site.port, timeout=20)
    first = None
    try:
        for path, want in (("/be/w.html", 404), ("/zwgk/assembled.shtml", 404), ("/cgi/w.cgi", 404),
                           ("/be/ok.html", 200), ("/zwgk/assembled.shtml", 404), ("/zwgk/ok.html", 200)):
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            assert r.status == want, (path, r.status)
            assert r.getheader("Connection", "").lower() != "close", path
            first = first or c.sock
            assert c.sock is first, path  # http.client would quietly open a new one
            if want == 200:
                assert body == policy_page(), path
            else:
                assert_no_leak(r.status, {k.lower(): v for k, v in r.getheaders()}, body)
    finally:
        c.close()


def test_the_cgi_and_h2c_ways_above_do_serve_public_pages(site):
    """The script and HTTP/2 variants prove something only if those ways
    work: a script printing a compliant page sends it, and h2c is spoken."""
    status, headers, body = curl(site.url + "/cgi/ok.cgi")
    assert status == 200 and policy_page() in decoded_body(headers, body)
    r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
                        "--http2-prior-knowledge", site.url + "/zwgk/ok.html"], capture_output=True, text=True)
    assert r.stdout == "2 200", r.stdout + r.stderr


def test_the_etag_used_above_is_the_pages_real_one(site):
    """The conditional variants are only meaningful with the real validator:
    the same file under a location without the engine answers 304 to it."""
    pub = os.path.join(site.docroot, "pub", "w-same.html")
    if not os.path.exists(pub):
        os.link(os.path.join(site.docroot, "zwgk/w.html"), pub)
    status, headers, _ = curl(site.url + "/pub/w-same.html")
    assert status == 200 and headers["etag"] == real_etag(site)
    status, _, body = curl("-H", "If-None-Match: " + real_etag(site), site.url + "/pub/w-same.html")
    assert status == 304 and not body


def test_pages_that_include_a_withheld_page_are_blocked(site):
    """An SSI page that includes a withheld page or fragment is blocked
    whole: the fragment may be its own metadata block (ssi-assembled-label
    above), and a page is never sent as if complete without it."""
    for path in ("/zwgk/inc.shtml", "/zwgk/incfile.shtml"):
        status, headers, body = curl(site.url + path)
        assert status == 404
        assert_no_leak(status, headers, body)
    # an SSI page that includes only public parts is served, assembled
    with open(os.path.join(site.docroot, "zwgk/frag/nav.html"), "wb") as f:
        f.write("<p>导航栏</p>".encode())
    with open(os.path.join(site.docroot, "zwgk/public.shtml"), "wb") as f:
        f.write(b'<html><body><!--#include virtual="/zwgk/frag/nav.html" --><p>page</p></body></html>')
    status, headers, body = curl(site.url + "/zwgk/public.shtml")
    assert status == 200 and "导航栏".encode() in decoded_body(headers, body)


def test_directory_listing_shows_no_title(site):
    """mod_autoindex with ScanHTMLTitles reads each page's <title>."""
    status, headers, body = curl(site.url + "/zwgk/idx/")
    assert status == 200 and b"Index of /zwgk/idx" in decoded_body(headers, body)
    assert_no_leak(status, headers, body)
    # autoindex cuts titles short: look for the start of the secret title
    assert SECRET_TITLE[:5].encode() not in body
    # and the compliant page next to it keeps its title in the listing
    with open(os.path.join(site.docroot, "zwgk/idx/ok.html"), "wb") as f:
        f.write(policy_page())
    status, headers, body = curl(site.url + "/zwgk/idx/")
    assert "某县人民政府".encode() in decoded_body(headers, body)


def raw(site, data, wait=2.0):
    s = socket.create_connection(("127.0.0.1", site.port), timeout=5)
    s.sendall(data)
    out = b""
    deadline = time.time() + wait
    s.settimeout(0.5)
    while time.time() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        out += chunk
    s.close()
    return out


def test_pipelined_and_keep_alive_requests(site):
    host = "Host: 127.0.0.1\r\n"
    out = raw(site, ("GET /zwgk/ok.html HTTP/1.1\r\n" + host + "\r\n"
                     "GET /zwgk/w.html HTTP/1.1\r\n" + host + "\r\n"
                     "HEAD /zwgk/w.html HTTP/1.1\r\n" + host + "\r\n"
                     "GET /zwgk/w.html HTTP/1.1\r\n" + host + "Range: bytes=0-100\r\nConnection: close\r\n\r\n").encode())
    assert out.count(b"HTTP/1.1 404") == 3 and out.startswith(b"HTTP/1.1 200")
    for secret in SECRETS:
        assert secret.encode() not in out


@pytest.mark.parametrize("request_line", [
    "GET http://127.0.0.1:{port}/zwgk/w.html HTTP/1.1",   # absolute form
    "GET /zwgk/w.html HTTP/1.0",
    "GET /zwgk/w.html",                                    # HTTP/0.9
    "GET /zwgk/w.html?x HTTP/1.1",
    "GET /zwgk/../zwgk/w.html HTTP/1.1",
])
def test_raw_request_lines(site, request_line):
    line = request_line.format(port=site.port)
    out = raw(site, (line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").encode())
    for secret in SECRETS:
        assert secret.encode() not in out and secret.encode("gb18030") not in out
    assert b" 200 " not in out.split(b"\r\n", 1)[0]


def test_republished_in_place_is_blocked_at_once(site):
    """An in-force page, served and cached, rewritten in place to 不予公开 by
    a direct file change — same inode, same size, mtime put back (rsync -a,
    cp -p, a CMS that keeps timestamps): the very next request is blocked."""
    path = os.path.join(site.docroot, "zwgk", "flip.html")
    public = policy_page({"标题": SECRET_TITLE}, body_extra="<p>%s</p>" % SECRET_BODY)
    withheld = withheld_page()
    # same length: pad the shorter one with spaces at the end
    n = max(len(public), len(withheld))
    public, withheld = public.ljust(n, b" "), withheld.ljust(n, b" ")
    with open(path, "wb") as f:
        f.write(public)
    st = os.stat(path)
    for _ in range(2):
        status, headers, body = curl(site.url + "/zwgk/flip.html")
        assert status == 200 and SECRET_BODY.encode() in body
    assert headers["disclosure-cache"] == "hit"
    with open(path, "r+b") as f:          # in place: the inode stays
        f.write(withheld)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_ino == st.st_ino and os.stat(path).st_mtime_ns == st.st_mtime_ns
    t0 = time.time()
    status, headers, body = curl(site.url + "/zwgk/flip.html")
    took = time.time() - t0
    assert status == 404, "the cached in-force verdict outlived the change"
    assert_no_leak(status, headers, body)
    assert took < 2


def test_proxied_compliant_page_keeps_range_and_gzip(site):
    """Holding Range and Accept-Encoding back from the backend does not take
    them from the client: they apply to the judged page."""
    status, headers, body = curl("-H", "Accept-Encoding: gzip", site.url + "/be/ok.html")
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert gzip.decompress(body) == policy_page()
    status, headers, body = curl("-H", "Range: bytes=0-99", site.url + "/be/ok.html")
    assert status == 206 and body == policy_page()[:100]
    # a HEAD, asked of the backend as a GET to be judged, is still a HEAD
    status, headers, body = curl("-I", site.url + "/be/ok.html")
    assert status == 200 and headers["content-length"] == str(len(policy_page()))
    assert not body.split(b"\r\n\r\n", 1)[1]
    assert '"HEAD /be/ok.html' in open(os.path.join(site.logs, "access_log")).read()


def test_backend_really_honours_range_and_gzip(backend_httpd):
    """Without the module in front, the backend gives exactly the partial and
    compressed answers the proxied variants above would have leaked."""
    status, headers, body = curl("-H", "Range: bytes=0-300", backend_httpd.url + "/w.html")
    assert status == 206 and len(body) == 301
    status, headers, body = curl("-H", "Accept-Encoding: gzip", backend_httpd.url + "/w.html")
    assert headers.get("content-encoding") == "gzip" and SECRET_BODY.encode() in gzip.decompress(body)
    status, headers, body = curl("--compressed", "-H", "Accept-Encoding: br", backend_httpd.url + "/w.xhtml")
    assert headers.get("content-encoding") == "br" and SECRET_BODY.encode() in body


def test_compliant_pages_still_served(site):
    """The matrix is not passing by blocking everything."""
    for path in ("/zwgk/ok.html", "/alias/ok.html", "/rw/ok.html", "/self/ok.html", "/be/ok.html"):
        status, headers, body = curl("-H", "Accept-Encoding: gzip", site.url + path)
        assert status == 200, path
        assert decoded_body(headers, body) == policy_page(), path
    # a plain text file and an image-like binary are served as they are
    with open(os.path.join(site.docroot, "zwgk", "notes.txt"), "wb") as f:
        f.write("公开指南：本站政府信息主动公开。".encode())
    with open(os.path.join(site.docroot, "zwgk", "bin.dat"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n\x00\x00" + "公开属性：不予公开".encode())
    assert curl(site.url + "/zwgk/notes.txt")[0] == 200
    assert curl(site.url + "/zwgk/bin.dat")[0] == 200


def test_blocks_are_logged_with_the_reason(site):
    curl(site.url + "/zwgk/v/plain.html")
    curl(site.url + "/zwgk/v/conflict-two-labels.html")
    log = site.error_log()
    # httpd writes the log's non-ASCII bytes as \xNN
    assert any("blocked /zwgk/v/plain.html" in l and "labelled " in l for l in log.splitlines())
    assert any("blocked /zwgk/v/conflict-two-labels.html" in l and "labels disagree" in l for l in log.splitlines())


@pytest.mark.parametrize("quick", ["On", "Off"])
def test_withdrawn_page_is_not_served_from_mod_cache(quick):
    """mod_cache answers from its quick handler, before any fixups: a page
    cached while 主动公开, then withdrawn (不予公开) by a direct file change,
    would be served from the cache for days (heuristic freshness: a tenth of
    the page's age). The module looks first."""
    h = Httpd()
    try:
        os.makedirs(os.path.join(h.docroot, "zwgk"))
        path = os.path.join(h.docroot, "zwgk", "c.html")
        month_ago = time.time() - 30 * 86400
        with open(path, "wb") as f:
            f.write(policy_page({"标题": SECRET_TITLE}, body_extra="<p>%s</p>" % SECRET_BODY))
        os.utime(path, (month_ago, month_ago))
        h.write_conf("""
LoadModule cache_module %(m)s/mod_cache.so
LoadModule cache_socache_module %(m)s/mod_cache_socache.so
CacheSocache shmcb
CacheEnable socache /zwgk/
CacheQuickHandler %(quick)s
<Directory "%(docroot)s/zwgk">
  DisclosureEngine On
</Directory>
""" % {"m": MODULES, "quick": quick, "docroot": h.docroot})
        h.start()
        for _ in range(2):
            status, headers, body = curl(h.url + "/zwgk/c.html")
            assert status == 200 and SECRET_BODY.encode() in body
        assert "age" in headers  # the second answer came from mod_cache
        with open(path, "wb") as f:
            f.write(withheld_page())
        os.utime(path, (month_ago, month_ago))
        status, headers, body = curl(h.url + "/zwgk/c.html")
        assert status == 404
        assert_no_leak(status, headers, body)
        assert not h.bad_log_lines()
    finally:
        h.cleanup()
