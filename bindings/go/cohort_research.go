// SPDX-License-Identifier: MIT

package otaprio

// #include <stdlib.h>
// #include "binding.h"
//
// extern int otaprioGoCohortSource(void *user, otaprio_cohort_chunk *chunk);
// extern int otaprioGoCohortInit(void *user, const otaprio_cohort_spec *spec, void **state);
// extern int otaprioGoCohortObserve(void *user, void *state, const otaprio_cohort_chunk *chunk);
// extern int otaprioGoCohortMerge(void *user, void *state, void *other);
// extern int otaprioGoCohortFinish(void *user, void *state, otaprio_cohort_emit_fn emit, void *emit_user);
// extern void otaprioGoCohortDestroy(void *user, void *state);
//
// static int otaprio_go_cohort_emit(otaprio_cohort_emit_fn emit, void *user,
//                                   uint64_t key, uint64_t stratum, uint32_t wave)
// {
//     return emit(user, key, stratum, wave);
// }
import "C"

import (
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"runtime/cgo"
	"unsafe"
)

// CohortAlgorithm is a cohort algorithm EvaluateCohort runs over a fleet:
// one of the library's built-in methods (BuiltinCohortAlgorithm) or a Go
// implementation (NewCohortAlgorithm), so that a researcher compares them
// on the same fleets and the same scores. An algorithm value is immutable
// and safe for concurrent use; each EvaluateCohort call starts its own
// states.
type CohortAlgorithm struct {
	name    string
	builtin C.otaprio_cohort_algorithm
	custom  CustomCohortAlgorithm
}

// BuiltinCohortAlgorithm is a built-in method behind the algorithm
// interface, driven through the sampler: the method overrides the spec's,
// and the spec fields that do not apply to it are cleared.
func BuiltinCohortAlgorithm(method CohortMethod) (*CohortAlgorithm, error) {
	const op = "BuiltinCohortAlgorithm"
	a := &CohortAlgorithm{}
	a.builtin.size = C.size_t(unsafe.Sizeof(a.builtin))
	if status := C.otaprio_cohort_algorithm_builtin(C.int32_t(method), &a.builtin); status != C.OTAPRIO_OK {
		return nil, argError(op, Status(status), "method", int64(method), "%s: no such built-in method", method)
	}
	a.name = C.GoString(a.builtin.name)
	return a, nil
}

// NewCohortAlgorithm wraps a Go algorithm under a name, for reports. Its
// Init may be called from several goroutines when evaluations run at once.
func NewCohortAlgorithm(name string, algorithm CustomCohortAlgorithm) *CohortAlgorithm {
	return &CohortAlgorithm{name: name, custom: algorithm}
}

// Name is the algorithm's short name ("proportional", ...).
func (a *CohortAlgorithm) Name() string { return a.name }

// CustomCohortAlgorithm is a cohort algorithm written in Go: Init starts a
// state per shard of the fleet, the states observe chunks and merge, and
// the merged state emits the selected devices.
//
// Its methods run on the goroutine that called EvaluateCohort, one at a
// time. An error any of them returns stops the evaluation and comes back
// from EvaluateCohort unchanged; a panic is raised again from
// EvaluateCohort.
type CustomCohortAlgorithm interface {
	// Init starts a state for the rollout spec (a copy: keep what it needs).
	Init(spec CohortSpec) (CohortAlgorithmState, error)
}

// CohortAlgorithmState is one state of a CustomCohortAlgorithm. A state
// that also has a Close method (io.Closer) is closed when the library is
// done with it: after the evaluation, or once merged into another; its
// error is ignored, as the C interface's destroy has none.
type CohortAlgorithmState interface {
	// Observe sees a chunk of devices. The chunk's slices are lent for the
	// call only: copy what must outlive it.
	Observe(chunk CohortChunk) error
	// Merge folds other, a state of the same algorithm that saw other
	// chunks, into this one; other is discarded afterwards.
	Merge(other CohortAlgorithmState) error
	// Finish emits every device of the canary waves once: its key, its
	// stratum id and the first wave it is in. An error from emit (a device
	// the library refuses) should be returned as is.
	Finish(emit func(key, stratum uint64, wave uint32) error) error
}

// CohortSource supplies the next chunk of a fleet to EvaluateCohort; a
// chunk without keys ends the fleet. The chunk's slices are read during
// the evaluation's next steps and must not change until the source is
// called again. An error stops the evaluation and comes back from
// EvaluateCohort unchanged.
type CohortSource func() (CohortChunk, error)

// cohortEvaluation is what the trampolines of one EvaluateCohort call
// reach through its user pointer.
type cohortEvaluation struct {
	source CohortSource
	dims   int
	custom CustomCohortAlgorithm
}

// cohortEmitError is an emit the library refused: Finish returns it, and
// its status goes back to the library unchanged, as the C interface asks.
type cohortEmitError struct {
	status C.int
	err    error
}

// Error is the refusal's text.
func (e *cohortEmitError) Error() string { return e.err.Error() }

// Unwrap gives the *Error, for errors.Is.
func (e *cohortEmitError) Unwrap() error { return e.err }

// EvaluateCohort runs an algorithm over a fleet and scores every canary
// wave of its cohort against the fleet: one report per wave of spec, whose
// waves must all be below 1. Chunks go to shards states in turn (chunk i
// to state i % shards), merged before the finish, so the call also tests
// that the algorithm merges. The devices emitted are checked against the
// fleet: a wave past the last, a stratum past the strata, or more devices
// in a stratum than observed are ErrInvalid.
func EvaluateCohort(algorithm *CohortAlgorithm, spec CohortSpec, shards int, source CohortSource) ([]Representativeness, error) {
	const op = "EvaluateCohort"
	switch {
	case algorithm == nil || (algorithm.custom == nil && algorithm.builtin.size == 0):
		return nil, argError(op, StatusInvalid, "algorithm", -1, "no algorithm")
	case source == nil:
		return nil, argError(op, StatusInvalid, "source", -1, "no source")
	case shards < 0 || uint64(shards) > math.MaxUint32:
		return nil, argError(op, StatusRange, "shards", int64(shards), "%d shards", shards)
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	var cs C.otaprio_cohort_spec
	if err := cohortSpecToC(op, &pins, &spec, &cs); err != nil {
		return nil, err
	}
	ev := &cohortEvaluation{source: source, dims: len(spec.Cardinalities), custom: algorithm.custom}
	c := newCall(ev)
	// The table holds the call's user pointer, Go memory: pinned, since
	// the table itself is Go memory handed to C.
	pins.Pin(c.handle)
	table := algorithm.builtin
	if algorithm.custom != nil {
		name := C.CString(algorithm.name)
		defer C.free(unsafe.Pointer(name))
		table = C.otaprio_cohort_algorithm{
			size:    C.size_t(unsafe.Sizeof(table)),
			name:    name,
			user:    c.user(),
			init:    (*[0]byte)(C.otaprioGoCohortInit),
			observe: (*[0]byte)(C.otaprioGoCohortObserve),
			merge:   (*[0]byte)(C.otaprioGoCohortMerge),
			finish:  (*[0]byte)(C.otaprioGoCohortFinish),
			destroy: (*[0]byte)(C.otaprioGoCohortDestroy),
		}
	}
	reports := make([]C.otaprio_representativeness, max(len(spec.Waves), 1))
	for i := range reports {
		reports[i].size = C.size_t(unsafe.Sizeof(reports[i]))
	}
	d := newDiag()
	status := C.otaprio_cohort_evaluate(&table, &cs, C.uint32_t(shards),
		C.otaprio_cohort_source_fn(C.otaprioGoCohortSource), c.user(), &reports[0], d)
	if err := c.finish(op, status, d); err != nil {
		return nil, err
	}
	out := make([]Representativeness, len(spec.Waves))
	for i := range out {
		out[i] = cohortReportFromC(&reports[i])
	}
	return out, nil
}

// cohortGuard runs one of a Go algorithm's methods for C: an error or a
// panic is kept in the call for finish, and C is told to stop. Unlike
// call.run it leaves the source's pins alone: the chunk being observed is
// still in use.
func cohortGuard(c *call, f func() error) (status C.int) {
	defer func() {
		if r := recover(); r != nil {
			if !c.panicked { // the first panic is the one raised again
				c.panicked, c.recovered = true, r
			}
			status = callbackStop
		}
	}()
	err := f()
	if err == nil {
		return 0
	}
	var refused *cohortEmitError
	if errors.As(err, &refused) {
		return refused.status
	}
	if c.err == nil {
		c.err = err
	}
	return callbackStop
}

// A state handed to C is a cgo handle in C memory: C keeps the pointer
// between calls, which Go memory may not be.
func cohortStateNew(state CohortAlgorithmState) unsafe.Pointer {
	p := C.malloc(C.size_t(unsafe.Sizeof(cgo.Handle(0))))
	if p == nil {
		panic("otaprio: out of memory for a cohort algorithm state")
	}
	*(*cgo.Handle)(p) = cgo.NewHandle(state)
	return p
}

func cohortStateOf(p unsafe.Pointer) CohortAlgorithmState {
	return (*(*cgo.Handle)(p)).Value().(CohortAlgorithmState)
}

func cohortStateFree(p unsafe.Pointer) {
	if p == nil {
		return
	}
	h := *(*cgo.Handle)(p)
	state := h.Value()
	h.Delete()
	C.free(p)
	if closer, ok := state.(io.Closer); ok {
		closer.Close()
	}
}

// cohortEmitter wraps the library's emit function for a Go Finish.
func cohortEmitter(emit C.otaprio_cohort_emit_fn, user unsafe.Pointer) func(key, stratum uint64, wave uint32) error {
	return func(key, stratum uint64, wave uint32) error {
		status := C.otaprio_go_cohort_emit(emit, user, C.uint64_t(key), C.uint64_t(stratum), C.uint32_t(wave))
		if status == 0 {
			return nil
		}
		return &cohortEmitError{status: status, err: &Error{Op: "CohortAlgorithmState.Finish", Status: Status(status),
			Index: -1, Message: fmt.Sprintf("the library refused device %#x (stratum %d, wave %d)", key, stratum, wave)}}
	}
}
