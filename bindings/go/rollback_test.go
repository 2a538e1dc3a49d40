// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"math"
	"reflect"
	"sync"
	"testing"

	"otaprio"
)

const rollbackAllLevers = otaprio.RollbackLeverFeatureFlag | otaprio.RollbackLeverServerConfig |
	otaprio.RollbackLeverExemption | otaprio.RollbackLeverABSlot | otaprio.RollbackLeverDowngrade

const rollbackAllViews = otaprio.RollbackObserveBuild | otaprio.RollbackObserveRegion |
	otaprio.RollbackObserveCarrier | otaprio.RollbackObserveModel

func rollbackDecide(t *testing.T, in otaprio.RollbackInput) otaprio.RollbackDecision {
	t.Helper()
	d, err := otaprio.DecideRollback(in)
	if err != nil {
		t.Fatalf("DecideRollback(%+v): %v", in, err)
	}
	return d
}

func TestDefaultRollbackInputIsNothingKnown(t *testing.T) {
	in := otaprio.DefaultRollbackInput()
	want := otaprio.RollbackInput{Layer: otaprio.LayerApp, Part: otaprio.RollbackPartLayer,
		DataLoss: otaprio.LevelNone, RevertDataLoss: otaprio.LevelNone}
	if in != want {
		t.Fatalf("DefaultRollbackInput() = %+v, want %+v", in, want)
	}
}

// The C test's login regression: a feature flag, then a server switch.
func TestRollbackLoginRegressionIsSolvedByAFeatureFlag(t *testing.T) {
	in := otaprio.DefaultRollbackInput()
	in.Part = otaprio.RollbackPartAuthFlow
	in.CanaryShare, in.FleetShare = 0.3, 0.05
	in.StrataAffected, in.StrataTotal = 10, 10
	in.Levers, in.Observe = rollbackAllLevers, rollbackAllViews
	d := rollbackDecide(t, in)
	want := otaprio.RollbackDecision{
		Tier:       otaprio.RollbackTierFeatureFlag,
		Steps:      otaprio.RollbackStepFlagOff | otaprio.RollbackStepReregister | otaprio.RollbackStepCacheInvalidation,
		Confidence: 1, Reasons: []otaprio.RollbackReason{otaprio.RollbackReasonFlagCovers},
		WaveFactor: 1, SoakFactor: 1, ToleranceFactor: 1,
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("decision = %+v, want %+v", d, want)
	}
	if got := d.Steps.Steps(); !reflect.DeepEqual(got, []otaprio.RollbackStep{
		otaprio.RollbackStepFlagOff, otaprio.RollbackStepReregister, otaprio.RollbackStepCacheInvalidation}) {
		t.Errorf("Steps() = %v", got)
	}
	in.DataLoss = otaprio.LevelModerate
	if d := rollbackDecide(t, in); d.Confidence != 0.75 || d.Tier != otaprio.RollbackTierFeatureFlag {
		t.Errorf("with data loss: %+v", d)
	}
	in.DataLoss = otaprio.LevelNone
	in.Levers &^= otaprio.RollbackLeverFeatureFlag
	d = rollbackDecide(t, in)
	if d.Tier != otaprio.RollbackTierServerConfig || !reflect.DeepEqual(d.Reasons,
		[]otaprio.RollbackReason{otaprio.RollbackReasonConfigCovers, otaprio.RollbackReasonNoFlag}) {
		t.Errorf("without the flag: %+v", d)
	}
}

func TestRollbackConfigErrorIsWeakWithoutObservability(t *testing.T) {
	in := otaprio.DefaultRollbackInput()
	in.Layer = otaprio.LayerConfig
	in.CanaryShare, in.FleetShare = 1, 0.2
	in.StrataAffected, in.StrataTotal = 4, 4
	in.Levers = otaprio.RollbackLeverServerConfig | otaprio.RollbackLeverFeatureFlag
	d := rollbackDecide(t, in)
	if d.Tier != otaprio.RollbackTierServerConfig ||
		d.Steps != otaprio.RollbackStepConfigRestore|otaprio.RollbackStepCacheInvalidation ||
		!reflect.DeepEqual(d.Reasons, []otaprio.RollbackReason{otaprio.RollbackReasonConfigCovers, otaprio.RollbackReasonLayerCode}) ||
		!d.Weak || d.WeakCauses != otaprio.RollbackWeaknessPoorObservability || d.WaveFactor != 0.5 {
		t.Errorf("decision = %+v", d)
	}
}

func TestRollbackOneFailingSKUIsExempted(t *testing.T) {
	in := otaprio.DefaultRollbackInput()
	in.Layer = otaprio.LayerOS
	in.CanaryShare, in.FleetShare = 0.08, 0.002
	in.StrataAffected, in.StrataTotal = 1, 12
	in.ClustersAffected, in.ClustersTotal = 1, 5
	in.Levers = otaprio.RollbackLeverExemption | otaprio.RollbackLeverABSlot | otaprio.RollbackLeverDowngrade
	in.Observe = otaprio.RollbackObserveBuild | otaprio.RollbackObserveModel
	d := rollbackDecide(t, in)
	if d.Tier != otaprio.RollbackTierExemption || d.Steps != otaprio.RollbackStepExempt || d.Weak || d.Confidence != 1 {
		t.Errorf("decision = %+v", d)
	}
	in.CanaryShare = 0.51
	if d := rollbackDecide(t, in); d.Tier != otaprio.RollbackTierFull {
		t.Errorf("crowded canary: %v", d.Tier)
	}
}

func TestDecideRollbackRefusesBadInput(t *testing.T) {
	for name, mutate := range map[string]func(*otaprio.RollbackInput){
		"NaN share":      func(in *otaprio.RollbackInput) { in.CanaryShare = math.NaN() },
		"share above 1":  func(in *otaprio.RollbackInput) { in.FleetShare = 1.5 },
		"unknown part":   func(in *otaprio.RollbackInput) { in.Part = 42 },
		"unknown layer":  func(in *otaprio.RollbackInput) { in.Layer = -1 },
		"unknown lever":  func(in *otaprio.RollbackInput) { in.Levers = 1 << 20 },
		"strata overrun": func(in *otaprio.RollbackInput) { in.StrataAffected, in.StrataTotal = 5, 4 },
	} {
		in := otaprio.DefaultRollbackInput()
		mutate(&in)
		_, err := otaprio.DecideRollback(in)
		var e *otaprio.Error
		if !errors.Is(err, otaprio.ErrRange) || !errors.As(err, &e) || e.Field == "" {
			t.Errorf("%s: got %v, want ErrRange naming the field", name, err)
		}
	}
}

const (
	rollbackLow   = uint8(otaprio.RollbackConditionLowStorage)
	rollbackStale = uint8(otaprio.RollbackConditionStaleCredentials)
	rollbackFlaky = uint8(otaprio.RollbackConditionIntermittent)
)

// The C test's fleet: handsets covered, kiosks failing on flaky links,
// gateways failing with stale credentials.
func TestRollbackDrillsReportClassesWithoutAPathBack(t *testing.T) {
	classes := otaprio.RollbackClasses{
		ClassID:    []uint64{1, 1, 1, 2, 2, 3, 3},
		Conditions: []uint8{0, rollbackLow, rollbackLow | rollbackStale, 0, rollbackFlaky, 0, rollbackStale},
	}
	drills := otaprio.RollbackDrills{
		ClassID:    []uint64{1, 2, 2, 3, 3, 4},
		Conditions: []uint8{rollbackLow | rollbackStale | rollbackFlaky, 0, rollbackFlaky, rollbackStale | rollbackLow, rollbackStale, 0},
		Tested:     []uint8{1, 1, 1, 1, 1, 1},
		Succeeded:  []uint8{1, 1, 0, 1, 0, 1},
	}
	got, err := otaprio.CheckRollbackDrills(classes, drills)
	if err != nil {
		t.Fatal(err)
	}
	C, F := otaprio.RollbackDrillStatusCovered, otaprio.RollbackDrillStatusFailed
	want := []otaprio.RollbackDrillStatus{C, C, C, C, F, C, F}
	if !reflect.DeepEqual(got.Status, want) || got.Uncovered != 2 {
		t.Errorf("check = %+v, want %v and 2 uncovered", got, want)
	}
	// A milder drill covers nothing harsher; an untested row is no drill.
	one := otaprio.RollbackClasses{ClassID: []uint64{5}, Conditions: []uint8{rollbackLow | rollbackFlaky}}
	got, err = otaprio.CheckRollbackDrills(one, otaprio.RollbackDrills{ClassID: []uint64{5},
		Conditions: []uint8{rollbackLow}, Succeeded: []uint8{1}})
	if err != nil || got.Status[0] != otaprio.RollbackDrillStatusUntested || got.Uncovered != 1 {
		t.Errorf("milder drill: %+v, %v", got, err)
	}
	if got, err := otaprio.CheckRollbackDrills(otaprio.RollbackClasses{}, otaprio.RollbackDrills{}); err != nil || len(got.Status) != 0 {
		t.Errorf("empty tables: %+v, %v", got, err)
	}
}

func TestRollbackDrillsRefuseBadTables(t *testing.T) {
	classes := otaprio.RollbackClasses{ClassID: []uint64{1, 2}}
	drill := otaprio.RollbackDrills{ClassID: []uint64{1}, Succeeded: []uint8{1}}
	for name, c := range map[string]struct {
		classes  otaprio.RollbackClasses
		drills   otaprio.RollbackDrills
		sentinel error
		field    string
	}{
		"short class conditions": {otaprio.RollbackClasses{ClassID: []uint64{1, 2}, Conditions: []uint8{0}}, drill, otaprio.ErrInvalid, "classes.conditions"},
		"missing succeeded":      {classes, otaprio.RollbackDrills{ClassID: []uint64{1}}, otaprio.ErrInvalid, "drills.succeeded"},
		"long tested":            {classes, otaprio.RollbackDrills{ClassID: []uint64{1}, Succeeded: []uint8{1}, Tested: []uint8{1, 1}}, otaprio.ErrInvalid, "drills.tested"},
		"unknown condition":      {otaprio.RollbackClasses{ClassID: []uint64{1}, Conditions: []uint8{0x80}}, drill, otaprio.ErrRange, ""},
		"flag not 0 or 1":        {classes, otaprio.RollbackDrills{ClassID: []uint64{1}, Succeeded: []uint8{2}}, otaprio.ErrRange, ""},
		"success untested":       {classes, otaprio.RollbackDrills{ClassID: []uint64{1}, Succeeded: []uint8{1}, Tested: []uint8{0}}, otaprio.ErrRange, ""},
	} {
		_, err := otaprio.CheckRollbackDrills(c.classes, c.drills)
		var e *otaprio.Error
		if !errors.Is(err, c.sentinel) || !errors.As(err, &e) || e.Field == "" || (c.field != "" && e.Field != c.field) {
			t.Errorf("%s: got %v, want %v naming %q", name, err, c.sentinel, c.field)
		}
	}
}

func TestRollbackNames(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{otaprio.RollbackTierTargeted.Name(), "targeted rollback"},
		{otaprio.RollbackTierFull.Name(), "full rollback"},
		{otaprio.RollbackStepConfigRestore.Name(), "config restore"},
		{otaprio.RollbackWeaknessNoABSlot.Name(), "no A/B slot"},
		{otaprio.RollbackDrillStatusUntested.Name(), "untested"},
		{otaprio.RollbackReasonWidespread.Name(), "widespread"},
		{otaprio.RollbackTier(99).Name(), ""},
		{(otaprio.RollbackStepFlagOff | otaprio.RollbackStepExempt).Name(), ""},
	} {
		if c.got != c.want {
			t.Errorf("name %q, want %q", c.got, c.want)
		}
	}
}

// DecideRollback and CheckRollbackDrills are pure: any number of
// goroutines may call them at once, sharing the input columns.
func TestRollbackConcurrently(t *testing.T) {
	classes := otaprio.RollbackClasses{ClassID: []uint64{1, 2}, Conditions: []uint8{0, rollbackLow}}
	drills := otaprio.RollbackDrills{ClassID: []uint64{1, 2}, Succeeded: []uint8{1, 0}}
	in := otaprio.DefaultRollbackInput()
	in.CanaryShare, in.Levers = 0.2, rollbackAllLevers
	want := rollbackDecide(t, in)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				d, err := otaprio.DecideRollback(in)
				if err != nil || !reflect.DeepEqual(d, want) {
					t.Errorf("concurrent decision %+v, %v", d, err)
					return
				}
				c, err := otaprio.CheckRollbackDrills(classes, drills)
				if err != nil || c.Uncovered != 1 {
					t.Errorf("concurrent check %+v, %v", c, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
