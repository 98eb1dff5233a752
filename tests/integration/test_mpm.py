"""Publish, block and banner under each MPM (event is the default of the
other tests; worker and prefork here)."""
import os

import pytest

from pages import policy_page
from pyhttpd import Httpd, curl

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


@pytest.mark.parametrize("mpm", ["worker", "prefork", "event"])
def test_publish_block_and_banner(mpm):
    h = Httpd(mpm=mpm)
    os.makedirs(os.path.join(h.docroot, "zwgk"), exist_ok=True)
    h.write_conf(CONF % {"registry": h.registry})
    try:
        h.start()
        assert put(h, "/zwgk/a.html", policy_page({"公开属性": None}))[0] == 422
        assert put(h, "/zwgk/old.html", policy_page({"发文字号": "某政发〔2019〕8号"}))[0] == 201
        with open(os.path.join(h.docroot, "zwgk", "w.html"), "wb") as f:
            f.write(policy_page({"公开属性": "依申请公开", "不公开理由": "个人隐私", "标题": "内部方案XYZ"}))
        for _ in range(4):  # several children/threads, cache warm and cold
            s, _, b = curl(h.url + "/zwgk/w.html")
            assert s == 404 and "内部方案XYZ".encode() not in b
        new = policy_page({"发文字号": "某政发〔2025〕1号"}, body_extra="<p>某政发〔2019〕8号同时废止。</p>")
        assert put(h, "/zwgk/new.html", new)[0] == 201
        for _ in range(4):
            s, hd, b = curl(h.url + "/zwgk/old.html")
            assert s == 200 and "【已废止】".encode() in b, hd
        assert not h.bad_log_lines(), h.bad_log_lines()
    finally:
        h.cleanup()
