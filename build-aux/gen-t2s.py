#!/usr/bin/env python3
"""Generate libdisclosure/src/t2s_table.inc, the traditional -> simplified table.

The table covers the Chinese characters that matter for label and vocabulary
matching: every CJK ideograph in the given input files (RULES.md, the default
taxonomy) plus EXTRA below. For each such simplified character S it asks OpenCC
for traditional forms with the s2t, s2tw and s2hk conversions, both for S on its
own and for S inside the lines of the input files (OpenCC picks some forms by
phrase, e.g. 发布 -> 發佈). A candidate pair (T, S) is kept when T differs from S,
both are CJK ideographs (no punctuation, no fullwidth forms), and OpenCC's own
reverse conversion (t2s, tw2s or hk2s) turns T alone back into S. That last test
drops characters that are also simplified in their own right.

OpenCC is used at generation time only; the generated file has no dependency.
A traditional character that is a standard simplified character too (t2s leaves
it unchanged and it is in GB 2312, e.g. 著, which tw2s alone would turn into 着) is
never mapped.

Usage (from the top of the tree; Debian: apt-get install opencc):
  python3 build-aux/gen-t2s.py -o libdisclosure/src/t2s_table.inc \\
      /work/shared/RULES.md schemas/taxonomies/gov-cn.xml

Python 3 standard library plus the opencc command.
"""

import argparse
import subprocess
import sys
import unicodedata

# Characters of field labels and vocabulary values that must be covered even when
# the input files do not contain them.
EXTRA = ("索引号标题名称文件发布机构关文单位公开主体号编成日期印实施生效有至废止失属性"
         "方式类型理由不予依申请删减后部分主动分类组配种读图懂原相修改订行规章范性暂试"
         "现时态状否需是解")

FORWARD = ["s2t", "s2tw", "s2hk"]
REVERSE = ["t2s", "tw2s", "hk2s"]


def is_ideograph(ch):
    """True for a CJK unified or compatibility ideograph (any plane)."""
    name = unicodedata.name(ch, "")
    return name.startswith("CJK UNIFIED IDEOGRAPH") or \
        name.startswith("CJK COMPATIBILITY IDEOGRAPH")


def is_simplified_too(t, t2s_of_t):
    """True when T is itself a standard simplified character: t2s leaves it alone
    and it is in GB 2312 (著 is; the variant 衞 is not)."""
    if t2s_of_t != t:
        return False
    try:
        t.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def opencc(config, lines):
    """Convert lines (no newlines inside) with `opencc -c CONFIG.json`."""
    text = "\n".join(lines) + "\n"
    out = subprocess.run(["opencc", "-c", config + ".json"], input=text.encode("utf-8"),
                         stdout=subprocess.PIPE, check=True).stdout.decode("utf-8")
    result = out.split("\n")
    if result and result[-1] == "":
        result.pop()
    if len(result) != len(lines):
        sys.exit("gen-t2s: opencc -c %s.json returned %d lines for %d"
                 % (config, len(result), len(lines)))
    return result


def opencc_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "opencc"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        return out.decode().strip() or "unknown"
    except OSError:
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True, help="the .inc file to write")
    ap.add_argument("inputs", nargs="+", help="UTF-8 files whose Chinese characters to cover")
    args = ap.parse_args()

    texts = []
    for path in args.inputs:
        with open(path, encoding="utf-8") as f:
            texts.append(f.read())
    simplified = set(ch for ch in "".join(texts) + EXTRA if is_ideograph(ch))

    # Lines to convert: each character alone, then every input line that holds one.
    singles = sorted(simplified)
    context = []
    for text in texts:
        for line in text.split("\n"):
            line = line.replace("\r", "")
            if any(ch in simplified for ch in line):
                context.append(line)
    lines = singles + context

    candidates = set()
    for config in FORWARD:
        for src, dst in zip(lines, opencc(config, lines)):
            if len(src) != len(dst):
                continue  # not aligned character by character; the singles cover it
            for s, t in zip(src, dst):
                if s in simplified and t != s and is_ideograph(t):
                    candidates.add((t, s))

    # Every traditional ideograph of the BMP CJK blocks, too, so that free-text
    # values (titles, issuers) normalise to simplified Chinese as RULES.md asks.
    everything = [chr(c) for c in range(0x3400, 0xA000)]
    for t, s in zip(everything, opencc("t2s", everything)):
        if len(s) == 1 and s != t and is_ideograph(s):
            candidates.add((t, s))

    # Keep a pair only when OpenCC converts the traditional character back to S.
    trads = sorted(set(t for t, _ in candidates))
    back = {cfg: dict(zip(trads, opencc(cfg, trads))) for cfg in REVERSE}
    table = {}
    dropped = []
    for t, s in sorted(candidates):
        # 於 is in GB 2312 for surnames, but in running text it is 于 (關於 → 关于)
        if (t == "於" or not is_simplified_too(t, back["t2s"][t])) and \
                any(back[cfg][t] == s for cfg in REVERSE):
            if t in table and table[t] != s:
                sys.exit("gen-t2s: %s maps to both %s and %s" % (t, table[t], s))
            table[t] = s
        else:
            dropped.append((t, s))

    rows = sorted(table.items(), key=lambda p: ord(p[0]))
    with open(args.output, "w", encoding="utf-8") as out:
        out.write("/*\n")
        out.write(" * t2s_table.inc: traditional -> simplified Chinese characters for label and\n")
        out.write(" * vocabulary matching. Rows are {traditional, simplified} code points, sorted by\n")
        out.write(" * the traditional code point, unique, without identical pairs or punctuation.\n")
        out.write(" *\n")
        out.write(" * GENERATED FILE, do not edit. Made by build-aux/gen-t2s.py with OpenCC %s:\n"
                  % opencc_version())
        out.write(" * the simplified characters of the input files and of the script's EXTRA list\n")
        out.write(" * (%d characters) were converted with `opencc -c s2t.json`, `s2tw.json` and\n"
                  % len(simplified))
        out.write(" * `s2hk.json`, alone and in the context of the input lines; a pair is kept when\n")
        out.write(" * t2s, tw2s or hk2s turns the traditional character back into the simplified one.\n")
        out.write(" * Generated with (from the top of the tree):\n")
        out.write(" *   python3 build-aux/gen-t2s.py -o libdisclosure/src/t2s_table.inc \\\n")
        out.write(" *       %s\n" % " ".join(args.inputs))
        out.write(" * %d rows.\n" % len(rows))
        out.write(" */\n")
        for t, s in rows:
            out.write("{0x%04X, 0x%04X},\n" % (ord(t), ord(s)))

    print("gen-t2s: %d simplified characters, %d pairs written to %s"
          % (len(simplified), len(rows), args.output), file=sys.stderr)
    if dropped:
        print("gen-t2s: dropped (reverse conversion disagrees): %s"
              % " ".join("%s->%s" % p for p in dropped), file=sys.stderr)


if __name__ == "__main__":
    main()
