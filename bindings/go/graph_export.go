// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import "unsafe"

// The trampolines through which a graph wrapped by WrapGraph asks its Go
// host for neighbours. This file's cgo preamble holds declarations only,
// as cgo requires of a file with //export.

//export otaprioGraphSuccessors
func otaprioGraphSuccessors(user unsafe.Pointer, node C.uint32_t, buffer *C.uint32_t,
	capacity C.size_t, count *C.size_t) C.int {
	return graphNeighboursFor(user, DirectionForward, node, buffer, capacity, count)
}

//export otaprioGraphPredecessors
func otaprioGraphPredecessors(user unsafe.Pointer, node C.uint32_t, buffer *C.uint32_t,
	capacity C.size_t, count *C.size_t) C.int {
	return graphNeighboursFor(user, DirectionBackward, node, buffer, capacity, count)
}
