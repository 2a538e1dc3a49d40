# SPDX-License-Identifier: MIT
"""The command line every golden-vector generator shares: write the header
from the independent reference, or, with --check, fail when the stored
header no longer matches what the reference computes."""
import argparse
import sys


def run(output, render, description):
    """Writes render() to `output`, or compares with it under --check.
    Returns the process exit status."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true",
                        help="compare with the stored file instead of writing")
    args = parser.parse_args()
    text = render()
    if args.check:
        if output.read_text() != text:
            print("%s differs from the reference; regenerate it and review "
                  "the change" % output.name, file=sys.stderr)
            print("0 passed, 1 failed")
            return 1
        print("1 passed, 0 failed")
        return 0
    output.write_text(text)
    return 0
