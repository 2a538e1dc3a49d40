// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// DeviceState is a chunk of devices as columns, one element per device,
// handed to the library without copying. Every non-nil column must have
// the same length, the chunk's device count. A nil predicate column means
// the host does not know the value: a package with a rule on it then
// fails that rule, except for the defaults noted.
type DeviceState struct {
	// Versions holds one column per component id: the version id
	// installed on each device, or VersionNone. A nil column, or a
	// component past the end, is on no device.
	Versions [][]uint32
	// Carrier, Region and Enrollment are the host's codes; CodeUnknown
	// for a device whose value the host does not know.
	Carrier, Region, Enrollment []uint32
	// Battery is the charge in [0, 1]; nil means mains power.
	Battery []float32
	// Charging is 1 when charging, else 0; nil means none is.
	Charging []uint8
	// FreeBytes is free storage; nil means unlimited.
	FreeBytes []uint64
	// Metered is 1 on a metered link, else 0; nil means none is.
	Metered []uint8
}

// catalogColumnLen folds one column into the chunk's device count, or
// reports the column whose length disagrees.
func catalogColumnLen(op, field string, index int64, length int, isNil bool, count *int) error {
	if isNil {
		return nil
	}
	if *count < 0 {
		*count = length
		return nil
	}
	if length != *count {
		return argError(op, StatusInvalid, field, index, "%d values for %d devices", length, *count)
	}
	return nil
}

// Len returns the chunk's device count: the length of its non-nil
// columns (0 when every column is nil). It does not check that the
// columns agree; the catalog's methods do.
func (s *DeviceState) Len() int {
	n, _ := s.count("")
	return n
}

// count returns the device count, checking that the columns agree.
func (s *DeviceState) count(op string) (int, error) {
	n := -1
	for i, v := range s.Versions {
		if err := catalogColumnLen(op, "versions", int64(i), len(v), v == nil, &n); err != nil {
			return 0, err
		}
	}
	for _, col := range []struct {
		name   string
		length int
		isNil  bool
	}{
		{"carrier", len(s.Carrier), s.Carrier == nil},
		{"region", len(s.Region), s.Region == nil},
		{"enrollment", len(s.Enrollment), s.Enrollment == nil},
		{"battery", len(s.Battery), s.Battery == nil},
		{"charging", len(s.Charging), s.Charging == nil},
		{"free_bytes", len(s.FreeBytes), s.FreeBytes == nil},
		{"metered", len(s.Metered), s.Metered == nil},
	} {
		if err := catalogColumnLen(op, col.name, -1, col.length, col.isNil, &n); err != nil {
			return 0, err
		}
	}
	if n < 0 {
		n = 0
	}
	return n, nil
}

// catalogStateToC describes the chunk to C over the Go columns, pinning
// them (and the table of version columns) until pins is unpinned.
func catalogStateToC(op string, s *DeviceState, pins *runtime.Pinner) (*C.otaprio_device_state, int, error) {
	if s == nil {
		return nil, 0, argError(op, StatusInvalid, "state", -1, "the device state is nil")
	}
	n, err := s.count(op)
	if err != nil {
		return nil, 0, err
	}
	st := new(C.otaprio_device_state)
	C.otaprio_device_state_init(st, C.size_t(unsafe.Sizeof(*st)))
	st.count = C.size_t(n)
	if len(s.Versions) > 0 {
		table := make([]*C.uint32_t, len(s.Versions))
		for i, v := range s.Versions {
			table[i] = column[C.uint32_t](pins, v)
		}
		st.versions = column[*C.uint32_t](pins, table)
		st.component_count = C.size_t(len(s.Versions))
	}
	st.carrier = column[C.uint32_t](pins, s.Carrier)
	st.region = column[C.uint32_t](pins, s.Region)
	st.enrollment = column[C.uint32_t](pins, s.Enrollment)
	st.battery = column[C.float](pins, s.Battery)
	st.charging = column[C.uint8_t](pins, s.Charging)
	st.free_bytes = column[C.uint64_t](pins, s.FreeBytes)
	st.metered = column[C.uint8_t](pins, s.Metered)
	return st, n, nil
}

// DeviceCheck tells, per device of a chunk, whether it can install a
// package now and why not.
type DeviceCheck struct {
	// Blocks is each device's Block mask; 0 means it can install now.
	Blocks []Block
	// FirstFailed is the number of the package's first relation the
	// device fails, or NoFailedRelation.
	FirstFailed []uint32
	// Eligible is the number of devices with an empty mask.
	Eligible uint64
}

// CheckDevices checks whether each device of a chunk can install pkg now.
// Every column is checked before anything is written: a version id that
// is neither VersionNone nor one of its component's, a battery level
// outside [0, 1] or a flag other than 0 or 1 fails with ErrRange naming
// the column and device.
func (c *Catalog) CheckDevices(pkg uint32, devices *DeviceState) (*DeviceCheck, error) {
	n := 0
	if devices != nil {
		n = devices.Len()
	}
	out := &DeviceCheck{Blocks: make([]Block, n), FirstFailed: make([]uint32, n)}
	eligible, err := c.CheckDevicesInto(pkg, devices, out.Blocks, out.FirstFailed)
	if err != nil {
		return nil, err
	}
	out.Eligible = eligible
	return out, nil
}

// CheckDevicesInto is CheckDevices writing into the caller's slices, so
// that a stream of chunks allocates nothing: blocks and firstFailed each
// nil or as long as the chunk. It returns the number of eligible devices.
func (c *Catalog) CheckDevicesInto(pkg uint32, devices *DeviceState, blocks []Block, firstFailed []uint32) (uint64, error) {
	const op = "Catalog.CheckDevices"
	h, err := c.handle(op)
	if err != nil {
		return 0, err
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	st, n, err := catalogStateToC(op, devices, &pins)
	if err != nil {
		return 0, err
	}
	if blocks != nil && len(blocks) != n {
		return 0, argError(op, StatusInvalid, "blocks", -1, "%d masks for %d devices", len(blocks), n)
	}
	if firstFailed != nil && len(firstFailed) != n {
		return 0, argError(op, StatusInvalid, "first_failed", -1, "%d slots for %d devices", len(firstFailed), n)
	}
	var eligible C.uint64_t
	d := newDiag()
	status := C.otaprio_catalog_check_devices(h, C.uint32_t(pkg), st,
		graphIn[C.uint32_t](blocks), graphIn[C.uint32_t](firstFailed), &eligible, d)
	runtime.KeepAlive(c)
	if err := check(op, status, d); err != nil {
		return 0, err
	}
	return uint64(eligible), nil
}

// UpdatePath is a device's shortest prerequisite path to a package.
type UpdatePath struct {
	// Packages are the package ids to install first, in order; empty
	// when the package's requirements and conflicts already hold.
	Packages []uint32
	// DownloadBytes is the path's total download.
	DownloadBytes uint64
}

// UpdatePath finds the packages one device of a chunk must install, in
// order, before pkg becomes installable: fewest steps, then smallest
// total download, then the lexicographically smallest ids. Only the
// packages that can matter are searched. ErrNotFound when nothing would
// help (a predicate of pkg fails, or no sequence reaches it; the message
// says why); ErrLimit when more than maxStates device states would have
// to be examined (0 means DefaultPathStates).
func (c *Catalog) UpdatePath(pkg uint32, devices *DeviceState, device int, maxStates uint64) (UpdatePath, error) {
	const op = "Catalog.UpdatePath"
	h, err := c.handle(op)
	if err != nil {
		return UpdatePath{}, err
	}
	if device < 0 {
		return UpdatePath{}, argError(op, StatusRange, "device", int64(device), "a device index is not negative")
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	st, _, err := catalogStateToC(op, devices, &pins)
	if err != nil {
		return UpdatePath{}, err
	}
	path := make([]uint32, c.packageCount())
	for {
		var length C.size_t
		var bytes C.uint64_t
		d := newDiag()
		status := C.otaprio_catalog_update_path(h, C.uint32_t(pkg), st, C.size_t(device),
			C.uint64_t(maxStates), graphOut[C.uint32_t](path), C.size_t(len(path)), &length, &bytes, d)
		if status == C.OTAPRIO_E_RANGE && uint64(length) > uint64(len(path)) {
			// A path that repeats packages may outgrow the catalog.
			path = make([]uint32, int(length))
			continue
		}
		runtime.KeepAlive(c)
		if err := check(op, status, d); err != nil {
			return UpdatePath{}, err
		}
		return UpdatePath{Packages: path[:int(length)], DownloadBytes: uint64(bytes)}, nil
	}
}

// ImpactDevices marks the devices of a chunk that inherit a flaw in the
// versions of component that constraint admits: ImpactDirect when a
// device runs a flawed version, ImpactInherited when it runs a version
// that a package hit by Impact provides, else ImpactNone. Only the
// version columns are read. It returns one mark per device and the
// number marked. Feeding the marks to a Clusterer as its include column
// counts them by any attribute.
func (c *Catalog) ImpactDevices(component uint32, constraint string, devices *DeviceState) ([]ImpactMark, uint64, error) {
	const op = "Catalog.ImpactDevices"
	h, err := c.handle(op)
	if err != nil {
		return nil, 0, err
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	st, n, err := catalogStateToC(op, devices, &pins)
	if err != nil {
		return nil, 0, err
	}
	marks := make([]ImpactMark, n)
	p, length := graphText(constraint)
	var count C.uint64_t
	d := newDiag()
	status := C.otaprio_catalog_impact_devices(h, C.uint32_t(component), p, length, st,
		graphOut[C.uint8_t](marks), &count, d)
	runtime.KeepAlive(c)
	if err := check(op, status, d); err != nil {
		return nil, 0, err
	}
	return marks, uint64(count), nil
}
