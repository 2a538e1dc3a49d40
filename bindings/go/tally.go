// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// Tally counts fleet and cohort devices per stratum, to score a cohort
// chosen by any means (another tool, a hand-picked list) the way a
// finished Cohort is scored.
//
// A tally is not safe for concurrent use; Representativeness only reads
// it.
type Tally struct {
	c    *C.otaprio_tally
	dims int
}

// NewTally starts an empty tally over the strata of the given
// cardinalities (a CohortSpec's Cardinalities: dimension d takes codes 0
// .. cardinalities[d]-1).
func NewTally(cardinalities []uint32) (*Tally, error) {
	const op = "NewTally"
	spec := DefaultCohortSpec()
	spec.Cardinalities = cardinalities
	var pins runtime.Pinner
	defer pins.Unpin()
	var cs C.otaprio_cohort_spec
	if err := cohortSpecToC(op, &pins, &spec, &cs); err != nil {
		return nil, err
	}
	var p *C.otaprio_tally
	d := newDiag()
	if err := check(op, C.otaprio_tally_create(&cs, nil, &p, d), d); err != nil {
		return nil, err
	}
	t := &Tally{c: p, dims: len(cardinalities)}
	runtime.SetFinalizer(t, (*Tally).Close)
	return t, nil
}

// Close frees the tally; it is idempotent.
func (t *Tally) Close() error {
	if t.c != nil {
		C.otaprio_tally_free(t.c)
		t.c = nil
		runtime.SetFinalizer(t, nil)
	}
	return nil
}

func (t *Tally) closed(op string) error {
	if t == nil || t.c == nil {
		return closedError(op, "tally")
	}
	return nil
}

// Add counts count fleet devices, and those of them in the cohort. codes
// holds one column per dimension (nil, a nil column or missing trailing
// columns mean code 0); inCohort is 1 for a cohort device, 0 otherwise, or
// nil when none is. Every non-nil column has count values. On error the
// tally is as it was.
func (t *Tally) Add(count int, codes [][]uint32, inCohort []uint8) error {
	const op = "Tally.Add"
	if err := t.closed(op); err != nil {
		return err
	}
	if count < 0 {
		return argError(op, StatusRange, "count", -1, "a count of %d devices", count)
	}
	if len(codes) > t.dims {
		return argError(op, StatusInvalid, "codes", -1, "%d code columns for %d dimensions", len(codes), t.dims)
	}
	for d, column := range codes {
		if column != nil && len(column) != count {
			return argError(op, StatusInvalid, "codes", int64(d), "%d codes for %d devices", len(column), count)
		}
	}
	if inCohort != nil && len(inCohort) != count {
		return argError(op, StatusInvalid, "in_cohort", -1, "%d flags for %d devices", len(inCohort), count)
	}
	if count == 0 {
		return nil
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	var columns **C.uint32_t
	if t.dims > 0 && len(codes) > 0 {
		ptrs := make([]*C.uint32_t, t.dims)
		for d, c := range codes {
			ptrs[d] = column[C.uint32_t](&pins, c)
		}
		columns = column[*C.uint32_t](&pins, ptrs)
	}
	d := newDiag()
	status := C.otaprio_tally_add(t.c, columns, C.size_t(count), column[C.uint8_t](&pins, inCohort), d)
	runtime.KeepAlive(t)
	return check(op, status, d)
}

// Representativeness scores the tallied cohort against the tallied fleet.
func (t *Tally) Representativeness() (Representativeness, error) {
	const op = "Tally.Representativeness"
	if err := t.closed(op); err != nil {
		return Representativeness{}, err
	}
	var r C.otaprio_representativeness
	r.size = C.size_t(unsafe.Sizeof(r))
	d := newDiag()
	status := C.otaprio_tally_representativeness(t.c, &r, d)
	runtime.KeepAlive(t)
	if err := check(op, status, d); err != nil {
		return Representativeness{}, err
	}
	return cohortReportFromC(&r), nil
}
