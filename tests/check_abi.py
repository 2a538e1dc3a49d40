#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compares the shared library's ABI with the recorded baseline
(abi/libotaprio.abi) using libabigail, and records a new baseline with
--update (scripts/update-abi-baseline).

Both sides are produced by the same abidw command, restricted to the types
reachable from the public headers, so only the public ABI is compared. Any
difference fails: an incompatible one is a break that needs a new SONAME;
any other (a new symbol, a changed struct) must be recorded on purpose."""
import argparse
import pathlib
import subprocess
import sys
import tempfile

# abidiff's exit status is a bit field.
ABIDIFF_ERROR = 1
ABIDIFF_USAGE_ERROR = 2
ABIDIFF_ABI_CHANGE = 4
ABIDIFF_ABI_INCOMPATIBLE_CHANGE = 8


def write_abi(library, headers, out):
    # Locations and build paths are left out: the baseline must change only
    # when the ABI does, wherever the tree was built.
    subprocess.run(
        ["abidw", "--headers-dir", headers, "--drop-private-types",
         "--no-corpus-path", "--no-comp-dir-path", "--no-show-locs",
         "--out-file", out, library],
        check=True)


def compare(baseline, library, headers):
    with tempfile.TemporaryDirectory() as scratch:
        current = str(pathlib.Path(scratch) / "current.abi")
        write_abi(library, headers, current)
        result = subprocess.run(["abidiff", baseline, current],
                                capture_output=True, text=True, check=False)
    status = result.returncode
    report = result.stdout + result.stderr
    if status & (ABIDIFF_ERROR | ABIDIFF_USAGE_ERROR):
        return "abidiff could not compare (status %d):\n%s" % (status, report)
    if status & ABIDIFF_ABI_INCOMPATIBLE_CHANGE:
        return ("INCOMPATIBLE ABI CHANGE against %s:\n%s\nAn ABI break needs "
                "a new SONAME and a new version node; see docs/abi.md." %
                (baseline, report))
    if status & ABIDIFF_ABI_CHANGE:
        return ("ABI CHANGE against %s:\n%s\nA changed layout or signature "
                "of anything published is a break. If the change only adds "
                "(a new function, a field at the end of a size-prefixed "
                "struct, an enum value), record it on purpose with "
                "scripts/update-abi-baseline and commit abi/ with it." %
                (baseline, report))
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--library", required=True)
    parser.add_argument("--baseline", required=True)
    parser.add_argument("--include", required=True,
                        help="directory of the public headers")
    parser.add_argument("--update", action="store_true",
                        help="record the library's ABI as the new baseline")
    args = parser.parse_args()

    if args.update:
        write_abi(args.library, args.include, args.baseline)
        return 0
    problem = compare(args.baseline, args.library, args.include)
    if problem:
        print(problem)
        print("0 passed, 1 failed")
        return 1
    print("ABI identical to %s" % args.baseline)
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
