// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// Key derives a device's key from its identifier (serial number, UUID
// text, MAC...): XXH3-64 of the bytes, frozen forever. Also turns a
// rollout name into its salt. Safe for concurrent use.
func Key(identifier []byte) uint64 {
	var key C.uint64_t
	var p unsafe.Pointer
	if len(identifier) > 0 {
		p = unsafe.Pointer(&identifier[0])
	}
	C.otaprio_key_derive(p, C.size_t(len(identifier)), &key)
	return uint64(key)
}

// KeyString is Key of a string's bytes.
func KeyString(identifier string) uint64 {
	var key C.uint64_t
	p := unsafe.Pointer(unsafe.StringData(identifier))
	C.otaprio_key_derive(p, C.size_t(len(identifier)), &key)
	return uint64(key)
}

// Keys derives the keys of many identifiers in one call.
func Keys(identifiers []string) []uint64 {
	total := 0
	for _, id := range identifiers {
		total += len(id)
	}
	bytes := make([]byte, 0, total)
	offsets := make([]uint64, len(identifiers)+1)
	for i, id := range identifiers {
		bytes = append(bytes, id...)
		offsets[i+1] = uint64(len(bytes))
	}
	keys := make([]uint64, len(identifiers))
	if len(identifiers) == 0 {
		return keys
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	C.otaprio_key_derive_batch(unsafe.Pointer(column[C.uint8_t](&pins, bytes)),
		column[C.uint64_t](&pins, offsets), C.size_t(len(identifiers)),
		column[C.uint64_t](&pins, keys), nil)
	return keys
}

// BucketPosition is a device's frozen position in a rollout, uniform
// over the 64-bit range: the devices with the smallest positions form an
// unbiased sample, and another salt reshuffles the fleet independently.
func BucketPosition(salt, key uint64) uint64 {
	return uint64(C.otaprio_bucket_position(C.uint64_t(salt), C.uint64_t(key)))
}

// BucketFraction is the position as a fraction in [0, 1), exact in a
// float64: fraction < p selects a share p of the fleet identically on
// every platform.
func BucketFraction(salt, key uint64) float64 {
	return float64(C.otaprio_bucket_fraction(C.uint64_t(salt), C.uint64_t(key)))
}

// Buckets writes the positions and fractions of keys into the slices
// given (either may be nil, not both), each as long as keys. positions
// may be keys itself.
func Buckets(salt uint64, keys, positions []uint64, fractions []float64) error {
	const op = "Buckets"
	if positions == nil && fractions == nil {
		return argError(op, StatusInvalid, "positions", -1, "both outputs are nil")
	}
	if positions != nil && len(positions) != len(keys) {
		return argError(op, StatusInvalid, "positions", -1, "%d positions for %d keys", len(positions), len(keys))
	}
	if fractions != nil && len(fractions) != len(keys) {
		return argError(op, StatusInvalid, "fractions", -1, "%d fractions for %d keys", len(fractions), len(keys))
	}
	if len(keys) == 0 {
		return nil
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	d := newDiag()
	status := C.otaprio_bucket_batch(C.uint64_t(salt), column[C.uint64_t](&pins, keys),
		C.size_t(len(keys)), column[C.uint64_t](&pins, positions),
		column[C.double](&pins, fractions), d)
	return check(op, status, d)
}
