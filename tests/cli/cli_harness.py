# SPDX-License-Identifier: MIT
"""What the CLI test scripts share: running the otaprio binary, judging how
it ended, and registering and running the checks. Standard library only."""
import json
import os
import subprocess
import sys
import tempfile
import traceback


class Skip(Exception):
    """Raised by a check that cannot run here; reported, not failed."""


def arguments(usage, count):
    """The script's `count` command-line arguments; without exactly
    those, exits with its usage."""
    if len(sys.argv) != count + 1:
        sys.exit(usage)
    return sys.argv[1:]


class Result:
    """How one run of the binary ended."""

    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr.decode("utf-8", "replace")

    @property
    def text(self):
        return self.out.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.out.decode("utf-8"))

    def __repr__(self):
        out = self.out[:400] if self.out is not None else "(redirected)"
        return "rc=%d stdout=%r stderr=%r" % (self.rc, out, self.err[:800])


def invoke(argv, stdin=None, env=None, stdout=subprocess.PIPE):
    """Runs argv (str or bytes items), returning a Result."""
    proc = subprocess.run(argv, input=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, env=env, timeout=120)
    return Result(proc)


def succeeded(r):
    """A run that must succeed silently: a sanitizer report on stderr
    fails it too."""
    assert r.rc == 0, r
    assert r.err == "", r
    return r


def failed_with(r, expected_rc, needles):
    """A run that must fail with expected_rc and name the problem."""
    assert r.rc == expected_rc, r
    for needle in needles:
        assert needle in r.err, "%r not in stderr: %r" % (needle, r)
    # Error paths must not trip a sanitizer either.
    assert "Sanitizer" not in r.err and "runtime error" not in r.err, r
    return r


class Command:
    """One command of the binary, as the checks of its script run it:
    `run` as is, `ok` when it must succeed silently, `fails` when it must
    fail and say why."""

    def __init__(self, otaprio, name, quiet_failures=True):
        self.argv = [otaprio, name]
        # A failure prints nothing on stdout (no partial output), except
        # for commands that stream their rows as they go.
        self.quiet_failures = quiet_failures

    def run(self, *args, stdin=None, stdout=subprocess.PIPE):
        return invoke(self.argv + list(args), stdin=stdin, stdout=stdout)

    def ok(self, *args, **kwargs):
        return succeeded(self.run(*args, **kwargs))

    def fails(self, expected_rc, needles, *args, **kwargs):
        """A usage error (2) points at --help; a data error (1) does
        not."""
        r = failed_with(self.run(*args, **kwargs), expected_rc, needles)
        if expected_rc == 2:
            assert "--help" in r.err, r
        else:
            assert "--help" not in r.err, "a data error is not a usage error"
        if self.quiet_failures:
            assert r.out == b"", "no partial output: %r" % (r,)
        return r


class Checks:
    """The checks of one script, in the order they are declared."""

    def __init__(self):
        self.checks = []

    def __call__(self, fn):
        self.checks.append(fn)
        return fn

    def main(self):
        passed = failed = skipped = 0
        for fn in self.checks:
            try:
                fn()
            except Skip as why:
                skipped += 1
                print("skip %s: %s" % (fn.__name__, why))
            except Exception:  # a failed check or a crash of the check
                failed += 1
                print("FAIL %s" % fn.__name__)
                traceback.print_exc(file=sys.stdout)
            else:
                passed += 1
                print("ok   %s" % fn.__name__)
        summary = "%d passed, %d failed" % (passed, failed)
        if skipped:
            summary += ", %d skipped" % skipped
        print(summary)
        return 1 if failed else 0


class Files:
    """A temporary directory with helpers to write inputs into it."""

    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory()
        return self

    def __exit__(self, *exc):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def write(self, name, data):
        path = self.path(name)
        if isinstance(data, (dict, list)):
            data = json.dumps(data)
        if isinstance(data, str):
            data = data.encode()
        with open(path, "wb") as f:
            f.write(data)
        return path
