// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// GuardSequenceBytes is the length of a saved GuardSequence.
const GuardSequenceBytes = C.OTAPRIO_GUARD_SEQUENCE_BYTES

// GuardSequence is the always-valid state of one sequential rule, kept by
// the host from one evaluation to the next (pass it in
// GuardData.Sequence, with cumulative counts): however often the host
// evaluates, the chance of a false alarm stays at or below alpha. Save it
// as bytes between evaluations and read it back with
// GuardSet.LoadSequence.
//
// A sequence is not safe for concurrent use: one goroutine at a time may
// evaluate with it, save it or close it.
type GuardSequence struct {
	c    *C.otaprio_guard_sequence
	rule int
}

// guardSequenceOf adopts a C sequence.
func guardSequenceOf(c *C.otaprio_guard_sequence, rule int) *GuardSequence {
	q := &GuardSequence{c: c, rule: rule}
	runtime.SetFinalizer(q, (*GuardSequence).Close)
	return q
}

// NewSequence returns a fresh state for rule, which must be marked
// sequential (ErrInvalid otherwise; ErrRange for an index out of range).
func (s *GuardSet) NewSequence(rule int) (*GuardSequence, error) {
	const op = "GuardSet.NewSequence"
	index, err := guardRuleIndex(op, "rule", -1, rule)
	if err != nil {
		return nil, err
	}
	var q *C.otaprio_guard_sequence
	d := newDiag()
	err = s.guardUse(op, func(set *C.otaprio_guard_set) error {
		return check(op, C.otaprio_guard_sequence_create(set, index, nil, &q, d), d)
	})
	if err != nil {
		return nil, err
	}
	return guardSequenceOf(q, rule), nil
}

// LoadSequence reads back a state saved by GuardSequence.Save for the
// same rule of the same set: ErrSyntax for bytes that are not a saved
// state of this version (wrong length, magic, version or checksum),
// ErrRange for one saved for another rule or that no evaluation could
// have produced, ErrInvalid for a rule that is not sequential.
func (s *GuardSet) LoadSequence(rule int, saved []byte) (*GuardSequence, error) {
	const op = "GuardSet.LoadSequence"
	index, err := guardRuleIndex(op, "rule", -1, rule)
	if err != nil {
		return nil, err
	}
	// Empty bytes are bytes of the wrong length, not a missing argument:
	// give C a valid pointer so that it says so.
	var empty [1]byte
	p := unsafe.Pointer(&empty[0])
	if len(saved) > 0 {
		p = unsafe.Pointer(&saved[0])
	}
	var q *C.otaprio_guard_sequence
	d := newDiag()
	err = s.guardUse(op, func(set *C.otaprio_guard_set) error {
		return check(op, C.otaprio_guard_sequence_load(set, index, p, C.size_t(len(saved)), nil, &q, d), d)
	})
	runtime.KeepAlive(saved)
	if err != nil {
		return nil, err
	}
	return guardSequenceOf(q, rule), nil
}

// Rule is the index of the rule the sequence belongs to.
func (q *GuardSequence) Rule() int { return q.rule }

// Save writes the state as GuardSequenceBytes bytes: a versioned,
// checksummed little-endian layout, the same on every platform.
func (q *GuardSequence) Save() ([]byte, error) {
	const op = "GuardSequence.Save"
	if q.c == nil {
		return nil, closedError(op, "sequence")
	}
	out := make([]byte, GuardSequenceBytes)
	status := C.otaprio_guard_sequence_save(q.c, unsafe.Pointer(&out[0]), C.size_t(len(out)))
	if err := check(op, status, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// MarshalBinary is Save, for encoding.BinaryMarshaler.
func (q *GuardSequence) MarshalBinary() ([]byte, error) { return q.Save() }

// Status returns the evaluations the sequence has seen and its
// always-valid p-value (1 before any event; it never rises).
func (q *GuardSequence) Status() (looks uint64, pValue float64, err error) {
	const op = "GuardSequence.Status"
	if q.c == nil {
		return 0, 0, closedError(op, "sequence")
	}
	var l C.uint64_t
	var p C.double
	if err := check(op, C.otaprio_guard_sequence_status(q.c, &l, &p), nil); err != nil {
		return 0, 0, err
	}
	return uint64(l), float64(p), nil
}

// Close frees the sequence; idempotent.
func (q *GuardSequence) Close() error {
	if q.c != nil {
		C.otaprio_guard_sequence_free(q.c)
		q.c = nil
	}
	runtime.SetFinalizer(q, nil)
	return nil
}
