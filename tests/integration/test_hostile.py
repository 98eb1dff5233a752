"""Hostile input through `disclosure check`: each gives a bounded, clear
result within a time limit (the library is the same in the module)."""
import os
import subprocess
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DISCLOSURE = os.environ.get("DISCLOSURE", os.path.join(TOP, "disclosure"))

HEAD = ('<html><head><meta charset="utf-8"><title>某县关于测试的通知</title></head><body>'
        '<table><tr><td>索引号：</td><td>000014349/2024-00001</td></tr>'
        '<tr><td>公开属性：</td><td>主动公开</td></tr><tr><td>发文字号：</td><td>某政〔2024〕1号</td></tr></table>')
ID = "11010519491231002X"   # valid check digit


def check(tmp_path, name, data, *args, limit=20):
    p = tmp_path / name
    p.write_bytes(data)
    t0 = time.time()
    r = subprocess.run([DISCLOSURE, "check", "--format", "json", "--date", "2025-06-30", *args, str(p)],
                       capture_output=True, timeout=limit)
    return r, time.time() - t0


def test_100_mb_page_is_refused_quickly(tmp_path):
    data = HEAD.encode() + b"<p>" + "政务公开".encode() * (100 * 1024 * 1024 // 12) + b"</p>"
    r, took = check(tmp_path, "big.html", data)
    assert r.returncode == 2 and b"limit" in r.stderr
    assert took < 10


def test_100000_nested_elements_keep_what_follows(tmp_path):
    data = (HEAD + "<div>" * 100000 + "<p>联系人身份证号：%s</p>" % ID + "</div>" * 100000).encode()
    r, took = check(tmp_path, "deep.html", data)
    assert took < 20
    assert b"privacy-id-number" in r.stdout


def test_entity_bombs_stay_small(tmp_path):
    bomb = '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' \
           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    data = (bomb + HEAD + "<p>&d;&d;&d;&d;&d;&d;&d;&d;</p></body></html>").encode()
    r, took = check(tmp_path, "bomb.html", data)
    assert r.returncode in (0, 1) and took < 10


def test_invalid_utf8_after_a_gbk_declaration_is_a_clear_error(tmp_path):
    data = ('<html><head><meta charset="gbk"><title>t</title></head><body><p>'.encode("ascii")
            + "政务".encode("gbk") + b"\x81\x20\xff\xfe" + b"</p></body></html>")
    r, took = check(tmp_path, "badgbk.html", data)
    assert r.returncode == 2 and b"offset" in r.stderr and took < 5


def test_nul_bytes_do_not_hide_the_rest(tmp_path):
    data = HEAD.encode() + b"\x00\x00<p>\x00" + ("（此件不予公开）").encode() + b"</p></body></html>"
    r, took = check(tmp_path, "nul.html", data)
    assert b"attribute-conflict" in r.stdout or b"attribute-not-public" in r.stdout


def test_binary_body_is_a_clear_error(tmp_path):
    data = bytes(range(256)) * 4000
    r, took = check(tmp_path, "bin.html", data)
    assert r.returncode == 2 and b"offset" in r.stderr and took < 10


def test_policy_with_an_xxe_is_refused(tmp_path):
    pol = tmp_path / "p.xml"
    pol.write_text('<?xml version="1.0"?>\n<!DOCTYPE policy [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                   '<policy version="1"><charset default="&x;"/></policy>\n', encoding="utf-8")
    page = tmp_path / "a.html"
    page.write_bytes(HEAD.encode())
    r = subprocess.run([DISCLOSURE, "check", "--policy", str(pol), str(page)], capture_output=True, timeout=10)
    # refused at parse time (no external entity is loaded) or for its DOCTYPE
    assert r.returncode == 2 and (b"entity" in r.stderr or b"DOCTYPE" in r.stderr)
    assert b"root:" not in r.stderr + r.stdout
