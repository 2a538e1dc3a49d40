// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// RollbackInput is a failure and what the fleet can do about it: the
// layer and part it touches, how far it has spread, the levers there are,
// what a binary revert would not undo, the data at stake and how well
// devices can be told apart. Start from DefaultRollbackInput, whose
// "nothing known" values are the cautious ones.
type RollbackInput struct {
	// Layer is the layer the failure is in.
	Layer Layer
	// Part is what of the layer it touches.
	Part RollbackPart
	// CanaryShare and FleetShare are the shares of the canary and of the
	// whole fleet showing the failure, in [0, 1].
	CanaryShare, FleetShare float64
	// StrataAffected of StrataTotal strata show the failure; StrataTotal
	// 0 means unknown. Set StrataAffected to StrataTotal when the failure
	// is not localised.
	StrataAffected, StrataTotal uint32
	// ClustersAffected of ClustersTotal shared-fate clusters show it;
	// ClustersTotal 0 means unknown.
	ClustersAffected, ClustersTotal uint32
	// Levers are the levers that exist.
	Levers RollbackLever
	// Changes is what a binary revert does not undo.
	Changes RollbackChange
	// DataLoss is the user data the failure itself destroys.
	DataLoss Level
	// RevertDataLoss is the user data reverting the image would lose.
	RevertDataLoss Level
	// Observe is what devices can be told apart by.
	Observe RollbackObserve
	// UntestedClasses counts device classes with no tested path back
	// (CheckRollbackDrills gives it).
	UntestedClasses uint32
}

// DefaultRollbackInput returns the library's "nothing known" input
// (otaprio_rollback_input_init), read from C so the defaults never drift.
func DefaultRollbackInput() RollbackInput {
	var c C.otaprio_rollback_input
	C.otaprio_rollback_input_init(&c, C.size_t(unsafe.Sizeof(c)))
	return RollbackInput{
		Layer:            Layer(c.layer),
		Part:             RollbackPart(c.part),
		CanaryShare:      float64(c.canary_share),
		FleetShare:       float64(c.fleet_share),
		StrataAffected:   uint32(c.strata_affected),
		StrataTotal:      uint32(c.strata_total),
		ClustersAffected: uint32(c.clusters_affected),
		ClustersTotal:    uint32(c.clusters_total),
		Levers:           RollbackLever(c.levers),
		Changes:          RollbackChange(c.changes),
		DataLoss:         Level(c.data_loss),
		RevertDataLoss:   Level(c.revert_data_loss),
		Observe:          RollbackObserve(c.observe),
		UntestedClasses:  uint32(c.untested_classes),
	}
}

// rollbackInputToC fills an initialised C input; the library checks the
// ranges, so an out-of-range enum reaches it and comes back as ErrRange.
func rollbackInputToC(in *RollbackInput, c *C.otaprio_rollback_input) {
	C.otaprio_rollback_input_init(c, C.size_t(unsafe.Sizeof(*c)))
	c.layer = C.int32_t(in.Layer)
	c.part = C.int32_t(in.Part)
	c.canary_share = C.double(in.CanaryShare)
	c.fleet_share = C.double(in.FleetShare)
	c.strata_affected = C.uint32_t(in.StrataAffected)
	c.strata_total = C.uint32_t(in.StrataTotal)
	c.clusters_affected = C.uint32_t(in.ClustersAffected)
	c.clusters_total = C.uint32_t(in.ClustersTotal)
	c.levers = C.uint32_t(in.Levers)
	c.changes = C.uint32_t(in.Changes)
	c.data_loss = C.int32_t(in.DataLoss)
	c.revert_data_loss = C.int32_t(in.RevertDataLoss)
	c.observe = C.uint32_t(in.Observe)
	c.untested_classes = C.uint32_t(in.UntestedClasses)
}

// RollbackDecision is the lightest rollback tier that undoes a failure,
// its restore steps, how sure it is, why, and how weak rollback is (and
// so by how much a plan narrows, lengthens and tightens).
type RollbackDecision struct {
	// Tier is the lightest sufficient tier.
	Tier RollbackTier
	// Steps are its restore steps, carried out in bit order.
	Steps RollbackStep
	// Confidence is how sure the tier resolves the failure, in (0, 1].
	Confidence float64
	// Reasons come in order of weight: why this tier, then why each
	// lighter tier was ruled out, nearest first.
	Reasons []RollbackReason
	// Weak is true when rollback is weak (WeakCauses is not 0).
	Weak bool
	// WeakCauses says why.
	WeakCauses RollbackWeakness
	// WaveFactor (in [1/16, 1]) scales a plan's wave fractions,
	// SoakFactor (in [1, 4]) its soak windows and ToleranceFactor (in
	// [1/4, 1]) its guardrails' tolerance.
	WaveFactor, SoakFactor, ToleranceFactor float64
}

// DecideRollback decides the rollback tier for a failure. Deterministic,
// pure computation: safe for concurrent use. Out-of-range enums, flags or
// shares (NaN included) and more strata or clusters affected than there
// are give ErrRange.
func DecideRollback(in RollbackInput) (RollbackDecision, error) {
	var c C.otaprio_rollback_input
	rollbackInputToC(&in, &c)
	var out C.otaprio_rollback_decision
	out.size = C.size_t(unsafe.Sizeof(out))
	d := newDiag()
	if err := check("DecideRollback", C.otaprio_rollback_decide(&c, &out, d), d); err != nil {
		return RollbackDecision{}, err
	}
	reasons := make([]RollbackReason, int(out.reason_count))
	for i := range reasons {
		reasons[i] = RollbackReason(out.reasons[i])
	}
	return RollbackDecision{
		Tier:            RollbackTier(out.tier),
		Steps:           RollbackStep(out.steps),
		Confidence:      float64(out.confidence),
		Reasons:         reasons,
		Weak:            out.weak != 0,
		WeakCauses:      RollbackWeakness(out.weak_causes),
		WaveFactor:      float64(out.wave_factor),
		SoakFactor:      float64(out.soak_factor),
		ToleranceFactor: float64(out.tolerance_factor),
	}, nil
}

// RollbackClasses are the device classes of a fleet, as columns of equal
// length: a class is the host's id together with its conditions, so one
// id may appear with several condition sets.
type RollbackClasses struct {
	// ClassID holds the host's class ids; it sets the number of classes.
	ClassID []uint64
	// Conditions holds RollbackCondition bits per class; nil for none.
	Conditions []uint8
}

// RollbackDrills are rollback drill results, one row per drill, as
// columns of equal length.
type RollbackDrills struct {
	// ClassID is the class each drill ran on; it sets the number of
	// drills.
	ClassID []uint64
	// Conditions holds the RollbackCondition bits each drill ran under;
	// nil for none.
	Conditions []uint8
	// Tested is 1 when the path back was exercised, 0 for a drill planned
	// but not run; nil for all 1.
	Tested []uint8
	// Succeeded is 1 when the device came back to its previous build and
	// working state; required when there are drills.
	Succeeded []uint8
}

// RollbackDrillCheck says, per device class, whether it has a tested
// path back.
type RollbackDrillCheck struct {
	// Status has one entry per class, in the order given.
	Status []RollbackDrillStatus
	// Uncovered counts the classes that are not covered: the value for
	// RollbackInput.UntestedClasses.
	Uncovered int
}

// rollbackOptionalColumn checks an optional column's length (nil
// passes).
func rollbackOptionalColumn(op, field string, n, want int) error {
	if n != 0 && n != want {
		return argError(op, StatusInvalid, field, -1, "%d rows for %d", n, want)
	}
	return nil
}

// CheckRollbackDrills compares a fleet's device classes with the drill
// results and reports the classes with no tested path back. The columns
// go to C without copying. Safe for concurrent use.
func CheckRollbackDrills(classes RollbackClasses, drills RollbackDrills) (RollbackDrillCheck, error) {
	const op = "CheckRollbackDrills"
	nc, nd := len(classes.ClassID), len(drills.ClassID)
	for _, e := range []error{
		rollbackOptionalColumn(op, "classes.conditions", len(classes.Conditions), nc),
		rollbackOptionalColumn(op, "drills.conditions", len(drills.Conditions), nd),
		rollbackOptionalColumn(op, "drills.tested", len(drills.Tested), nd),
	} {
		if e != nil {
			return RollbackDrillCheck{}, e
		}
	}
	if len(drills.Succeeded) != nd {
		return RollbackDrillCheck{}, argError(op, StatusInvalid, "drills.succeeded", -1,
			"%d rows for %d drills (the column is required)", len(drills.Succeeded), nd)
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	var cc C.otaprio_rollback_classes
	C.otaprio_rollback_classes_init(&cc, C.size_t(unsafe.Sizeof(cc)))
	cc.count = C.size_t(nc)
	cc.class_id = column[C.uint64_t](&pins, classes.ClassID)
	cc.conditions = column[C.uint8_t](&pins, classes.Conditions)
	var cd C.otaprio_rollback_drills
	C.otaprio_rollback_drills_init(&cd, C.size_t(unsafe.Sizeof(cd)))
	cd.count = C.size_t(nd)
	cd.class_id = column[C.uint64_t](&pins, drills.ClassID)
	cd.conditions = column[C.uint8_t](&pins, drills.Conditions)
	cd.tested = column[C.uint8_t](&pins, drills.Tested)
	cd.succeeded = column[C.uint8_t](&pins, drills.Succeeded)
	status := make([]uint8, nc)
	var uncovered C.size_t
	d := newDiag()
	rc := C.otaprio_rollback_drill_check(&cc, &cd, column[C.uint8_t](&pins, status), &uncovered, d)
	if err := check(op, rc, d); err != nil {
		return RollbackDrillCheck{}, err
	}
	out := RollbackDrillCheck{Status: make([]RollbackDrillStatus, nc), Uncovered: int(uncovered)}
	for i, s := range status {
		out.Status[i] = RollbackDrillStatus(s)
	}
	return out, nil
}

// rollbackName turns a static C name into a Go string; "" for NULL.
func rollbackName(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// Name is the library's English name of the tier ("targeted rollback"),
// or "" for an unknown value.
func (v RollbackTier) Name() string {
	return rollbackName(C.otaprio_rollback_tier_name(C.int32_t(v)))
}

// Name is the library's English name of the reason, or "" for an unknown
// value.
func (v RollbackReason) Name() string {
	return rollbackName(C.otaprio_rollback_reason_name(C.int32_t(v)))
}

// Name is the library's English name of one step bit ("config
// restore"), or "" for anything but a single known bit.
func (v RollbackStep) Name() string {
	return rollbackName(C.otaprio_rollback_step_name(C.uint32_t(v)))
}

// Steps splits a set of steps into single bits, in the order to carry
// them out.
func (v RollbackStep) Steps() []RollbackStep {
	var out []RollbackStep
	for b := 0; b < C.OTAPRIO_ROLLBACK_STEP_COUNT; b++ {
		if s := RollbackStep(1) << b; v&s != 0 {
			out = append(out, s)
		}
	}
	return out
}

// Name is the library's English name of one weakness bit ("no A/B
// slot"), or "" for anything but a single known bit.
func (v RollbackWeakness) Name() string {
	return rollbackName(C.otaprio_rollback_weakness_name(C.uint32_t(v)))
}

// Name is the library's English name of the drill status, or "" for an
// unknown value.
func (v RollbackDrillStatus) Name() string {
	return rollbackName(C.otaprio_rollback_drill_status_name(C.int32_t(v)))
}
