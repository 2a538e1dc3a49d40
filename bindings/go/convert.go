// SPDX-License-Identifier: MIT

package otaprio

// #include <stdlib.h>
// #include "binding.h"
import "C"

import "unsafe"

// cFlag is the library's 0/1 flag of a Go bool.
func cFlag(b bool) C.int32_t {
	if b {
		return 1
	}
	return 0
}

// cStrings holds C copies of Go strings for the length of one call.
type cStrings []unsafe.Pointer

// add returns a C copy of s, freed by free.
func (s *cStrings) add(text string) *C.char {
	p := C.CString(text)
	*s = append(*s, unsafe.Pointer(p))
	return p
}

// free releases every copy.
func (s *cStrings) free() {
	for _, p := range *s {
		C.free(p)
	}
	*s = nil
}
