#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that every public item in the given headers carries `@since`.

Usage: check_since.py [-v] HEADER...   (-v also lists the items that pass)

Items are what a reader of the reference can use: each file's @file block,
every macro (include guards excepted), function declaration, typedef,
struct/union/enum tag, struct or union member and enum value. An item passes
when the Doxygen comment attached to it (a leading `/** ... */`, `///` or
`//!` block, or a trailing `///<` / `/**<` one) contains `@since X.Y[.Z]`
(or `\\since`). Text between `@cond` and `@endcond` is skipped, as Doxygen
skips it; so are `#ifdef __cplusplus` blocks.

Prints one line per failure and a closing `N passed, M failed` line; exits 1
when anything failed or when no item was found at all (a parser that sees
nothing must not pass). Standard library only, so it runs with whatever
Python meson found.
"""

import re
import sys

SINCE = re.compile(r"[@\\]since\s+\d+\.\d+(?:\.\d+)?\b")
COND = re.compile(r"[@\\]cond\b")
ENDCOND = re.compile(r"[@\\]endcond\b")
FILE_CMD = re.compile(r"[@\\]file\b")
# Doxygen comment openers: /** (not /**/), /*!, ///, //! and their trailing
# forms with '<'.
DOC_BLOCK = re.compile(r"/\*[*!](?!/)")
DOC_LINE = re.compile(r"//[/!](?!/)")
IDENT = re.compile(r"[A-Za-z_]\w*")
KEYWORDS = {
    "auto", "char", "const", "double", "enum", "extern", "float", "inline",
    "int", "long", "register", "restrict", "short", "signed", "static",
    "struct", "typedef", "union", "unsigned", "void", "volatile", "_Bool",
    "_Atomic", "_Noreturn", "_Alignas", "_Thread_local", "bool",
}


class Token:
    __slots__ = ("kind", "text", "line", "trailing")

    def __init__(self, kind, text, line, trailing=False):
        self.kind = kind  # 'doc', 'pp', 'id', 'punct', 'lit'
        self.text = text
        self.line = line
        self.trailing = trailing

    def __repr__(self):
        return f"Token({self.kind}, {self.text!r}, {self.line})"


def tokenize(src):
    """Splits C source into doc comments, preprocessor lines and C tokens.
    Ordinary comments are dropped; consecutive `///` lines form one doc."""
    tokens = []
    i, n, line = 0, len(src), 1
    at_line_start = True
    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            i += 1
            at_line_start = True
            continue
        if c in " \t\r\f\v":
            i += 1
            continue
        if src.startswith("/*", i):
            end = src.find("*/", i + 2)
            if end < 0:
                raise SyntaxError(f"line {line}: unterminated comment")
            text = src[i:end + 2]
            if DOC_BLOCK.match(text) and text != "/**/":
                trailing = text[3:4] == "<"
                tokens.append(Token("doc", text, line, trailing))
            line += text.count("\n")
            i = end + 2
            continue
        if src.startswith("//", i):
            end = src.find("\n", i)
            end = n if end < 0 else end
            text = src[i:end]
            if DOC_LINE.match(text):
                trailing = text[3:4] == "<"
                prev = tokens[-1] if tokens else None
                if (prev is not None and prev.kind == "doc" and not trailing
                        and not prev.trailing and prev.text.startswith("//")
                        and prev.line + prev.text.count("\n") == line - 1):
                    prev.text += "\n" + text  # continue a /// block
                else:
                    tokens.append(Token("doc", text, line, trailing))
            i = end
            continue
        if c == "#" and at_line_start:
            start, start_line = i, line
            while i < n:
                if src[i] == "\\" and src.startswith("\n", i + 1):
                    i += 2
                    line += 1
                elif src.startswith("/*", i):
                    # A comment inside a directive: skip it, it may hide a
                    # newline; a doc comment here is kept as a token.
                    end = src.find("*/", i + 2)
                    if end < 0:
                        raise SyntaxError(f"line {line}: unterminated comment")
                    text = src[i:end + 2]
                    line += text.count("\n")
                    i = end + 2
                elif src.startswith("//", i) or src[i] == "\n":
                    break
                else:
                    i += 1
            text = re.sub(r"/\*.*?\*/", " ", src[start:i], flags=re.S)
            tokens.append(Token("pp", text.replace("\\\n", " "), start_line))
            continue
        at_line_start = False
        if c == '"' or c == "'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            tokens.append(Token("lit", src[i:j + 1], line))
            i = j + 1
            continue
        m = IDENT.match(src, i)
        if m:
            tokens.append(Token("id", m.group(), line))
            i = m.end()
            continue
        m = re.compile(r"\d[\w.]*").match(src, i)
        if m:
            tokens.append(Token("lit", m.group(), line))
            i = m.end()
            continue
        if src.startswith("...", i):
            tokens.append(Token("punct", "...", line))
            i += 3
            continue
        tokens.append(Token("punct", c, line))
        i += 1
    return tokens


class Checker:
    def __init__(self, verbose=False):
        self.passed = 0
        self.failures = []
        self.verbose = verbose

    def item(self, path, line, kind, name, doc):
        if doc is None:
            self.failures.append(f"{path}:{line}: {kind} {name}: not documented")
        elif not SINCE.search(doc.text):
            self.failures.append(f"{path}:{line}: {kind} {name}: no @since")
        else:
            self.passed += 1
            if self.verbose:
                print(f"ok   {path}:{line}: {kind} {name}")


def directive(pp):
    m = re.match(r"#\s*(\w*)\s*(.*)", pp.text, re.S)
    return m.group(1), m.group(2).strip()


def split_top(tokens, sep):
    """Splits tokens at `sep` outside (), [] and {}."""
    parts, cur, depth = [], [], 0
    for t in tokens:
        if t.kind == "punct" and t.text in "([{":
            depth += 1
        elif t.kind == "punct" and t.text in ")]}":
            depth -= 1
        if depth == 0 and t.kind == "punct" and t.text == sep:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    parts.append(cur)
    return parts


def matching(tokens, i):
    """Index of the bracket closing the one at tokens[i]."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    open_, close = tokens[i].text, pairs[tokens[i].text]
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].kind == "punct":
            if tokens[j].text == open_:
                depth += 1
            elif tokens[j].text == close:
                depth -= 1
                if depth == 0:
                    return j
    raise SyntaxError(f"line {tokens[i].line}: unbalanced {open_!r}")


def declarator_name(tokens):
    """The name a declarator introduces: the identifier inside `(*name)` for
    a function pointer, else the last identifier before the parameter list,
    an array bound or an initializer (all at nesting depth 0)."""
    code = [t for t in tokens if t.kind != "doc"]
    name, depth = None, 0
    for k, t in enumerate(code):
        if t.kind == "punct" and t.text in "([{":
            if depth == 0 and t.text == "(":
                if k + 1 < len(code) and code[k + 1].text == "*":
                    ids = [x for x in code[k + 2:] if x.kind == "id"
                           and x.text not in KEYWORDS]
                    return ids[0] if ids else None
                if name is not None:
                    return name  # a function: its name precedes "("
            depth += 1
        elif t.kind == "punct" and t.text in ")]}":
            depth -= 1
        elif t.kind == "punct" and t.text == "=" and depth == 0:
            break
        elif depth == 0 and t.kind == "id" and t.text not in KEYWORDS:
            name = t
    return name


def check_body(checker, path, tokens, owner, is_enum):
    """Members of a struct/union body or values of an enum body."""
    pending = None
    last = None  # (line, kind, name, doc) that a trailing doc may still claim
    results = []

    def flush():
        nonlocal last
        if last is not None:
            results.append(last)
            last = None

    i = 0
    sep = "," if is_enum else ";"
    cur = []
    cur_doc = None
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "doc":
            if t.trailing:
                if last is not None:
                    last = (*last[:3], t)
                    flush()
                elif cur:
                    # `value ///< doc` with no separator after it (last enum
                    # value): belongs to the item being read.
                    cur.append(t)
            else:
                flush()
                pending = t
            i += 1
            continue
        if t.kind == "pp":
            i += 1
            continue
        if t.kind == "punct" and t.text in "({[":
            j = matching(tokens, i)
            if t.text == "{" and not is_enum:
                # A nested struct/union definition inside a member.
                inner_owner = owner + "::(anonymous)"
                check_body(checker, path, tokens[i + 1:j], inner_owner,
                           any(x.text == "enum" for x in cur))
            if not cur:
                cur_doc, pending = pending, None
            cur.extend(tokens[i:j + 1])
            i = j + 1
            continue
        if t.kind == "punct" and t.text == sep:
            flush()
            last = finish_member(path, owner, cur, cur_doc, is_enum)
            cur, cur_doc = [], None
            i += 1
            continue
        if not cur:
            flush()
            cur_doc, pending = pending, None
        cur.append(t)
        i += 1
    flush()
    if cur:
        results.append(finish_member(path, owner, cur, cur_doc, is_enum))
    for entry in results:
        if entry is None:
            continue
        line, kind, name, doc = entry
        checker.item(path, line, kind, name, doc)


def finish_member(path, owner, toks, doc, is_enum):
    trailing = [t for t in toks if t.kind == "doc" and t.trailing]
    if trailing:
        doc = trailing[-1]
    code = [t for t in toks if t.kind != "doc"]
    if not code:
        return None
    if is_enum:
        name = code[0]
        return (name.line, "enum value", f"{owner}::{name.text}", doc)
    name = declarator_name(code)
    if name is None:
        return (code[0].line, "member", f"{owner}::(anonymous)", doc)
    return (name.line, "member", f"{owner}::{name.text}", doc)


def check_declaration(checker, path, toks, doc):
    code = [t for t in toks if t.kind != "doc"]
    if not code:
        return
    words = [t.text for t in code if t.kind == "id"]
    is_typedef = bool(words) and words[0] == "typedef"
    b0 = next((k for k, t in enumerate(toks)
               if t.kind == "punct" and t.text == "{"), None)
    if b0 is not None:
        b1 = matching(toks, b0)
        head = [t for t in toks[:b0] if t.kind == "id"]
        if any(t.kind == "punct" and t.text == "(" for t in toks[:b0]):
            # An inline function defined in the header.
            name = declarator_name(toks[:b0])
            if name is not None:
                checker.item(path, name.line, "function", name.text, doc)
            return
        aggregate = next((t.text for t in head
                          if t.text in ("struct", "union", "enum")), None)
        tag = head[-1].text if head and head[-1].text not in (
            "struct", "union", "enum", "typedef") else None
        typedef_name = declarator_name(toks[b1 + 1:]) if is_typedef else None
        owner = (typedef_name.text if typedef_name is not None
                 else tag or "(anonymous)")
        check_body(checker, path, toks[b0 + 1:b1], owner, aggregate == "enum")
        if typedef_name is not None:
            checker.item(path, typedef_name.line, "typedef",
                         typedef_name.text, doc)
        elif tag is not None:
            checker.item(path, code[0].line, aggregate or "type", tag, doc)
        return
    if is_typedef:
        name = declarator_name(code[1:])
        if name is not None:
            checker.item(path, name.line, "typedef", name.text, doc)
        return
    if [t.kind for t in code] == ["id", "id", "punct"] and \
            words[0] in ("struct", "union", "enum"):
        return  # `struct x;`, a forward declaration, declares nothing new
    name = declarator_name(code)
    if name is None:
        return
    is_function = any(t.kind == "punct" and t.text == "(" for t in code)
    checker.item(path, name.line, "function" if is_function else "variable",
                 name.text, doc)


def check_header(checker, path):
    with open(path, encoding="utf-8") as f:
        tokens = tokenize(f.read())
    pending = None      # the last leading doc comment, waiting for its item
    deferred = None     # an item that a trailing doc (///<) may still claim
    in_cond = 0         # inside @cond ... @endcond
    cond_stack = []     # per #if level: True when skipped (__cplusplus)
    extern_c = 0        # open extern "C" { blocks outside #ifdef
    seen_macros = set()
    guard = None
    directives = []
    stmt, stmt_doc, depth = [], None, 0
    saw_file = False

    def skipping():
        return in_cond > 0 or any(cond_stack)

    for t in tokens:
        if deferred is not None:
            if t.kind == "doc" and t.trailing and not skipping():
                deferred(t)
                deferred = None
                continue
            deferred(None)
            deferred = None
        if t.kind == "pp":
            name, rest = directive(t)
            if len(directives) < 2:
                directives.append((name, rest.split()))
                if (len(directives) == 2 and directives[0][0] == "ifndef"
                        and directives[1][0] == "define"
                        and directives[1][1] == directives[0][1][:1]):
                    guard = directives[0][1][0]
            if name in ("if", "ifdef", "ifndef"):
                cond_stack.append(name == "ifdef" and rest == "__cplusplus")
            elif name in ("elif", "else"):
                if cond_stack:
                    cond_stack[-1] = False
            elif name == "endif":
                if cond_stack:
                    cond_stack.pop()
            elif name == "define" and not skipping():
                macro = IDENT.match(rest)
                if macro and macro.group() != guard \
                        and macro.group() not in seen_macros:
                    seen_macros.add(macro.group())

                    def deferred(trailing, line=t.line, name=macro.group(),
                                 doc=pending):
                        checker.item(path, line, "macro", name,
                                     trailing or doc)
                pending = None
            elif not skipping():
                pending = None  # #include, #undef...: a doc does not cross
            continue
        if t.kind == "doc":
            if ENDCOND.search(t.text) and in_cond:
                in_cond -= 1
                continue
            if COND.search(t.text):
                in_cond += 1
                continue
            if skipping():
                continue
            if stmt:
                stmt.append(t)  # member docs, or a doc inside a declaration
                continue
            if FILE_CMD.search(t.text):
                saw_file = True
                checker.item(path, t.line, "file", path, t)
                continue
            pending = t
            continue
        if skipping():
            continue
        if t.kind == "punct" and t.text == "{" and depth == 0 and \
                [x.text for x in stmt if x.kind != "doc"] == ["extern", '"C"']:
            extern_c += 1
            stmt, stmt_doc = [], None
            continue
        if t.kind == "punct" and t.text == "}" and depth == 0 and not stmt \
                and extern_c:
            extern_c -= 1
            continue
        if not stmt:
            stmt_doc, pending = pending, None
        stmt.append(t)
        if t.kind == "punct" and t.text in "([{":
            depth += 1
        elif t.kind == "punct" and t.text in ")]}":
            depth -= 1
            is_definition = t.text == "}" and depth == 0 and not any(
                x.text in ("struct", "union", "enum", "typedef", "=")
                for x in stmt if x.kind == "id" or x.text == "=")
            if is_definition:  # an inline function: no ';' follows
                check_declaration(checker, path, stmt, stmt_doc)
                stmt, stmt_doc = [], None
        elif t.kind == "punct" and t.text == ";" and depth == 0:
            def deferred(trailing, toks=stmt, doc=stmt_doc):
                check_declaration(checker, path, toks, trailing or doc)
            stmt, stmt_doc = [], None
    if deferred is not None:
        deferred(None)
    if stmt or depth:
        raise SyntaxError(f"declaration from line {stmt[0].line if stmt else '?'}"
                          " is not closed")
    if not saw_file:
        checker.failures.append(f"{path}:1: file {path}: no @file block")


def main(argv):
    args = argv[1:]
    verbose = bool(args) and args[0] in ("-v", "--verbose")
    if verbose:
        args = args[1:]
    if not args:
        print("usage: check_since.py [-v] HEADER...", file=sys.stderr)
        return 2
    checker = Checker(verbose)
    for path in args:
        try:
            check_header(checker, path)
        except (OSError, SyntaxError, UnicodeDecodeError) as e:
            checker.failures.append(f"{path}: cannot check: {e}")
    for failure in checker.failures:
        print(f"FAIL {failure}")
    print(f"{checker.passed} passed, {len(checker.failures)} failed")
    return 1 if checker.failures or checker.passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
