#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails when the shared library's exports, the version script and the
functions the public headers declare disagree, or when anything exported
lacks the otaprio_ prefix (a leaked XXH symbol, say)."""
import argparse
import re
import subprocess
import sys

import public_api


def exported(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library],
                         capture_output=True, text=True, check=True).stdout
    symbols = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        kind, name = fields[1], fields[2]
        if kind == "A":  # the version node itself, e.g. OTAPRIO_1
            continue
        base, _, version = name.partition("@")
        symbols[base] = version.lstrip("@")
    return symbols


def version_script(path):
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    names = set()
    for node in re.finditer(r"(\w+)\s*\{(.*?)\}", text, flags=re.S):
        global_part = node.group(2).split("local:")[0]
        global_part = global_part.replace("global:", "")
        names.update(n.strip() for n in global_part.split(";") if n.strip())
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--library", required=True)
    parser.add_argument("--map", required=True)
    parser.add_argument("--include", required=True)
    parser.add_argument("--cc", nargs="+", required=True)
    args = parser.parse_args()

    exports = exported(args.library)
    mapped = version_script(args.map)
    declared = public_api.function_names(
        public_api.parse(public_api.preprocess(args.cc[0], args.include)))

    checks = [
        ("exports without the otaprio_ prefix",
         {s for s in exports if not s.startswith("otaprio_")}),
        ("exports without a symbol version",
         {s for s, v in exports.items() if not v}),
        ("exported but not in the version script", set(exports) - mapped),
        ("in the version script but not exported", mapped - set(exports)),
        ("declared in the headers but not exported", declared - set(exports)),
        ("exported but not declared in the headers", set(exports) - declared),
    ]
    failed = 0
    for what, names in checks:
        if names:
            failed += 1
            print("FAIL %s: %s" % (what, ", ".join(sorted(names))))
    print("%d symbols exported, %d in the map, %d declared" %
          (len(exports), len(mapped), len(declared)))
    print("%d passed, %d failed" % (len(checks) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
