// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import "runtime"

// A plan chunk's engine columns go to the planner as the engines'
// bindings describe them to C, each struct pinned with its columns: the
// planner keeps the chunk (C memory) pointing at them until it asks for
// the next one.

// planDevicesToC describes a chunk's risk columns, refusing columns of
// another length than the chunk's keys.
func planDevicesToC(pins *runtime.Pinner, count int, d *Devices) (*C.otaprio_devices, error) {
	c, n, err := d.riskToC("NewPlan", pins)
	if err != nil {
		return nil, err
	}
	if n != count && (d.Count != 0 || n != 0) {
		return nil, argError("NewPlan", StatusInvalid, "chunk.devices", -1,
			"the devices' columns hold %d devices in a chunk of %d keys", n, count)
	}
	c.count = C.size_t(count)
	dev := new(C.otaprio_devices)
	*dev = c
	pins.Pin(dev)
	return dev, nil
}

// planStateToC describes a chunk's installed versions and predicate
// inputs, refusing columns of another length than the chunk's keys.
func planStateToC(pins *runtime.Pinner, count int, s *DeviceState) (*C.otaprio_device_state, error) {
	st, n, err := catalogStateToC("NewPlan", s, pins)
	if err != nil {
		return nil, err
	}
	if n != count && n != 0 {
		return nil, argError("NewPlan", StatusInvalid, "chunk.state", -1,
			"the device state holds %d devices in a chunk of %d keys", n, count)
	}
	st.count = C.size_t(count)
	pins.Pin(st)
	return st, nil
}
