// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// planSourceTrampoline is the otaprio_plan_source_fn of every plan: it
// finds the call behind user and asks its Go source for the next chunk.
//
//export planSourceTrampoline
func planSourceTrampoline(user unsafe.Pointer, pass C.int32_t, first C.uint64_t, chunk *C.otaprio_plan_chunk) C.int {
	c := callOf(user)
	return c.run(func(pins *runtime.Pinner) error {
		return c.callback.(*planStream).next(pins, PlanPass(pass), uint64(first), chunk)
	})
}
