// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// The trampolines C calls during EvaluateCohort. Each finds its call
// through the user pointer; this file has only declarations in its
// preamble, as cgo requires of a file with //export.

//export otaprioGoCohortSource
func otaprioGoCohortSource(user unsafe.Pointer, chunk *C.otaprio_cohort_chunk) C.int {
	c := callOf(user)
	ev := c.callback.(*cohortEvaluation)
	return c.run(func(pins *runtime.Pinner) error {
		next, err := ev.source()
		if err != nil {
			return err
		}
		// The library prepared the chunk: keep its size, fill the rest.
		return cohortChunkToC("CohortSource", pins, &next, ev.dims, chunk)
	})
}

//export otaprioGoCohortInit
func otaprioGoCohortInit(user unsafe.Pointer, spec *C.otaprio_cohort_spec, state *unsafe.Pointer) C.int {
	c := callOf(user)
	ev := c.callback.(*cohortEvaluation)
	return cohortGuard(c, func() error {
		s, err := ev.custom.Init(cohortSpecFromC(spec))
		if err != nil {
			return err
		}
		if s == nil {
			return argError("CustomCohortAlgorithm.Init", StatusInvalid, "state", -1, "Init returned no state")
		}
		*state = cohortStateNew(s)
		return nil
	})
}

//export otaprioGoCohortObserve
func otaprioGoCohortObserve(user, state unsafe.Pointer, chunk *C.otaprio_cohort_chunk) C.int {
	c := callOf(user)
	ev := c.callback.(*cohortEvaluation)
	return cohortGuard(c, func() error {
		return cohortStateOf(state).Observe(cohortChunkFromC(chunk, ev.dims))
	})
}

//export otaprioGoCohortMerge
func otaprioGoCohortMerge(user, state, other unsafe.Pointer) C.int {
	c := callOf(user)
	return cohortGuard(c, func() error {
		// other belongs to the merge from the call on, also when it fails.
		defer cohortStateFree(other)
		return cohortStateOf(state).Merge(cohortStateOf(other))
	})
}

//export otaprioGoCohortFinish
func otaprioGoCohortFinish(user, state unsafe.Pointer, emit C.otaprio_cohort_emit_fn, emitUser unsafe.Pointer) C.int {
	c := callOf(user)
	return cohortGuard(c, func() error {
		return cohortStateOf(state).Finish(cohortEmitter(emit, emitUser))
	})
}

//export otaprioGoCohortDestroy
func otaprioGoCohortDestroy(user, state unsafe.Pointer) {
	// A state's Close may panic too: caught like any callback's.
	cohortGuard(callOf(user), func() error {
		cohortStateFree(state)
		return nil
	})
}
