// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
//
// extern int otaprioRiskSource(void *, otaprio_devices *, otaprio_device_results *);
import "C"

import (
	"runtime"
	"unsafe"
)

// Devices is a chunk of devices as columns (otaprio_devices): one slice per
// attribute, each holding one element per device, or nil when the host has
// no such data and the documented default applies to every device.
//
// The library reads the slices in place, without copying: each element
// type is the C column's own. Enum columns hold the enum's value (e.g.
// uint8(DeviceClassMedical)); flag columns hold 0 or 1, and any other byte
// fails with ErrRange naming the column and device.
//
// A Devices is plain data: the library only reads it, so one Devices may
// be scored by several goroutines at once (each with its own results).
type Devices struct {
	// Count is the number of devices; 0 takes it from the columns. Every
	// non-nil column must hold exactly Count devices.
	Count int
	// DeviceClass is a DeviceClass below DeviceClassMax; default
	// DeviceClassOther.
	DeviceClass []uint8
	// CustomerTier is a CustomerTier; default CustomerTierStandard.
	CustomerTier []uint8
	// Exposure is an Exposure; default ExposureInternal.
	Exposure []uint8
	// Redundant is 1 when a redundant peer can take over; default 0.
	Redundant []uint8
	// Uptime is an Uptime; default UptimeBusiness.
	Uptime []uint8
	// SafeFallback is 1 when the device can fall back safely (A/B slot,
	// recovery image); default 0.
	SafeFallback []uint8
	// Battery is the charge in [0, 1]; default 1 (on mains).
	Battery []float32
	// Charging is 1 when charging; default 0.
	Charging []uint8
	// Link is a Link; default LinkEthernet.
	Link []uint8
	// Metered is 1 on a metered connection; default 0.
	Metered []uint8
	// FreeBytes is the free storage in bytes; default unlimited.
	FreeBytes []uint64
	// FailedAttempts counts consecutive failed update attempts; default 0.
	FailedAttempts []uint32
	// DaysOffline counts days since the device last checked in; default 0.
	DaysOffline []uint32
	// Busy is 1 when the device is in its busy period now (outside its
	// maintenance window); default 0.
	Busy []uint8
	// Affected is 1 when the device runs an affected build; default 1.
	Affected []uint8
	// PrerequisiteMissing is 1 when a prerequisite is missing; default 0.
	PrerequisiteMissing []uint8
	// Excluded is 1 when the host's own policy excludes the device;
	// default 0.
	Excluded []uint8
}

// riskColumn is one device column's name (as the library spells it in
// its diagnostics), length, and whether it is given.
type riskColumn struct {
	name  string
	n     int
	given bool
}

func (d *Devices) riskColumns() [17]riskColumn {
	return [...]riskColumn{
		{"device_class", len(d.DeviceClass), d.DeviceClass != nil},
		{"customer_tier", len(d.CustomerTier), d.CustomerTier != nil},
		{"exposure", len(d.Exposure), d.Exposure != nil},
		{"redundant", len(d.Redundant), d.Redundant != nil},
		{"uptime", len(d.Uptime), d.Uptime != nil},
		{"safe_fallback", len(d.SafeFallback), d.SafeFallback != nil},
		{"battery", len(d.Battery), d.Battery != nil},
		{"charging", len(d.Charging), d.Charging != nil},
		{"link", len(d.Link), d.Link != nil},
		{"metered", len(d.Metered), d.Metered != nil},
		{"free_bytes", len(d.FreeBytes), d.FreeBytes != nil},
		{"failed_attempts", len(d.FailedAttempts), d.FailedAttempts != nil},
		{"days_offline", len(d.DaysOffline), d.DaysOffline != nil},
		{"busy", len(d.Busy), d.Busy != nil},
		{"affected", len(d.Affected), d.Affected != nil},
		{"prerequisite_missing", len(d.PrerequisiteMissing), d.PrerequisiteMissing != nil},
		{"excluded", len(d.Excluded), d.Excluded != nil},
	}
}

// Len returns the number of devices: Count, or the length of the first
// column given when Count is 0. It does not check that the columns agree.
func (d *Devices) Len() int {
	if d.Count != 0 {
		return d.Count
	}
	for _, c := range d.riskColumns() {
		if c.given {
			return c.n
		}
	}
	return 0
}

// riskToC checks the columns' lengths and returns the chunk as the
// library reads it, every column pinned in pins (the caller unpins once C
// is done), and the number of devices. The plan engine's binding uses it
// for the request's devices too.
func (d *Devices) riskToC(op string, pins *runtime.Pinner) (C.otaprio_devices, int, error) {
	var c C.otaprio_devices
	C.otaprio_devices_init(&c, C.size_t(unsafe.Sizeof(c)))
	if d == nil {
		return c, 0, argError(op, StatusInvalid, "devices", -1, "devices is nil")
	}
	if d.Count < 0 {
		return c, 0, argError(op, StatusInvalid, "count", -1, "count is %d", d.Count)
	}
	n := d.Len()
	for _, col := range d.riskColumns() {
		if col.given && col.n != n {
			return c, 0, argError(op, StatusInvalid, col.name, -1,
				"devices.%s holds %d devices, not %d", col.name, col.n, n)
		}
	}
	c.count = C.size_t(n)
	c.device_class = column[C.uint8_t](pins, d.DeviceClass)
	c.customer_tier = column[C.uint8_t](pins, d.CustomerTier)
	c.exposure = column[C.uint8_t](pins, d.Exposure)
	c.redundant = column[C.uint8_t](pins, d.Redundant)
	c.uptime = column[C.uint8_t](pins, d.Uptime)
	c.safe_fallback = column[C.uint8_t](pins, d.SafeFallback)
	c.battery = column[C.float](pins, d.Battery)
	c.charging = column[C.uint8_t](pins, d.Charging)
	c.link = column[C.uint8_t](pins, d.Link)
	c.metered = column[C.uint8_t](pins, d.Metered)
	c.free_bytes = column[C.uint64_t](pins, d.FreeBytes)
	c.failed_attempts = column[C.uint32_t](pins, d.FailedAttempts)
	c.days_offline = column[C.uint32_t](pins, d.DaysOffline)
	c.busy = column[C.uint8_t](pins, d.Busy)
	c.affected = column[C.uint8_t](pins, d.Affected)
	c.prerequisite_missing = column[C.uint8_t](pins, d.PrerequisiteMissing)
	c.excluded = column[C.uint8_t](pins, d.Excluded)
	return c, n, nil
}

// DeviceResults holds per-device answers, one element per device
// (otaprio_device_results); the library writes them in place.
//
// Priority, disposition and reasons are always computed. Criticality and
// delivery risk are computed only into slices that are there: leaving them
// out (SkipDetail) makes scoring several times faster on large fleets.
type DeviceResults struct {
	// Priority is in points, 0 to 100: higher is more urgent.
	Priority []float64
	// Disposition holds a Disposition per device:
	// Disposition(r.Disposition[i]).
	Disposition []uint8
	// Reasons holds the reason bits per device.
	Reasons []Reason
	// Criticality is in points, 0 to 100.
	Criticality []float64
	// DeliveryRisk is in points, 0 to 100.
	DeliveryRisk []float64
	// SkipDetail leaves nil Criticality and DeliveryRisk slices nil in
	// ScoreDevices, instead of allocating them, and the library then skips
	// computing them. The other outputs are the same.
	SkipDetail bool
}

// riskToC checks the outputs against n devices and returns them as the
// library writes them, pinned in pins. With allocate, a nil output is
// allocated (Criticality and DeliveryRisk only without SkipDetail);
// otherwise a nil output is one the caller does not want.
func (r *DeviceResults) riskToC(op string, n int, allocate bool,
	pins *runtime.Pinner) (C.otaprio_device_results, error) {
	var c C.otaprio_device_results
	C.otaprio_device_results_init(&c, C.size_t(unsafe.Sizeof(c)))
	for _, out := range [...]riskColumn{
		{"priority", len(r.Priority), r.Priority != nil},
		{"disposition", len(r.Disposition), r.Disposition != nil},
		{"reasons", len(r.Reasons), r.Reasons != nil},
		{"criticality", len(r.Criticality), r.Criticality != nil},
		{"delivery_risk", len(r.DeliveryRisk), r.DeliveryRisk != nil},
	} {
		if out.given && out.n != n {
			return c, argError(op, StatusInvalid, out.name, -1,
				"results.%s holds %d elements for %d devices", out.name, out.n, n)
		}
	}
	if allocate {
		if r.Priority == nil {
			r.Priority = make([]float64, n)
		}
		if r.Disposition == nil {
			r.Disposition = make([]uint8, n)
		}
		if r.Reasons == nil {
			r.Reasons = make([]Reason, n)
		}
		if r.Criticality == nil && !r.SkipDetail {
			r.Criticality = make([]float64, n)
		}
		if r.DeliveryRisk == nil && !r.SkipDetail {
			r.DeliveryRisk = make([]float64, n)
		}
	}
	c.priority = column[C.double](pins, r.Priority)
	c.disposition = column[C.uint8_t](pins, r.Disposition)
	c.reasons = column[C.uint32_t](pins, r.Reasons)
	c.criticality = column[C.double](pins, r.Criticality)
	c.delivery_risk = column[C.double](pins, r.DeliveryRisk)
	return c, nil
}

// ScoreDevices scores a chunk of devices for a scored fix, writing the
// answers into results and returning it.
//
// With results nil, every output is allocated. Otherwise its slices are
// reused, so that a host scoring chunk after chunk allocates nothing: a
// nil slice is allocated (Criticality and DeliveryRisk not under
// SkipDetail), a non-nil one must hold one element per device.
//
// Every column is validated before anything is written: a column or output
// of the wrong length fails with ErrInvalid, a value out of its domain
// (an enum or flag out of range, a NaN or out-of-range battery) with
// ErrRange, its Field naming the column and Index the device, and the
// outputs are then untouched. The slices are not retained after the call.
// Safe for concurrent use with distinct results.
func (m *RiskModel) ScoreDevices(issue IssueScore, devices *Devices,
	results *DeviceResults) (*DeviceResults, error) {
	const op = "ScoreDevices"
	model, err := m.riskAcquire(op)
	if err != nil {
		return nil, err
	}
	defer m.riskRelease()
	var pins runtime.Pinner
	defer pins.Unpin()
	cd, n, err := devices.riskToC(op, &pins)
	if err != nil {
		return nil, err
	}
	if results == nil {
		results = new(DeviceResults)
	}
	cr, err := results.riskToC(op, n, true, &pins)
	if err != nil {
		return nil, err
	}
	ci := issue.riskToC()
	d := newDiag()
	if err := check(op, C.otaprio_risk_score_devices(model, &ci, &cd, &cr, d), d); err != nil {
		return nil, err
	}
	return results, nil
}

// DeviceScore is one device's scores with the lines that explain them
// (otaprio_device_score).
type DeviceScore struct {
	// PriorityMilli is the priority in thousandths of a point.
	PriorityMilli int64
	// CriticalityMilli is the criticality in thousandths of a point.
	CriticalityMilli int64
	// DeliveryMilli is the delivery risk in thousandths of a point.
	DeliveryMilli int64
	// Disposition says what the device may do with the fix now.
	Disposition Disposition
	// Reasons say why not, or what to watch.
	Reasons Reason
	// Explanation holds one line per factor of each score; the lines of
	// each ScoreKind add up to that score.
	Explanation []FactorPoints
}

// Priority returns the priority in points, as ScoreDevices gives it.
func (s DeviceScore) Priority() float64 { return float64(s.PriorityMilli) / 1000 }

// Criticality returns the criticality in points.
func (s DeviceScore) Criticality() float64 { return float64(s.CriticalityMilli) / 1000 }

// DeliveryRisk returns the delivery risk in points.
func (s DeviceScore) DeliveryRisk() float64 { return float64(s.DeliveryMilli) / 1000 }

// ExplainDevice explains device index of a chunk: the same numbers as
// ScoreDevices gives it, with one line per factor of its criticality,
// delivery risk and priority. An index outside the chunk fails with
// ErrRange. Safe for concurrent use.
func (m *RiskModel) ExplainDevice(issue IssueScore, devices *Devices, index int) (DeviceScore, error) {
	const op = "ExplainDevice"
	model, err := m.riskAcquire(op)
	if err != nil {
		return DeviceScore{}, err
	}
	defer m.riskRelease()
	if index < 0 {
		return DeviceScore{}, argError(op, StatusRange, "index", int64(index),
			"index is %d; it must not be negative", index)
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	cd, _, err := devices.riskToC(op, &pins)
	if err != nil {
		return DeviceScore{}, err
	}
	ci := issue.riskToC()
	var score C.otaprio_device_score
	score.size = C.size_t(unsafe.Sizeof(score))
	lines, err := riskExplain(op, func(items *C.otaprio_factor_points, capacity C.size_t,
		count *C.size_t, d *C.otaprio_diag) C.int {
		return C.otaprio_risk_explain_device(model, &ci, &cd, C.size_t(index), &score,
			items, capacity, count, d)
	})
	if err != nil {
		return DeviceScore{}, err
	}
	return DeviceScore{
		PriorityMilli:    int64(score.priority_milli),
		CriticalityMilli: int64(score.criticality_milli),
		DeliveryMilli:    int64(score.delivery_milli),
		Disposition:      Disposition(score.disposition),
		Reasons:          Reason(score.reasons),
		Explanation:      lines,
	}, nil
}

// RiskTotals counts over every device a stream scored
// (otaprio_risk_totals).
type RiskTotals struct {
	// Devices is the number of devices scored.
	Devices uint64
	// ByDisposition counts the devices per Disposition.
	ByDisposition [4]uint64
	// ByReason counts the devices with each reason bit set: entry b
	// counts bit 1<<b.
	ByReason [16]uint64
}

// WithReason returns the number of devices with reason set; reason must
// be a single bit (0 otherwise).
func (t RiskTotals) WithReason(reason Reason) uint64 {
	if reason == 0 || reason&(reason-1) != 0 {
		return 0
	}
	for b := range t.ByReason {
		if reason == 1<<b {
			return t.ByReason[b]
		}
	}
	return 0
}

// riskStream is the Go side of one ScoreStream call, found by the
// trampoline through the call's handle.
type riskStream struct {
	next    func(devices *Devices, results *DeviceResults) error
	devices Devices
	results DeviceResults
}

// ScoreStream scores devices chunk by chunk through the library's chunk
// callback, in memory bounded by a chunk. totals, when not nil, receives
// the counts over the whole stream (written only when the stream
// succeeds); counting them costs a pass over each chunk's answers, which
// nil skips, as the C call does with NULL.
//
// next is called for each chunk with both arguments zeroed: it sets the
// device columns (a chunk of no devices ends the stream) and the result
// slices the chunk's answers go to, each holding one element per device or
// nil when not wanted (nothing is allocated here). The library reads the
// columns and writes the results in place; a chunk's answers are in its
// result slices when next is called again, or when ScoreStream returns.
// The slices must not change until then.
//
// An error next returns stops the stream and is returned unchanged; a
// panic in next is raised again in the caller once the C call has
// unwound. A bad chunk fails as in ScoreDevices, its Index within that
// chunk. Safe for concurrent use: each call is its own stream.
func (m *RiskModel) ScoreStream(issue IssueScore, totals *RiskTotals,
	next func(devices *Devices, results *DeviceResults) error) error {
	const op = "ScoreStream"
	if next == nil {
		return argError(op, StatusInvalid, "source", -1, "next is nil")
	}
	model, err := m.riskAcquire(op)
	if err != nil {
		return err
	}
	defer m.riskRelease()
	ci := issue.riskToC()
	var sums *C.otaprio_risk_totals
	if totals != nil {
		sums = new(C.otaprio_risk_totals)
		sums.size = C.size_t(unsafe.Sizeof(*sums))
	}
	c := newCall(&riskStream{next: next})
	d := newDiag()
	status := C.otaprio_risk_score_stream(model, &ci,
		C.otaprio_device_source_fn(C.otaprioRiskSource), c.user(), sums, d)
	if err := c.finish(op, status, d); err != nil {
		return err
	}
	if totals != nil {
		*totals = RiskTotals{Devices: uint64(sums.devices)}
		for i := range totals.ByDisposition {
			totals.ByDisposition[i] = uint64(sums.by_disposition[i])
		}
		for i := range totals.ByReason {
			totals.ByReason[i] = uint64(sums.by_reason[i])
		}
	}
	return nil
}

// riskSourceChunk runs the stream's Go callback for the library and hands
// its chunk over: the columns and outputs pinned until the library asks
// for the next chunk (call.run unpins them then) or returns.
func riskSourceChunk(c *call, devices *C.otaprio_devices, results *C.otaprio_device_results) C.int {
	return c.run(func(pins *runtime.Pinner) error {
		const op = "ScoreStream"
		s := c.callback.(*riskStream)
		s.devices, s.results = Devices{}, DeviceResults{}
		if err := s.next(&s.devices, &s.results); err != nil {
			return err
		}
		cd, n, err := s.devices.riskToC(op, pins)
		if err != nil {
			return err
		}
		cr, err := s.results.riskToC(op, n, false, pins)
		if err != nil {
			return err
		}
		// The library prepared both structs at its own size, which a
		// newer library may have grown: keep its size, write our fields.
		cd.size, cr.size = devices.size, results.size
		*devices, *results = cd, cr
		return nil
	})
}
