// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import "unsafe"

// otaprioRiskSource is the otaprio_device_source_fn of every ScoreStream:
// user is the call's handle, through which it finds the Go callback.
//
//export otaprioRiskSource
func otaprioRiskSource(user unsafe.Pointer, devices *C.otaprio_devices,
	results *C.otaprio_device_results) C.int {
	return riskSourceChunk(callOf(user), devices, results)
}
