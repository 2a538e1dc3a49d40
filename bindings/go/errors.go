// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"fmt"
	"unsafe"
)

// Error is a failed libotaprio call: the status it returned and the
// diagnostics it filled (which argument, field or row was wrong, and why).
//
// errors.Is(err, ErrRange) and the like match on the status alone.
type Error struct {
	// Op is the Go function that failed, such as "NewRiskModel".
	Op string
	// Status is the library's OTAPRIO_E_* code.
	Status Status
	// Field names the argument or field at fault ("policy.tier_thresholds",
	// "battery"); "" when no single one is.
	Field string
	// Index is the offending element or row, or -1.
	Index int64
	// Message is the library's English sentence.
	Message string
}

// Sentinels for errors.Is, one per status code.
var (
	ErrInvalid    = &Error{Status: StatusInvalid, Index: -1}
	ErrNoMem      = &Error{Status: StatusNoMem, Index: -1}
	ErrStructSize = &Error{Status: StatusStructSize, Index: -1}
	ErrRange      = &Error{Status: StatusRange, Index: -1}
	ErrOverflow   = &Error{Status: StatusOverflow, Index: -1}
	ErrSyntax     = &Error{Status: StatusSyntax, Index: -1}
	ErrCycle      = &Error{Status: StatusCycle, Index: -1}
	ErrNotFound   = &Error{Status: StatusNotFound, Index: -1}
	ErrDuplicate  = &Error{Status: StatusDuplicate, Index: -1}
	ErrLimit      = &Error{Status: StatusLimit, Index: -1}
)

func (e *Error) Error() string {
	message := e.Message
	if message == "" {
		message = Strerror(int(e.Status))
	}
	where := e.Field
	if where != "" && e.Index >= 0 {
		where = fmt.Sprintf("%s[%d]", where, e.Index)
	}
	switch {
	case e.Op != "" && where != "":
		return fmt.Sprintf("otaprio: %s: %s: %s", e.Op, where, message)
	case e.Op != "":
		return fmt.Sprintf("otaprio: %s: %s", e.Op, message)
	case where != "":
		return fmt.Sprintf("otaprio: %s: %s", where, message)
	}
	return "otaprio: " + message
}

// Is reports whether target is an *Error of the same status.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Status == e.Status
}

// Strerror returns the library's description of a status code.
func Strerror(status int) string { return C.GoString(C.otaprio_strerror(C.int(status))) }

// newDiag returns diagnostics prepared for a call.
func newDiag() *C.otaprio_diag {
	d := new(C.otaprio_diag)
	C.otaprio_diag_init(d, C.size_t(unsafe.Sizeof(*d)))
	return d
}

// check turns a call's status and diagnostics into an error (nil for
// OTAPRIO_OK).
func check(op string, status C.int, d *C.otaprio_diag) error {
	if status == C.OTAPRIO_OK {
		return nil
	}
	e := &Error{Op: op, Status: Status(status), Index: -1}
	if d != nil && d.status == status {
		e.Field = C.GoString(d.field)
		e.Index = int64(d.index)
		e.Message = C.GoString(&d.message[0])
	}
	return e
}

// argError reports bad input the binding catches itself, before C sees
// it (a column of the wrong length, say), with the library's wording.
func argError(op string, status Status, field string, index int64, format string, args ...any) error {
	return &Error{Op: op, Status: status, Field: field, Index: index,
		Message: fmt.Sprintf(format, args...)}
}

// closedError is the error of a call on a closed object: what names it
// ("catalog", "sampler"), as the error's field.
func closedError(op, what string) error {
	return argError(op, StatusInvalid, what, -1, "the %s is closed", what)
}
