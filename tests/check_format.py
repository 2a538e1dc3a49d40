#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails when a C source or header in the tree differs from what
clang-format makes of it with the project's .clang-format."""
import argparse
import os
import pathlib
import subprocess
import sys

# The virtual environment and generated files are not ours to format, nor
# is any build tree, whatever its name (it holds a meson-private folder).
SKIP_DIRS = {".git", ".venv", "subprojects", "__pycache__", "crashes"}
SKIP_FILES = {"tests/vectors/bucket_vectors.h", "tests/vectors/ssvc_vectors.h"}


def sources(root):
    for folder, dirs, files in os.walk(root):
        if "meson-private" in dirs:
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            path = pathlib.Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if path.suffix in (".c", ".h") and relative not in SKIP_FILES:
                yield path


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", required=True, type=pathlib.Path)
    parser.add_argument("--clang-format", default="clang-format")
    args = parser.parse_args()
    passed = failed = 0
    for path in sources(args.root):
        result = subprocess.run(
            [args.clang_format, "--dry-run", "--Werror",
             "--style=file:%s" % (args.root / ".clang-format"), str(path)],
            capture_output=True, text=True, check=False)
        if result.returncode == 0:
            passed += 1
        else:
            failed += 1
            print("FAIL %s is not clang-formatted:\n%s" %
                  (path.relative_to(args.root), result.stderr[:2000]))
    if failed:
        print("fix with: clang-format -i FILES")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
