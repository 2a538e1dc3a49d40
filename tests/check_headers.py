#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Each public header compiles on its own as C11 and as C++ with -Wall
-Wextra -pedantic -Werror, and the headers preprocess into declarations
that cffi parses, with no varargs and no bitfields."""
import argparse
import pathlib
import subprocess
import sys

import cffi

import public_api

STRICT = ["-Wall", "-Wextra", "-pedantic", "-Werror", "-fsyntax-only"]


def compiles(compiler, language, std, include, header):
    source = '#include "%s"\nint otaprio_header_test_anchor;\n' % header
    result = subprocess.run(
        [compiler, "-x", language, "-std=" + std] + STRICT +
        ["-I", str(include), "-"],
        input=source, capture_output=True, text=True, check=False)
    return result.returncode == 0, result.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--include", required=True, type=pathlib.Path)
    parser.add_argument("--cc", required=True)
    parser.add_argument("--cxx")
    args = parser.parse_args()

    headers = ["otaprio.h"] + sorted(
        "otaprio/" + p.name for p in (args.include / "otaprio").glob("*.h"))
    passed = failed = 0

    def record(ok, what, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s\n%s" % (what, detail))

    for header in headers:
        ok, err = compiles(args.cc, "c", "c11", args.include, header)
        record(ok, "%s as C11" % header, err)
        if args.cxx:
            ok, err = compiles(args.cxx, "c++", "c++11", args.include, header)
            record(ok, "%s as C++11" % header, err)

    declarations = public_api.preprocess(args.cc, args.include)
    try:
        cffi.FFI().cdef(declarations)
        record(True, "cffi")
    except cffi.CDefError as error:
        record(False, "cffi cannot parse the preprocessed headers", error)
    problems = public_api.portability_problems(public_api.parse(declarations))
    record(not problems, "declarations bindings cannot use",
           "\n".join(problems))

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
