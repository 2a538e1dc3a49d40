// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"runtime"
	"runtime/cgo"
	"strconv"
	"unsafe"
)

// callbackStop is what a trampoline returns to C when its Go callback
// failed or panicked. It is positive, so it can never be mistaken for a
// library status; the library passes it back out unchanged.
const callbackStop = C.int(1)

// A call is one C call that calls back into Go: C gets a pointer to its
// handle as the user pointer, and the //export trampolines find the call
// (and its Go callback) through it. The call remembers how the callback
// ended, and pins what the callback handed to C until C is done with it.
type call struct {
	handle    *cgo.Handle
	callback  any
	err       error
	panicked  bool
	recovered any
	pins      runtime.Pinner
}

// newCall prepares a call of callback; end it with finish.
func newCall(callback any) *call {
	c := &call{callback: callback}
	h := cgo.NewHandle(c)
	c.handle = &h
	return c
}

// user is the pointer given to C as the callback's user data.
func (c *call) user() unsafe.Pointer { return unsafe.Pointer(c.handle) }

// callOf returns the call behind a user pointer a trampoline received.
func callOf(user unsafe.Pointer) *call { return (*cgo.Handle)(user).Value().(*call) }

// run runs a Go callback for C. A callback's error or panic is kept for
// finish, and C is told to stop; the pins of the previous chunk are
// released first, since C asks for the next chunk only when it is done
// with the last.
func (c *call) run(callback func(pins *runtime.Pinner) error) (status C.int) {
	c.pins.Unpin()
	defer func() {
		if r := recover(); r != nil {
			c.panicked, c.recovered = true, r
			status = callbackStop
		}
	}()
	if err := callback(&c.pins); err != nil {
		c.err = err
		return callbackStop
	}
	return 0
}

// finish ends the call once C has returned: it unpins, frees the handle,
// raises again a callback's panic, returns a callback's error unchanged,
// and otherwise the library's status as an error.
func (c *call) finish(op string, status C.int, d *C.otaprio_diag) error {
	c.pins.Unpin()
	c.handle.Delete()
	if c.panicked {
		panic(c.recovered)
	}
	if status == callbackStop && c.err != nil {
		return c.err
	}
	return check(op, status, d)
}

// column returns a C pointer to the first element of s, pinning the
// array (so C may read it through other memory) until pins is unpinned;
// nil for an empty slice. E and P must have the same size: a mismatch is
// a bug in the binding and panics.
func column[P, E any](pins *runtime.Pinner, s []E) *P {
	var e E
	var p P
	if unsafe.Sizeof(e) != unsafe.Sizeof(p) {
		panic("otaprio: column element size mismatch")
	}
	if len(s) == 0 {
		return nil
	}
	pins.Pin(&s[0])
	return (*P)(unsafe.Pointer(&s[0]))
}

// enumString names v from its table, or writes it as type(n).
func enumString[T ~int32](v T, names map[T]string, typeName string) string {
	if name, ok := names[v]; ok {
		return name
	}
	return typeName + "(" + strconv.Itoa(int(v)) + ")"
}

// flagName names one bit of a bit set.
type flagName struct {
	bit  uint32
	name string
}

// flagString names the set bits of v, joined by "|".
func flagString(v uint32, names []flagName) string {
	out := ""
	for _, n := range names {
		if v&n.bit != 0 {
			if out != "" {
				out += "|"
			}
			out += n.name
			v &^= n.bit
		}
	}
	if v != 0 {
		if out != "" {
			out += "|"
		}
		out += "0x" + strconv.FormatUint(uint64(v), 16)
	}
	return out
}
