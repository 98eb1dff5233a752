"""Publish-time checks through a real apache2 with mod_dav and mod_proxy."""
import json
import os
import socket
import sqlite3
import subprocess
import time

import pytest

from pages import interpretation_page, policy_page
from pyhttpd import Httpd, curl


def put(h, path, body, *extra):
    return curl("-X", "PUT", "--data-binary", "@-", "-H", "Content-Type: text/html", *extra,
                h.url + path, data=body)


def on_disk(h, path):
    return os.path.join(h.docroot, path.lstrip("/"))


def registry_urls(h):
    db = sqlite3.connect(h.registry)
    try:
        return {row[0] for row in db.execute("SELECT url FROM documents")}
    finally:
        db.close()


def test_compliant_put_is_stored_byte_for_byte_and_registered(httpd):
    body = policy_page()
    status, headers, _ = put(httpd, "/zwgk/ok1.html", body)
    assert status == 201
    assert open(on_disk(httpd, "/zwgk/ok1.html"), "rb").read() == body
    assert httpd.url + "/zwgk/ok1.html" in registry_urls(httpd)


@pytest.mark.parametrize("fields,rules", [
    ({"公开属性": None}, {"attribute-missing"}),
    ({"公开属性": "依申请公开"}, {"attribute-not-public", "attribute-reason-missing"}),
    ({"公开属性": "不予公开", "不公开理由": "个人隐私"}, {"attribute-not-public"}),
    ({"主题分类": "综合政务"}, {"topic-incomplete"}),
    ({"主题分类": "综合政务\\宏观经济"}, {"topic-mismatch"}),
    ({"成文日期": "2023-02-29"}, {"date-invalid"}),
    ({"发布日期": "2024-05-01"}, {"date-order"}),
    ({"索引号": None}, {"metadata-missing"}),
])
def test_violation_is_rejected_with_422_and_nothing_written(httpd, fields, rules):
    path = "/zwgk/bad-%s.html" % "-".join(sorted(rules))
    status, headers, body = put(httpd, path, policy_page(fields))
    assert status == 422
    assert headers["content-type"].startswith("application/problem+json")
    problem = json.loads(body)
    assert problem["status"] == 422
    assert "未发布" in problem["title"]
    assert "%" not in problem["detail"] and "错误" in problem["detail"]
    got = {e["rule"] for e in problem["errors"]}
    assert rules <= got, problem
    for e in problem["errors"]:
        assert e["severity"] == "error" and e["message"] and e["message_en"]
    assert not os.path.exists(on_disk(httpd, path))
    assert httpd.url + path not in registry_urls(httpd)


def test_rejection_message_tells_the_editor_what_to_write(httpd):
    status, _, body = put(httpd, "/zwgk/msg.html", policy_page({"主题分类": "综合政务"}))
    assert status == 422
    e = [x for x in json.loads(body)["errors"] if x["rule"] == "topic-incomplete"][0]
    assert e["field"] == "topic"
    assert "综合政务" in e["message"] and "二级" in e["message"] and "政务公开" in e["message"]


def test_warnings_alone_do_not_block(httpd):
    status, headers, _ = put(httpd, "/zwgk/warn.html", policy_page({"发文字号": "某政办发[2024]12号"}))
    assert status == 201
    assert "doc-number-format" in headers.get("disclosure-findings", "")


def test_browser_gets_an_html_rejection(httpd):
    status, headers, body = put(httpd, "/zwgk/html.html", policy_page({"公开属性": None}),
                                "-H", "Accept: text/html,application/xhtml+xml")
    assert status == 422
    assert headers["content-type"].startswith("text/html")
    text = body.decode("utf-8")
    assert "attribute-missing" in text and "公开属性" in text


def test_chunked_put(httpd):
    body = policy_page()
    status, _, _ = put(httpd, "/zwgk/chunked.html", body, "-H", "Transfer-Encoding: chunked")
    assert status == 201
    assert open(on_disk(httpd, "/zwgk/chunked.html"), "rb").read() == body
    status, _, _ = put(httpd, "/zwgk/chunked-bad.html", policy_page({"公开属性": None}),
                       "-H", "Transfer-Encoding: chunked")
    assert status == 422
    assert not os.path.exists(on_disk(httpd, "/zwgk/chunked-bad.html"))


def test_body_spilled_to_a_temporary_file_is_replayed_intact(httpd):
    # DisclosureMemoryBody is 16K here: this page goes through the temp file
    big = policy_page(body_extra="".join("<p>第%d段：政务公开工作要求。</p>\n" % i for i in range(3000)))
    assert len(big) > 100000
    status, _, _ = put(httpd, "/zwgk/big.html", big, "-H", "Transfer-Encoding: chunked")
    assert status == 201
    assert open(on_disk(httpd, "/zwgk/big.html"), "rb").read() == big


def test_body_over_the_limit_gets_413(httpd):
    huge = policy_page(body_extra="<p>" + "政" * 200000 + "</p>")
    for extra in ([], ["-H", "Transfer-Encoding: chunked"]):
        status, _, body = put(httpd, "/zwgk/huge.html", huge, *extra)
        assert status == 413
        assert not os.path.exists(on_disk(httpd, "/zwgk/huge.html"))


def test_client_gone_mid_body_writes_nothing_and_server_keeps_serving(httpd):
    body = policy_page(body_extra="<p>" + "公开" * 5000 + "</p>")
    s = socket.create_connection(("127.0.0.1", httpd.port))
    s.sendall(("PUT /zwgk/gone.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/html\r\n"
               "Content-Length: %d\r\n\r\n" % len(body)).encode() + body[:len(body) // 3])
    time.sleep(0.3)
    s.close()
    time.sleep(0.5)
    assert not os.path.exists(on_disk(httpd, "/zwgk/gone.html"))
    status, _, _ = put(httpd, "/zwgk/after-gone.html", policy_page())
    assert status == 201
    assert "abandoned" in httpd.error_log()


def test_undecodable_page_gets_400(httpd):
    body = policy_page().replace(b"<h1>", b"<h1>\xff\xfe\xfd")
    status, _, resp = put(httpd, "/zwgk/bytes.html", body)
    assert status == 400
    assert "字节" in json.loads(resp)["detail"]
    assert not os.path.exists(on_disk(httpd, "/zwgk/bytes.html"))


def test_gbk_pages(httpd):
    good = policy_page(charset="gbk")
    status, _, _ = put(httpd, "/zwgk/gbk.html", good)
    assert status == 201
    assert open(on_disk(httpd, "/zwgk/gbk.html"), "rb").read() == good
    bad = policy_page({"公开属性": "不予公开"}, charset="gbk")
    status, _, body = put(httpd, "/zwgk/gbk-bad.html", bad)
    assert status == 422
    assert "attribute-not-public" in {e["rule"] for e in json.loads(body)["errors"]}


def test_report_only_lets_it_through_and_logs(httpd):
    status, headers, _ = put(httpd, "/report/r1.html", policy_page({"公开属性": None}))
    assert status == 201
    assert "attribute-missing" in headers["disclosure-findings"]
    assert os.path.exists(on_disk(httpd, "/report/r1.html"))
    log = httpd.error_log()
    assert "/report/r1.html" in log and "attribute-missing" in log


def test_module_off_location_is_untouched(httpd):
    status, _, _ = put(httpd, "/plain/p1.html", policy_page({"公开属性": None}))
    assert status == 201


def test_non_html_is_not_checked(httpd):
    status, _, _ = curl("-X", "PUT", "--data-binary", "@-", "-H", "Content-Type: image/png",
                        httpd.url + "/zwgk/logo.png", data=b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert status == 201


def test_post_to_proxied_cms_only_compliant_pages_arrive_byte_for_byte(httpd, backend):
    good = policy_page()
    bad = policy_page({"公开属性": "不予公开"})
    before = len(backend.received)
    s1, _, _ = curl("-X", "POST", "--data-binary", "@-", "-H", "Content-Type: text/html; charset=utf-8",
                    httpd.url + "/cms/publish/a.html", data=good)
    s2, _, _ = curl("-X", "POST", "--data-binary", "@-", "-H", "Content-Type: text/html; charset=utf-8",
                    httpd.url + "/cms/publish/b.html", data=bad)
    s3, _, _ = curl("-X", "POST", "--data-binary", "@-", "-H", "Content-Type: text/html",
                    "-H", "Transfer-Encoding: chunked", httpd.url + "/cms/publish/c.html", data=good)
    assert (s1, s2, s3) == (201, 422, 201)
    got = backend.received[before:]
    assert [p for _, p, _ in got] == ["/publish/a.html", "/publish/c.html"]
    assert all(b == good for _, _, b in got)


def test_interpretation_of_a_document_the_site_does_not_hold_is_rejected(httpd):
    status, _, body = put(httpd, "/zwgk/jd1.html", interpretation_page("/zwgk/missing-doc.html"))
    assert status == 422
    errors = json.loads(body)["errors"]
    assert [e["field"] for e in errors if e["rule"] == "interpretation-unresolved"] == ["interprets"]
    # publish the document, then the interpretation goes through
    assert put(httpd, "/zwgk/missing-doc.html", policy_page())[0] == 201
    assert put(httpd, "/zwgk/jd1.html", interpretation_page("/zwgk/missing-doc.html"))[0] == 201


def test_repealing_document_marks_the_repealed_one_in_the_registry(httpd):
    old = policy_page({"发文字号": "某政办发〔2020〕3号", "标题": "某县旧办法"})
    assert put(httpd, "/zwgk/old.html", old)[0] == 201
    new = policy_page({"发文字号": "某政办发〔2024〕30号"},
                      body_extra="<p>本办法自发布之日起施行，《某县旧办法》（某政办发〔2020〕3号）同时废止。</p>")
    assert put(httpd, "/zwgk/new.html", new)[0] == 201
    db = sqlite3.connect(httpd.registry)
    row = db.execute("SELECT status, status_by FROM documents WHERE path = '/zwgk/old.html'").fetchone()
    db.close()
    assert row[0] == "废止" and row[1].endswith("/zwgk/new.html")


def test_bad_policy_fails_configtest_with_file_line_and_reason(tmp_path):
    bad = tmp_path / "policy.xml"
    bad.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<policy version="1">\n<rules>\n'
                   '  <rule id="attribute-missing" severity="fatal"/>\n</rules>\n</policy>\n', encoding="utf-8")
    os.chmod(tmp_path, 0o755)
    h = Httpd("DisclosurePolicy %s\n" % bad)
    try:
        r = h.configtest()
        assert r.returncode != 0
        assert "%s:4:" % bad in r.stderr and "fatal" in r.stderr
    finally:
        h.cleanup()
    unknown = tmp_path / "p2.xml"
    unknown.write_text('<policy version="1"><rules><rule id="no-such-rule" severity="off"/></rules></policy>',
                       encoding="utf-8")
    h = Httpd("DisclosurePolicy %s\n" % unknown)
    try:
        r = h.configtest()
        assert r.returncode != 0 and "no-such-rule" in r.stderr
    finally:
        h.cleanup()


def test_concurrent_publishes_are_all_recorded(httpd):
    """Threads of one child share a registry handle: every 201 must be in it."""
    import concurrent.futures

    def one(i):
        return put(httpd, "/zwgk/conc-%d.html" % i, policy_page({"索引号": "000014349/2024-%05d" % i}))[0]

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(one, range(60)))
    assert statuses == [201] * 60
    held = registry_urls(httpd)
    missing = [i for i in range(60) if httpd.url + "/zwgk/conc-%d.html" % i not in held]
    assert not missing
    assert "not recorded in the registry" not in httpd.error_log()


def test_delete_and_move_keep_the_registry_in_step(httpd):
    assert put(httpd, "/zwgk/del.html", policy_page())[0] == 201
    assert put(httpd, "/zwgk/mv.html", policy_page())[0] == 201
    assert curl("-X", "DELETE", httpd.url + "/zwgk/del.html")[0] == 204
    assert curl("-X", "MOVE", "-H", "Destination: %s/zwgk/moved.html" % httpd.url,
                httpd.url + "/zwgk/mv.html")[0] == 201
    time.sleep(0.3)  # the log phase runs after the response
    held = registry_urls(httpd)
    assert httpd.url + "/zwgk/del.html" not in held
    assert httpd.url + "/zwgk/mv.html" not in held
    assert httpd.url + "/zwgk/moved.html" in held
