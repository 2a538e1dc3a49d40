#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of the otaprio command-line tool.

Usage: test_cli.py OTAPRIO [VERSION_SHIM]

OTAPRIO is the built executable. VERSION_SHIM, when given, is a shared
object that LD_PRELOAD puts in front of libotaprio to report another
version, so the header/library mismatch warning can be seen.

Standard library only: this runs wherever meson finds a Python. So the
expected keys and positions are not computed here; they were computed once
with the xxhash package (xxh3_64_intdigest(identifier) for a key,
xxh3_64_intdigest(key.to_bytes(8, "little"), seed=salt) for a position)
and are frozen below, as the library's outputs are.

Prints one line per check and ends with "N passed, M failed"; exits
non-zero when any check failed.
"""

import json
import os
import subprocess
import sys
import tempfile

from cli_harness import Checks, Skip, failed_with, invoke, succeeded

if len(sys.argv) not in (2, 3):
    sys.exit(__doc__)
OTAPRIO = sys.argv[1]
VERSION_SHIM = sys.argv[2] if len(sys.argv) == 3 else None

VERSION = "0.1.0"

# Frozen keys: XXH3-64 of the identifier's bytes, seed 0.
KEYS = {
    b"device-1": 0xF0A3BA592295C4A5,
    b"SN-000123": 0xE12A1D1D89AAA90B,
    b"": 0x2D06800538D394C2,
    b"00:1A:2B:3C:4D:5E": 0x4D7009394EBC0E5E,
    b"rollout-2024": 0x14D97CB43F185CB3,
    b"dev-0": 0x2B25F660C7E5086A,
    b"dev-4095": 0x58C909C5F4B8077D,
    b"dev-4096": 0x51651674FC804BED,
    b"dev-9999": 0x0CEFC59D27A56916,
    b"L" * 5000: 0xA0530A55F22366BF,
    b"a\nb": 0xC60F8BA575C1AD36,
    b"caf\xc3\xa9": 0x4C83DBD5F29D367F,
    b"\xff": 0xD6BCEC3C6B29D72E,
    b" spaced ": 0xE3C285B6BFAB9E2E,
    b'quoted, "id"': 0x23EAA3F63FEF5AA8,
    b"-x": 0x70A3729E8E1F0700,
}

# The salt of rollout "rollout-2024" is its key.
SALT = KEYS[b"rollout-2024"]
SALT_HEX_OTHER = 0x1234

# Frozen positions: XXH3-64 of the key's 8 little-endian bytes, seeded.
POSITIONS = {
    (SALT, b"device-1"): 0x80A64C12F229BC01,
    (SALT, b"SN-000123"): 0x0B945155E371B7D8,
    (SALT, b"00:1A:2B:3C:4D:5E"): 0xA7FFDD1F009FEE3E,
    (SALT, b"dev-0"): 0x383222D9D567F826,
    (SALT, b"dev-4095"): 0xBBFB63C017D8EB97,
    (SALT, b"dev-4096"): 0x457604EC5DA39879,
    (SALT, b"dev-9999"): 0x7EF215F4379E1294,
    (SALT, b"L" * 5000): 0x73DE21E129B7D055,
    (SALT, b"a\nb"): 0xAD9D477DA719F14A,
    (SALT, b"caf\xc3\xa9"): 0x55DCAF64CBE76DCD,
    (SALT, b"\xff"): 0xC9EC051322F01403,
    (SALT, b" spaced "): 0x1866B88CF34F645C,
    (SALT, b'quoted, "id"'): 0x02D1A3C59249095F,
    (SALT, b"-x"): 0x3AC8E249DB9B2864,
    (SALT_HEX_OTHER, b"device-1"): 0x2209D276CBD503F0,
    (SALT_HEX_OTHER, b"SN-000123"): 0x1698E3593281138E,
    (SALT_HEX_OTHER, b"00:1A:2B:3C:4D:5E"): 0xD546FF11D7D4260B,
}

THREE = [b"device-1", b"SN-000123", b"00:1A:2B:3C:4D:5E"]


def fraction(position):
    """The library's fraction: top 53 bits times 2^-53, exact."""
    return (position >> 11) * 2.0**-53


def hex16(value):
    return "%016x" % value


def run(*args, stdin=None, env=None, stdout=subprocess.PIPE):
    """Runs otaprio with args (str or bytes), returning a Result."""
    return invoke([OTAPRIO] + list(args), stdin=stdin, env=env, stdout=stdout)


def ok(*args, **kwargs):
    return succeeded(run(*args, **kwargs))


def fails(expected_rc, needles, *args, **kwargs):
    return failed_with(run(*args, **kwargs), expected_rc, needles)


def usage_error(needles, *args, **kwargs):
    r = fails(2, needles, *args, **kwargs)
    assert "--help" in r.err, r
    return r


def csv_file(directory, name, data):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def check_bucket_rows(rows, ids, salt, percent=None):
    assert len(rows) == len(ids), (len(rows), len(ids))
    for row, ident in zip(rows, ids):
        expected = {"id", "key", "position", "fraction"}
        if percent is not None:
            expected.add("inside")
        assert set(row) == expected, row
        assert row["id"] == ident.decode("utf-8"), (row, ident)
        assert row["key"] == hex16(KEYS[ident]), (row, ident)
        position = POSITIONS[(salt, ident)]
        assert row["position"] == hex16(position), (row, ident)
        # Bit-exact: the JSON real must parse back to the very same double.
        assert row["fraction"] == fraction(position), (row, ident)
        if percent is not None:
            assert row["inside"] is (fraction(position) < percent / 100), row


def parse_table(out):
    """Splits the bucket text table into its header and rows of fields."""
    lines = out.decode("utf-8", "replace").split("\n")
    assert lines[-1] == "", "output must end with a newline"
    lines = lines[:-1]
    return lines[0].split(), [line.split("  ") for line in lines[1:]]


test = Checks()


# ---- global options and dispatch ------------------------------------------


@test
def help_option():
    for flag in ("--help", "-h"):
        r = ok(flag)
        assert r.text.startswith("Usage: otaprio"), r
        for word in ("key", "bucket", "score", "graph", "help", "--version",
                     "Exit status"):
            assert word in r.text, (word, r)


@test
def no_arguments_is_usage_error():
    r = run()
    assert r.rc == 2, r
    assert r.out == b"", r
    assert "Usage: otaprio" in r.err, r


@test
def unknown_global_option():
    usage_error(["unrecognized option", "--bogus"], "--bogus")
    usage_error(["invalid option"], "-Z")


@test
def unknown_command():
    r = usage_error(["unknown command 'frob'"], "frob")
    assert r.out == b"", r


@test
def version():
    for flag in ("--version", "-V"):
        r = ok(flag)
        assert r.text.splitlines() == [
            "otaprio " + VERSION,
            "libotaprio headers " + VERSION,
            "libotaprio library " + VERSION,
        ], r


@test
def version_mismatch_warns():
    if VERSION_SHIM is None:
        raise Skip("no version shim given")
    env = dict(os.environ)
    env["LD_PRELOAD"] = os.path.abspath(VERSION_SHIM)
    # A dynamic ASan runtime insists on being loaded first; the shim is
    # preloaded ahead of it on purpose.
    asan = env.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = ":".join(
        filter(None, [asan, "verify_asan_link_order=0"]))
    r = run("--version", env=env)
    assert r.rc == 0, r
    assert "libotaprio headers " + VERSION in r.text, r
    assert "libotaprio library 9.9.9" in r.text, r
    assert "warning" in r.err and "9.9.9" in r.err and VERSION in r.err, r


@test
def help_command():
    r = ok("help")
    assert r.text.startswith("Usage: otaprio"), r
    r = ok("help", "help")
    assert r.text.startswith("Usage: otaprio"), r
    for name in ("key", "bucket", "score", "graph"):
        r = ok("help", name)
        assert r.text.startswith("Usage: otaprio " + name), r
        # Each command's own --help says the same.
        assert ok(name, "--help").out == r.out
        assert ok(name, "-h").out == r.out
    usage_error(["unknown command 'nope'"], "help", "nope")
    usage_error(["at most one command"], "help", "key", "bucket")
    usage_error(["unrecognized option"], "help", "--bogus")


# ---- key --------------------------------------------------------------------


@test
def key_text():
    ids = [b"device-1", b"SN-000123", b"", b"00:1A:2B:3C:4D:5E"]
    r = ok("key", *ids)
    expected = b"".join(b"%s  %s\n" % (hex16(KEYS[i]).encode(), i) for i in ids)
    assert r.out == expected, r


@test
def key_text_escapes_control_bytes():
    r = ok("key", b"a\nb", "back\\slash")
    lines = r.text.splitlines()
    assert lines[0] == hex16(KEYS[b"a\nb"]) + "  a\\x0ab", r
    assert lines[1].endswith("  back\\\\slash"), r


@test
def key_json():
    ids = [b"device-1", b"caf\xc3\xa9", b""]
    for flag in ("--json", "-j"):
        rows = ok("key", flag, *ids).json()
        assert rows == [
            {"id": i.decode("utf-8"), "key": hex16(KEYS[i])} for i in ids
        ], rows


@test
def key_options_anywhere_and_double_dash():
    # GNU getopt lets options follow operands; "--" ends the options so an
    # identifier may start with a dash.
    rows = ok("key", "device-1", "--json").json()
    assert rows == [{"id": "device-1", "key": hex16(KEYS[b"device-1"])}], rows
    r = ok("key", "--", "-x")
    assert r.text == hex16(KEYS[b"-x"]) + "  -x\n", r


@test
def key_usage_errors():
    usage_error(["no identifier"], "key")
    usage_error(["no identifier"], "key", "--json")
    usage_error(["unrecognized option", "--bogus"], "key", "--bogus", "x")
    usage_error(["invalid option"], "key", "-x")


@test
def key_json_rejects_non_utf8():
    r = fails(1, ["not valid UTF-8", "\\xff"], "key", "--json", "ok", b"\xff")
    assert r.out == b"", "no partial JSON: %r" % (r,)
    # The text table takes any bytes.
    r = ok("key", b"\xff")
    assert r.out == hex16(KEYS[b"\xff"]).encode() + b"  \xff\n", r


# ---- bucket: identifiers on the command line -------------------------------


@test
def bucket_salt_name_json():
    rows = ok("bucket", "--salt", "rollout-2024", "--json", *THREE).json()
    check_bucket_rows(rows, THREE, SALT)


@test
def bucket_salt_hex_json():
    for text in ("0x1234", "1234", "0X1234", "0000000000001234"):
        rows = ok("bucket", "--salt-hex", text, "-j", *THREE).json()
        check_bucket_rows(rows, THREE, SALT_HEX_OTHER)


@test
def bucket_salt_name_is_key_of_name():
    by_name = ok("bucket", "-s", "rollout-2024", "--json", *THREE).out
    by_hex = ok("bucket", "--salt-hex", hex16(SALT).upper(), "--json",
                *THREE).out
    assert by_name == by_hex


@test
def bucket_text_table():
    r = ok("bucket", "--salt", "rollout-2024", *THREE)
    header, rows = parse_table(r.out)
    assert header == ["key", "position", "fraction", "id"], header
    assert len(rows) == 3, rows
    for row, ident in zip(rows, THREE):
        position = POSITIONS[(SALT, ident)]
        assert row == [
            hex16(KEYS[ident]),
            hex16(position),
            "%.10f" % fraction(position),
            ident.decode(),
        ], row


@test
def bucket_percent():
    for percent in (0, 4.5, 50, 65.7, 100):
        rows = ok("bucket", "--salt", "rollout-2024", "--percent", str(percent),
                  "--json", *THREE).json()
        check_bucket_rows(rows, THREE, SALT, percent)
    for percent, expected in (("0", False), ("100", True)):
        rows = ok("bucket", "-s", "rollout-2024", "-p", percent, "-j",
                  *THREE).json()
        assert [r["inside"] for r in rows] == [expected] * 3, rows
    # The table gains an "inside" column.
    header, rows = parse_table(ok("bucket", "-s", "rollout-2024", "-p", "50",
                                  *THREE).out)
    assert header == ["key", "position", "fraction", "inside", "id"], header
    assert [row[3].strip() for row in rows] == ["no", "yes", "no"], rows


@test
def bucket_bad_percent():
    for text in ("-1", "100.5", "nan", "inf", "abc", "", "5%", "1e3", "50 x"):
        usage_error(["bad --percent '%s'" % text, "0 to 100"],
                    "bucket", "--salt", "r", "--percent", text, "x")


@test
def bucket_bad_salt_hex():
    for text in ("", "0x", "zz", "12345678901234567", "-1", " 1", "1 ", "0x-1",
                 "0xx1"):
        usage_error(["bad --salt-hex '%s'" % text, "hex digits"],
                    "bucket", "--salt-hex", text, "x")


@test
def bucket_salt_usage_errors():
    usage_error(["missing the rollout salt"], "bucket", "x")
    usage_error(["not both"], "bucket", "--salt", "a", "--salt-hex", "1", "x")
    usage_error(["empty"], "bucket", "--salt", "", "x")
    usage_error(["requires an argument"], "bucket", "x", "--salt")
    usage_error(["no identifier"], "bucket", "--salt", "r")
    usage_error(["unrecognized option", "--bogus"], "bucket", "--bogus")


@test
def bucket_json_rejects_non_utf8():
    r = fails(1, ["not valid UTF-8", "\\xff"],
              "bucket", "-s", "rollout-2024", "-j", "device-1", b"\xff")
    # The array is left open: partial output never parses as a result.
    try:
        json.loads(r.out)
    except ValueError:
        pass
    else:
        raise AssertionError("partial JSON parsed: %r" % (r,))
    r = ok("bucket", "-s", "rollout-2024", b"\xff")
    _, rows = parse_table(r.out)
    assert rows[0][0] == hex16(KEYS[b"\xff"]), rows


# ---- bucket: identifiers from CSV ------------------------------------------


@test
def csv_quoting_spaces_bom_crlf():
    with tempfile.TemporaryDirectory() as d:
        data = (b"\xef\xbb\xbfserial,device_id,region\r\n"
                b"1,device-1,eu\r\n"
                b'2," spaced ",us\r\n'
                b'3,"quoted, ""id""",apac\r\n'
                b'4,"a\nb",eu\r\n'
                b"\r\n"  # a blank line is no row
                b"5,caf\xc3\xa9,eu\r\n"
                b"6,,eu")  # no final newline; empty id
        path = csv_file(d, "fleet.csv", data)
        ids = [b"device-1", b" spaced ", b'quoted, "id"', b"a\nb",
               b"caf\xc3\xa9", b""]
        rows = ok("bucket", "-s", "rollout-2024", "--csv", path, "--column",
                  "device_id", "--json").json()
        assert len(rows) == len(ids), rows
        check_bucket_rows(rows[:-1], ids[:-1], SALT)
        assert rows[-1]["id"] == "", rows
        assert rows[-1]["key"] == hex16(KEYS[b""]), rows
        # The BOM belongs to the encoding, not to the first column's name.
        rows = ok("bucket", "-s", "r", "-c", path, "--column", "serial",
                  "-j").json()
        assert [r["id"] for r in rows] == ["1", "2", "3", "4", "5", "6"], rows


@test
def csv_from_stdin():
    data = b"id\ndevice-1\nSN-000123\n00:1A:2B:3C:4D:5E\n"
    rows = ok("bucket", "-s", "rollout-2024", "-c", "-", "--column", "id", "-j",
              stdin=data).json()
    check_bucket_rows(rows, THREE, SALT)
    # Same table as with the ids on the command line.
    table = ok("bucket", "-s", "rollout-2024", "-c", "-", "--column", "id",
               stdin=data).out
    assert table == ok("bucket", "-s", "rollout-2024", *THREE).out


@test
def csv_many_rows_cross_chunks():
    # More rows than one chunk (4096) so the batch path flushes several
    # times; known values sit on both sides of each chunk boundary.
    n = 10000
    data = b"n,device,extra\n" + b"".join(
        b"%d,dev-%d,x\n" % (i, i) for i in range(n))
    with tempfile.TemporaryDirectory() as d:
        path = csv_file(d, "big.csv", data)
        rows = ok("bucket", "-s", "rollout-2024", "-c", path, "--column",
                  "device", "-j", "-p", "25").json()
    assert len(rows) == n, len(rows)
    assert [r["id"] for r in rows] == ["dev-%d" % i for i in range(n)]
    for i in (0, 4095, 4096, 9999):
        ident = b"dev-%d" % i
        check_bucket_rows([rows[i]], [ident], SALT, 25)
    # The batch functions agree with one otaprio_key_derive call per id.
    sample = [b"dev-%d" % i for i in (1, 2, 4094, 4097, 8191, 8192, 8193, 9998)]
    single = ok("key", "-j", *sample).json()
    for entry in single:
        assert rows[int(entry["id"][4:])]["key"] == entry["key"], entry
    # About a quarter of a uniform sample is inside the first 25 percent.
    inside = sum(r["inside"] for r in rows)
    assert 2200 < inside < 2800, inside


@test
def csv_long_ids_flush_by_bytes():
    # 300 ids of 5000 bytes pass the 1 MiB chunk limit before 4096 ids.
    ident = b"L" * 5000
    data = b"id\n" + (ident + b"\n") * 300
    rows = ok("bucket", "-s", "rollout-2024", "-c", "-", "--column", "id",
              "-j", stdin=data).json()
    assert len(rows) == 300, len(rows)
    check_bucket_rows(rows, [ident] * 300, SALT)


@test
def csv_header_only_and_text():
    with tempfile.TemporaryDirectory() as d:
        path = csv_file(d, "empty-fleet.csv", b"device_id,region\n")
        assert ok("bucket", "-s", "r", "-c", path, "--column", "device_id",
                  "-j").json() == []
        header, rows = parse_table(ok("bucket", "-s", "r", "-c", path,
                                      "--column", "device_id").out)
        assert header == ["key", "position", "fraction", "id"] and rows == []


@test
def csv_text_escapes_embedded_newline():
    data = b'id\n"a\nb"\n'
    r = ok("bucket", "-s", "rollout-2024", "-c", "-", "--column", "id",
           stdin=data)
    _, rows = parse_table(r.out)
    assert len(rows) == 1 and rows[0][-1] == "a\\x0ab", rows
    assert rows[0][1] == hex16(POSITIONS[(SALT, b"a\nb")]), rows


@test
def csv_missing_column():
    with tempfile.TemporaryDirectory() as d:
        path = csv_file(d, "fleet.csv", b"serial,device_id,region\n1,a,eu\n")
        r = fails(1, ["no column 'nope'", "serial, device_id, region", path],
                  "bucket", "-s", "r", "-c", path, "--column", "nope")
        assert "--help" not in r.err, "a data error is not a usage error"


@test
def csv_duplicate_column():
    fails(1, ["column 'id' appears more than once"], "bucket", "-s", "r",
          "-c", "-", "--column", "id", stdin=b"id,x,id\n1,2,3\n")


@test
def csv_short_row():
    fails(1, ["row 3 has 1 field", "column 'id' is field 2"],
          "bucket", "-s", "r", "-c", "-", "--column", "id",
          stdin=b"n,id\n1,a\n2\n3,c\n")


@test
def csv_malformed():
    for data in (b'id\nab"c\n', b'id\n"abc"x\n', b'id\n"unterminated\n'):
        fails(1, ["standard input", "malformed CSV"], "bucket", "-s", "r",
              "-c", "-", "--column", "id", stdin=data)


@test
def csv_empty_input():
    fails(1, ["empty input", "header"], "bucket", "-s", "r", "-c", "-",
          "--column", "id", stdin=b"")


@test
def csv_unreadable_file():
    with tempfile.TemporaryDirectory() as d:
        missing = os.path.join(d, "missing.csv")
        fails(1, ["cannot open", missing, os.strerror(2)], "bucket", "-s", "r",
              "-c", missing, "--column", "id")
        # fopen() of a directory succeeds on Linux; the read fails.
        fails(1, [d], "bucket", "-s", "r", "-c", d, "--column", "id")


@test
def csv_usage_errors():
    usage_error(["--csv needs --column"], "bucket", "-s", "r", "-c", "f.csv")
    usage_error(["--column needs --csv"], "bucket", "-s", "r", "--column",
                "id", "x")
    usage_error(["not both"], "bucket", "-s", "r", "-c", "f.csv", "--column",
                "id", "x")


# ---- output failures --------------------------------------------------------


@test
def write_error_is_reported():
    if not os.path.exists("/dev/full"):
        raise Skip("no /dev/full")
    with open("/dev/full", "wb") as full:
        r = run("key", "device-1", stdout=full)
        assert r.rc == 1 and "cannot write the output" in r.err, r
        data = b"id\n" + b"".join(b"dev-%d\n" % i for i in range(20000))
        r = run("bucket", "-s", "r", "-c", "-", "--column", "id", "-j",
                stdin=data, stdout=full)
        assert r.rc == 1 and "cannot write the output" in r.err, r
        # One failure, one message.
        assert r.err.count("cannot write") == 1, r


# ---- runner -----------------------------------------------------------------


if __name__ == "__main__":
    sys.exit(test.main())
