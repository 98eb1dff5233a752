#!/usr/bin/env python3
"""Check a mod_disclosure working-day calendar (default: cn.xml next to this script).

Usage: check-calendar.py [CALENDAR.xml]

Asserts that:
  - every year value is unique, the years are consecutive and cover the calendar's
    from..to span exactly (10 years, 2017 to 2026, for cn.xml);
  - every holiday range has from <= to and lies within its year, and within the span;
  - every workday date is a Saturday or Sunday, within its year, and listed once;
  - no date is both in a holiday range and a workday;
  - every notice looks like 国办发明电〔YYYY〕N号;
  - a few known dates (2024, 2025, 2026) are right, when those years are present.
Then prints, per year, the number of days off, of working weekend days and of
working days (typical years have 248 to 251; others are flagged, not failed).

Python 3 standard library only. Exit status 0 when clean, 1 on a failed check.
"""

import datetime
import os
import re
import sys
import xml.etree.ElementTree as ET

NOTICE_RE = re.compile(r"^国办发明电〔\d{4}〕\d+号$")
TYPICAL = range(248, 252)

# Dates that must come out right; (date, expected: "holiday" or "workday").
KNOWN = [("2024-10-%02d" % d, "holiday") for d in range(1, 8)] + [
    ("2024-10-12", "workday"), ("2024-09-29", "workday"),
    ("2025-01-28", "holiday"), ("2025-02-04", "holiday"),
    ("2025-01-26", "workday"), ("2025-02-08", "workday"),
    ("2025-04-27", "workday"), ("2025-10-08", "holiday"),
    ("2025-09-28", "workday"), ("2025-10-11", "workday"),
    ("2026-01-04", "workday"), ("2026-02-23", "holiday"),
    ("2026-02-14", "workday"), ("2026-02-28", "workday"),
    ("2026-05-09", "workday"), ("2026-09-20", "workday"),
    ("2026-10-10", "workday"), ("2026-09-27", "holiday"),
]

errors = []


def fail(msg):
    errors.append(msg)


def parse_date(text, where):
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or ""):
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        fail("%s: not a YYYY-MM-DD date: %r" % (where, text))
        return None


def check_notice(notice, where):
    if notice is not None and not NOTICE_RE.match(notice):
        fail("%s: notice %r is not of the form 国办发明电〔YYYY〕N号" % (where, notice))


def main(argv):
    path = argv[1] if len(argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "cn.xml")
    root = ET.parse(path).getroot()
    if root.tag != "calendar":
        fail("root element is <%s>, not <calendar>" % root.tag)
    span_from = parse_date(root.get("from"), "calendar/@from")
    span_to = parse_date(root.get("to"), "calendar/@to")
    if errors:
        return report()

    holidays = {}   # date -> holiday name
    workdays = {}   # date -> workday name
    years = []
    for y in root.findall("year"):
        try:
            value = int(y.get("value"))
        except (TypeError, ValueError):
            fail("year with a bad value %r" % y.get("value"))
            continue
        where = "year %d" % value
        if value in years:
            fail("%s: listed twice" % where)
        years.append(value)
        check_notice(y.get("notice"), where)
        if y.get("notice") is None:
            fail("%s: no notice" % where)
        for el in y:
            if el.tag == "holiday":
                name = el.get("name") or ""
                w = "%s: holiday %s %s..%s" % (where, name, el.get("from"), el.get("to"))
                if not name.strip():
                    fail(w + ": no name")
                check_notice(el.get("notice"), w)
                a = parse_date(el.get("from"), w)
                b = parse_date(el.get("to"), w)
                if a is None or b is None:
                    continue
                if a > b:
                    fail(w + ": from is after to")
                    continue
                if a.year != value or b.year != value:
                    fail(w + ": not within its year")
                if a < span_from or b > span_to:
                    fail(w + ": outside the calendar's from..to")
                d = a
                while d <= b:
                    if d in holidays:
                        fail(w + ": %s is already in holiday %s" % (d, holidays[d]))
                    holidays[d] = name
                    d += datetime.timedelta(days=1)
            elif el.tag == "workday":
                name = el.get("name") or ""
                w = "%s: workday %s %s" % (where, name, el.get("date"))
                if not name.strip():
                    fail(w + ": no name")
                check_notice(el.get("notice"), w)
                d = parse_date(el.get("date"), w)
                if d is None:
                    continue
                if d.weekday() < 5:
                    fail(w + ": a %s, not a Saturday or Sunday" % d.strftime("%A"))
                if d.year != value:
                    fail(w + ": not within its year")
                if d < span_from or d > span_to:
                    fail(w + ": outside the calendar's from..to")
                if d in workdays:
                    fail(w + ": listed twice")
                workdays[d] = name
            else:
                fail("%s: unexpected element <%s>" % (where, el.tag))

    expected = list(range(span_from.year, span_to.year + 1))
    if sorted(years) != expected:
        fail("years %s do not cover %d..%d one by one" % (sorted(years), expected[0], expected[-1]))
    if len(years) != len(expected):
        fail("year count is %d, expected %d" % (len(years), len(expected)))
    if span_from != datetime.date(span_from.year, 1, 1) or span_to != datetime.date(span_to.year, 12, 31):
        fail("calendar from..to should run from 1 January to 31 December")

    for d in sorted(set(holidays) & set(workdays)):
        fail("%s is both a holiday (%s) and a workday (%s)" % (d, holidays[d], workdays[d]))

    for text, kind in KNOWN:
        d = datetime.date.fromisoformat(text)
        if d.year not in years:
            continue
        if kind == "holiday" and d not in holidays:
            fail("known check: %s should be a holiday" % text)
        if kind == "workday" and d not in workdays:
            fail("known check: %s should be a working weekend day" % text)

    print("%s: %d years (%d..%d)" % (path, len(years), min(years), max(years)))
    print("year  weekdays  days-off(Mon-Fri)  working-weekend  working-days")
    for year in sorted(years):
        d = datetime.date(year, 1, 1)
        weekdays = off = extra = 0
        while d.year == year:
            if d.weekday() < 5:
                weekdays += 1
                if d in holidays:
                    off += 1
            elif d in workdays:
                extra += 1
            d += datetime.timedelta(days=1)
        working = weekdays - off + extra
        flag = "" if working in TYPICAL else "   (outside the typical 248..251)"
        print("%d  %8d  %17d  %15d  %12d%s" % (year, weekdays, off, extra, working, flag))
    return report()


def report():
    if errors:
        for e in errors:
            print("FAIL: " + e, file=sys.stderr)
        print("%d failed check(s)" % len(errors), file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
