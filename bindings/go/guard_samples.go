// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// otaprioGuardSamplesGo is the engine's otaprio_guard_samples_fn (through
// the wrapper in guard.go): it runs the GuardSamplesFunc of the call
// behind user and hands its slice to C, pinned until the engine asks
// again (it copies the values before that) or the evaluation ends.
//
//export otaprioGuardSamplesGo
func otaprioGuardSamplesGo(user unsafe.Pointer, row C.size_t, group C.int32_t, values **C.double, count *C.size_t) C.int {
	c := callOf(user)
	return c.run(func(pins *runtime.Pinner) error {
		samples, err := c.callback.(GuardSamplesFunc)(int(row), GuardGroup(group))
		if err != nil {
			return err
		}
		*values = column[C.double](pins, samples)
		*count = C.size_t(len(samples))
		return nil
	})
}
