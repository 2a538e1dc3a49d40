# SPDX-License-Identifier: MIT
"""The public headers as a binding generator sees them: preprocessed with
no system headers and OTAPRIO_API empty, then parsed with pycparser."""
import pathlib
import subprocess
import tempfile

import pycparser
from pycparser import c_ast

# What the stub system headers would have declared, for pycparser; cffi
# knows these types already.
STANDARD_TYPEDEFS = """
typedef unsigned long size_t;
typedef signed char int8_t; typedef unsigned char uint8_t;
typedef short int16_t; typedef unsigned short uint16_t;
typedef int int32_t; typedef unsigned int uint32_t;
typedef long long int64_t; typedef unsigned long long uint64_t;
typedef _Bool bool;
"""

STUB_HEADERS = ("stddef.h", "stdint.h", "stdbool.h")


def preprocess(cc, include_dir, header="otaprio.h"):
    """Returns the header's declarations after the C preprocessor, with
    empty stand-ins for the system headers so only our code remains."""
    with tempfile.TemporaryDirectory() as stubs:
        for name in STUB_HEADERS:
            (pathlib.Path(stubs) / name).write_text("")
        result = subprocess.run(
            [cc, "-E", "-P", "-nostdinc", "-I", stubs, "-I", str(include_dir),
             "-DOTAPRIO_API=", "-x", "c", "-"],
            input='#include "%s"\n' % header, capture_output=True, text=True,
            check=False)
    if result.returncode != 0:
        raise RuntimeError("preprocessing %s failed:\n%s" %
                           (header, result.stderr))
    return result.stdout


def parse(declarations):
    """Parses preprocessed declarations with pycparser."""
    return pycparser.CParser().parse(STANDARD_TYPEDEFS + declarations,
                                     "<otaprio.h>")


def function_names(ast):
    """Names of every function the headers declare."""
    names = set()
    for node in ast.ext:
        if isinstance(node, c_ast.Decl) and isinstance(node.type,
                                                       c_ast.FuncDecl):
            names.add(node.name)
    return names


class _Portability(c_ast.NodeVisitor):
    """Collects declarations Go's cgo or cffi cannot use."""

    def __init__(self):
        self.problems = []

    def visit_Decl(self, node):
        if node.bitsize is not None:
            self.problems.append("bitfield %s" % node.name)
        self.generic_visit(node)

    def visit_EllipsisParam(self, node):
        self.problems.append("varargs at %s" % node.coord)


def portability_problems(ast):
    visitor = _Portability()
    visitor.visit(ast)
    return visitor.problems
