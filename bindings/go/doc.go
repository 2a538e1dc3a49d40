// SPDX-License-Identifier: MIT

// Package otaprio binds libotaprio, the C library that makes the decisions
// behind over-the-air update campaigns: how urgent a fix is (risk), which
// devices may take it and in what order (graph), which devices form an
// honest canary (cohort), when telemetry says stop or go on (guardrail),
// how to back out (rollback), and the whole runbook in one call (plan).
//
// # Building
//
// The package links the C library through pkg-config (#cgo pkg-config:
// libotaprio). Against an installed library nothing needs setting; against
// a meson build tree of the library, point pkg-config and the loader at it:
//
//	PKG_CONFIG_PATH=$PWD/build/meson-uninstalled LD_LIBRARY_PATH=$PWD/build go test ./...
//
// The build fails when the headers found are of another major version (or
// an older minor) than the one this package was written for, and loading
// fails (with a panic at init) when the library loaded at run time is older
// than the headers the package was compiled against.
//
// # Conventions
//
// Constructors return (*T, error); types holding C memory have a Close
// method (a finalizer frees what was not closed, as a safety net only).
// Every failure is an *Error carrying the library's status and diagnostics;
// errors.Is matches it against ErrInvalid, ErrRange and the other
// sentinels. Enumerations are typed constants with a String method.
//
// Columns of device data are passed to the library straight from Go slices,
// without copying: the slices are pinned for the duration of the call and
// never retained by C after it. Large fleets stream through callbacks that
// fill one chunk at a time; an error a callback returns stops the C call
// and comes back from it unchanged, and a panic in a callback is recovered
// at the C boundary, the C call unwound, and the panic raised again in the
// caller's goroutine.
//
// # Concurrency
//
// Each type documents what may be shared between goroutines: immutable
// objects (a built model, graph, catalog, rule set, plan) are safe for
// concurrent use; builders, samplers and sequential states are not, exactly
// as in the C library.
package otaprio

//go:generate go run ./internal/cmd/genenums -include ../../include -out .

// #cgo pkg-config: libotaprio
// #include "binding.h"
// #if OTAPRIO_VERSION_MAJOR != 0 || OTAPRIO_VERSION_MINOR < 1
// #error "this otaprio Go package needs libotaprio 0.x headers, at least 0.1"
// #endif
import "C"

import "fmt"

// HeaderVersion is the version of the headers the package was compiled
// against, as "MAJOR.MINOR.PATCH".
const HeaderVersion = C.OTAPRIO_VERSION_STRING

// headerNumber is HeaderVersion encoded like Version.
const headerNumber = C.OTAPRIO_VERSION_NUMBER

func init() {
	if err := checkVersion(uint32(C.otaprio_version())); err != nil {
		panic(err)
	}
}

// checkVersion refuses a library of another major version, or one older
// than the headers: it would lack functions or struct fields the package
// uses.
func checkVersion(library uint32) error {
	if library/10000 != headerNumber/10000 || library < headerNumber {
		return fmt.Errorf("otaprio: the loaded libotaprio is %d.%d.%d but the package was built against %s headers",
			library/10000, library/100%100, library%100, HeaderVersion)
	}
	return nil
}

// Version returns the loaded library's version as major, minor, patch.
func Version() (major, minor, patch int) {
	v := int(C.otaprio_version())
	return v / 10000, v / 100 % 100, v % 100
}

// VersionString returns the loaded library's version as
// "MAJOR.MINOR.PATCH".
func VersionString() string { return C.GoString(C.otaprio_version_string()) }
