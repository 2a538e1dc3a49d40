// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import "unsafe"

// VersionTextMax is the longest version string or constraint the library
// accepts, in bytes; longer text fails with ErrRange.
const VersionTextMax = C.OTAPRIO_VERSION_TEXT_MAX

// graphEmptyText gives C a valid pointer for empty text, so that an empty
// string is reported as the malformed or empty text it is rather than as
// a NULL argument.
var graphEmptyText C.char

// graphText returns a pointer to the bytes of s and their count, for a C
// argument read during the call only (the bytes are never written, and
// hold no Go pointers, so they need no pinning).
func graphText(s string) (*C.char, C.size_t) {
	if len(s) == 0 {
		return &graphEmptyText, 0
	}
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s))
}

// CompareVersions returns -1, 0 or 1 as version a ranks below, equal to or
// above version b in the library's total order: Semantic Versioning 2.0
// extended to any number of release segments, letters in segments, an
// optional "v" prefix and build metadata as a tie-breaker. "1.2", "1.2.0"
// and "v1.02" are equal.
//
// Malformed text fails with ErrSyntax, the error's Field being "a" or "b"
// and its Index the byte offset; text longer than VersionTextMax fails
// with ErrRange. Safe for concurrent use.
func CompareVersions(a, b string) (int, error) {
	pa, la := graphText(a)
	pb, lb := graphText(b)
	var order C.int
	d := newDiag()
	status := C.otaprio_version_compare(pa, la, pb, lb, &order, d)
	if err := check("CompareVersions", status, d); err != nil {
		return 0, err
	}
	return int(order), nil
}

// ConstraintMatches reports whether version satisfies constraint: "*" or
// comma-separated clauses such as ">= 2.3.1, < 3", which intersect into
// one interval of the version order.
//
// Malformed text fails with ErrSyntax (Field "constraint" or "version");
// a constraint whose ends cross (">2, <1") fails with ErrRange rather than
// silently matching nothing. Safe for concurrent use.
func ConstraintMatches(constraint, version string) (bool, error) {
	pc, lc := graphText(constraint)
	pv, lv := graphText(version)
	var matches C.int
	d := newDiag()
	status := C.otaprio_constraint_matches(pc, lc, pv, lv, &matches, d)
	if err := check("ConstraintMatches", status, d); err != nil {
		return false, err
	}
	return matches != 0, nil
}
