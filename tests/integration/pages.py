"""Pages for the integration tests: a compliant 政策文件 in the gov.cn
layout, with any field changed or removed."""

DEFAULTS = {
    "索引号": "000014349/2024-00110",
    "主题分类": "综合政务\\政务公开",
    "发文机关": "某县人民政府办公室",
    "成文日期": "2024年05月08日",
    "标题": "某县人民政府办公室关于进一步做好政务公开工作的通知",
    "发文字号": "某政办发〔2024〕12号",
    "发布日期": "2024年05月15日",
    "公开属性": "主动公开",
    "有效性": "有效",
}


def policy_page(fields=None, body_extra="", title=None, links="", charset="utf-8", meta=True):
    f = dict(DEFAULTS)
    for k, v in (fields or {}).items():
        if v is None:
            f.pop(k, None)
        else:
            f[k] = v
    t = title or f.get("标题", "无标题")
    rows = "\n".join("<tr><td class=\"l\">%s：</td><td>%s</td></tr>" % (k, v) for k, v in f.items())
    metas = ""
    if meta:
        metas = """
<meta name="SiteName" content="某县人民政府">
<meta name="SiteDomain" content="www.example.gov.cn">
<meta name="SiteIDCode" content="1234000001">
<meta name="ColumnName" content="政策文件">
<meta name="ColumnDescription" content="政策文件">
<meta name="ColumnKeywords" content="政策文件">
<meta name="ColumnType" content="政策文件">
<meta name="ArticleTitle" content="%s">
<meta name="PubDate" content="2024-05-15 10:00">
<meta name="ContentSource" content="%s">""" % (t, f.get("发文机关", ""))
    return ("""<!DOCTYPE html>
<html><head><meta charset="%(cs)s"><title>%(t)s</title>%(metas)s
</head><body>
<div class="nav"><a href="/">首页</a> <a href="/zcjd/index.html">政策解读</a></div>
<div class="pctoubukuang1"><table>%(rows)s</table></div>
<h1>%(t)s</h1>
<div class="content"><p>各乡镇人民政府，县政府各部门：</p>
<p>为深入贯彻《中华人民共和国政府信息公开条例》，现就有关事项通知如下。</p>
%(body)s
<p>某县人民政府办公室</p><p>2024年5月8日</p>
</div>%(links)s
</body></html>
""" % {"cs": charset, "t": t, "metas": metas, "rows": rows, "body": body_extra, "links": links}).encode(
        "gb18030" if charset.lower() in ("gbk", "gb2312", "gb18030") else "utf-8")


def interpretation_page(original_href, title="《某县关于进一步做好政务公开工作的通知》解读"):
    link = '<p>政策原文：<a href="%s">某县人民政府办公室关于进一步做好政务公开工作的通知</a></p>' % original_href if original_href else ""
    return ("""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%(t)s</title>
<meta name="SiteName" content="某县人民政府"><meta name="SiteDomain" content="www.example.gov.cn">
<meta name="SiteIDCode" content="1234000001"><meta name="ColumnName" content="政策解读">
<meta name="ColumnDescription" content="政策解读"><meta name="ColumnKeywords" content="政策解读">
<meta name="ColumnType" content="政策解读"><meta name="ArticleTitle" content="%(t)s">
<meta name="PubDate" content="2024-05-15 11:00"><meta name="ContentSource" content="某县人民政府办公室">
</head><body><h1>%(t)s</h1>
<div class="content"><p>一、出台背景……</p><p>二、主要内容……</p></div>
%(link)s
</body></html>
""" % {"t": title, "link": link}).encode("utf-8")
