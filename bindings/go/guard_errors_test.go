// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"otaprio"
)

// guardWantError checks that err is an *otaprio.Error matching sentinel,
// naming field (and index, unless index is -2).
func guardWantError(t *testing.T, what string, err, sentinel error, field string, index int64) {
	t.Helper()
	var e *otaprio.Error
	if !errors.As(err, &e) || !errors.Is(err, sentinel) || e.Field != field || (index != -2 && e.Index != index) {
		t.Errorf("%s: got %v (%#v), want %v naming %s[%d]", what, err, e, sentinel, field, index)
	}
}

// Every spoiled rule is refused with its code, naming the rule (here the
// second) and the field.
func TestGuardBadRulesAreNamed(t *testing.T) {
	good := guardRuleOf("good", otaprio.GuardKindProportion)
	cases := []struct {
		field    string
		sentinel error
		spoil    func(r *otaprio.GuardRule)
	}{
		{"name", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Name = "" }},
		{"name", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Name = strings.Repeat("x", 64) }},
		{"name", otaprio.ErrInvalid, func(r *otaprio.GuardRule) { r.Name = "a\x00b" }},
		{"kind", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Kind = 3 }},
		{"kind", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Kind = -1 }},
		{"direction", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Direction = 2 }},
		{"severity", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Severity = 3 }},
		{"no_data", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.NoData = 3 }},
		{"zero_baseline", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.ZeroBaseline = 3 }},
		{"checks", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Checks = 8 }},
		{"checks", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Checks = otaprio.GuardCheckSpread }},
		{"zero_baseline", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.ZeroBaseline = otaprio.GuardZeroBaselineCeiling }},
		{"sequential", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Sequential, r.Checks = true, otaprio.GuardCheckCeiling }},
		{"sequential", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Sequential, r.RequireEvidence = true, true }},
		{"sequential", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Sequential, r.Kind = true, otaprio.GuardKindContinuous }},
		{"margin", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Margin = -0.1 }},
		{"margin", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Margin = math.NaN() }},
		{"margin", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Margin = math.Inf(1) }},
		{"ceiling", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Ceiling = 1.5 }},
		{"ceiling", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.Ceiling = math.NaN() }},
		{"minimum_sample", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.MinimumSample = -1 }},
		{"minimum_sample", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.MinimumSample = math.Inf(1) }},
		{"window_hours", otaprio.ErrRange, func(r *otaprio.GuardRule) { r.WindowHours = math.NaN() }},
		{"margin", otaprio.ErrRange, func(r *otaprio.GuardRule) {
			r.Kind, r.Direction, r.Margin = otaprio.GuardKindRate, otaprio.GuardDirectionLowerIsWorse, 1
		}},
	}
	for _, c := range cases {
		bad := guardRuleOf("bad", otaprio.GuardKindProportion)
		c.spoil(&bad)
		set, err := otaprio.NewGuardSet(nil, []otaprio.GuardRule{good, bad})
		if set != nil {
			t.Errorf("%s: a set despite the error", c.field)
		}
		guardWantError(t, c.field, err, c.sentinel, c.field, 1)
	}
}

func TestGuardBadSetsAndOptionsAreRefused(t *testing.T) {
	a := guardRuleOf("a", otaprio.GuardKindRate)
	_, err := otaprio.NewGuardSet(nil, []otaprio.GuardRule{a, a})
	guardWantError(t, "duplicate", err, otaprio.ErrDuplicate, "name", 1)
	_, err = otaprio.NewGuardSet(nil, nil)
	if !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("no rules: %v", err)
	}
	many := make([]otaprio.GuardRule, otaprio.GuardMaxRules+1)
	for i := range many {
		many[i] = guardRuleOf(fmt.Sprintf("m%d", i), otaprio.GuardKindRate)
	}
	if _, err = otaprio.NewGuardSet(nil, many); !errors.Is(err, otaprio.ErrLimit) {
		t.Errorf("too many rules: %v", err)
	}
	for _, c := range []struct {
		field string
		spoil func(o *otaprio.GuardOptions)
	}{
		{"alpha", func(o *otaprio.GuardOptions) { o.Alpha = 0 }},
		{"alpha", func(o *otaprio.GuardOptions) { o.Alpha = 0.6 }},
		{"alpha", func(o *otaprio.GuardOptions) { o.Alpha = math.NaN() }},
		{"layer", func(o *otaprio.GuardOptions) { o.Layer = 7 }},
		{"multiplicity", func(o *otaprio.GuardOptions) { o.Multiplicity = 3 }},
		{"tolerance_scale", func(o *otaprio.GuardOptions) { o.ToleranceScale = -1 }},
		{"tolerance_scale", func(o *otaprio.GuardOptions) { o.ToleranceScale = math.Inf(1) }},
		{"alpha", func(o *otaprio.GuardOptions) { *o = otaprio.GuardOptions{} }},
	} {
		o := otaprio.DefaultGuardOptions()
		c.spoil(&o)
		_, err := otaprio.NewGuardSet(&o, []otaprio.GuardRule{a})
		guardWantError(t, c.field, err, otaprio.ErrRange, c.field, -2)
	}
}

// Spoiled data is refused before or by C, naming the entry (here the
// second) and the column; the set stays usable.
func TestGuardBadDataIsNamed(t *testing.T) {
	set, err := otaprio.NewGuardSet(nil, []otaprio.GuardRule{
		guardRuleOf("installs", otaprio.GuardKindProportion),
		guardRuleOf("crashes", otaprio.GuardKindRate),
		guardRuleOf("drain", otaprio.GuardKindContinuous),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	proportion := func() otaprio.GuardData { d := guardProportion(5, 100, 50, 1000); return d }
	rate := func() otaprio.GuardData { d := guardRate(5, 100, 50, 1000); d.Rule = 1; return d }
	samples := func(values []float64) otaprio.GuardData {
		return otaprio.GuardData{Rule: 2, Rows: 1, WindowEndHours: 24, Samples: guardFixed(values, []float64{1, 2})}
	}
	cases := []struct {
		what     string
		data     otaprio.GuardData
		sentinel error
		field    string
	}{
		{"failures above trials", func() otaprio.GuardData { d := proportion(); d.CanaryEvents[0] = 101; return d }(),
			otaprio.ErrRange, "canary_events"},
		{"baseline above trials", func() otaprio.GuardData { d := proportion(); d.BaselineEvents[0] = 1001; return d }(),
			otaprio.ErrRange, "baseline_events"},
		{"missing column", func() otaprio.GuardData { d := proportion(); d.CanaryTrials = nil; return d }(),
			otaprio.ErrInvalid, "canary_trials"},
		{"short column", func() otaprio.GuardData { d := proportion(); d.BaselineTrials = []uint64{}; return d }(),
			otaprio.ErrInvalid, "baseline_trials"},
		{"long column", func() otaprio.GuardData { d := proportion(); d.CanaryTrials = []uint64{100, 100}; return d }(),
			otaprio.ErrInvalid, "canary_trials"},
		{"ids of another length", func() otaprio.GuardData { d := proportion(); d.StratumIDs = []uint64{1, 2}; return d }(),
			otaprio.ErrInvalid, "canary_events"},
		{"rows against columns", func() otaprio.GuardData { d := proportion(); d.Rows = 2; return d }(),
			otaprio.ErrInvalid, "canary_events"},
		{"negative rows", func() otaprio.GuardData { d := proportion(); d.Rows = -1; return d }(),
			otaprio.ErrRange, "rows"},
		{"too many rows", func() otaprio.GuardData {
			return otaprio.GuardData{Rule: 2, Rows: otaprio.GuardMaxStrata + 1, Samples: guardFixed(nil, nil)}
		}(), otaprio.ErrLimit, "rows"},
		{"rows summing past 2^64", func() otaprio.GuardData {
			return otaprio.GuardData{WindowEndHours: 24,
				CanaryEvents: []uint64{1, 1}, CanaryTrials: []uint64{math.MaxUint64/2 + 1, math.MaxUint64/2 + 1},
				BaselineEvents: []uint64{1, 1}, BaselineTrials: []uint64{10, 10}}
		}(), otaprio.ErrOverflow, "rows"},
		{"negative exposure", func() otaprio.GuardData { d := rate(); d.CanaryExposure[0] = -1; return d }(),
			otaprio.ErrRange, "canary_exposure"},
		{"NaN exposure", func() otaprio.GuardData { d := rate(); d.CanaryExposure[0] = math.NaN(); return d }(),
			otaprio.ErrRange, "canary_exposure"},
		{"infinite exposure", func() otaprio.GuardData { d := rate(); d.BaselineExposure[0] = math.Inf(1); return d }(),
			otaprio.ErrRange, "baseline_exposure"},
		{"events without exposure", func() otaprio.GuardData { d := rate(); d.CanaryExposure[0] = 0; return d }(),
			otaprio.ErrRange, "canary_exposure"},
		{"window out of order", func() otaprio.GuardData { d := rate(); d.WindowStartHours = 30; return d }(),
			otaprio.ErrRange, "window_end_hours"},
		{"NaN window", func() otaprio.GuardData { d := rate(); d.WindowEndHours = math.NaN(); return d }(),
			otaprio.ErrRange, "window_end_hours"},
		{"rule out of range", func() otaprio.GuardData { d := rate(); d.Rule = 3; return d }(),
			otaprio.ErrRange, "rule"},
		{"negative rule", func() otaprio.GuardData { d := rate(); d.Rule = -1; return d }(),
			otaprio.ErrRange, "rule"},
		{"largest int rule", func() otaprio.GuardData { d := rate(); d.Rule = math.MaxInt; return d }(),
			otaprio.ErrRange, "rule"},
		{"duplicate entry", proportion(), otaprio.ErrDuplicate, "rule"},
		{"NaN sample", samples([]float64{1, math.NaN(), 2}), otaprio.ErrRange, "samples"},
		{"infinite sample", samples([]float64{1, math.Inf(-1)}), otaprio.ErrRange, "samples"},
		{"no samples callback", otaprio.GuardData{Rule: 2, Rows: 1}, otaprio.ErrInvalid, "samples"},
	}
	for _, c := range cases {
		first := proportion()
		if c.data.Rule == 0 && c.sentinel != otaprio.ErrDuplicate {
			first = rate() // the entry under test is rule 0's
		}
		report, err := set.Evaluate([]otaprio.GuardData{first, c.data})
		if report != nil {
			t.Errorf("%s: a report despite the error", c.what)
		}
		guardWantError(t, c.what, err, c.sentinel, c.field, 1)
	}
	// Still usable, and a rule index past the set from Go is the C
	// library's range error too.
	report, err := set.Evaluate([]otaprio.GuardData{proportion(), rate()})
	if err != nil || report.Action != otaprio.GuardActionHold {
		t.Errorf("after the errors: %v, %v", report, err)
	}
}

// A closed set refuses every call with ErrInvalid; Close is idempotent.
func TestGuardClosedSetIsRefused(t *testing.T) {
	rule := guardRuleOf("crashes", otaprio.GuardKindRate)
	rule.Sequential = true
	set, err := otaprio.NewGuardSet(nil, []otaprio.GuardRule{rule})
	if err != nil {
		t.Fatal(err)
	}
	sequence, err := set.NewSequence(0)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := sequence.Save()
	if err != nil {
		t.Fatal(err)
	}
	sequence.Close()
	if err := set.Close(); err != nil {
		t.Fatal(err)
	}
	set.Close()
	_, err = set.Evaluate(nil)
	guardWantError(t, "Evaluate", err, otaprio.ErrInvalid, "set", -1)
	_, err = set.Find("crashes")
	guardWantError(t, "Find", err, otaprio.ErrInvalid, "set", -1)
	_, err = set.NewSequence(0)
	guardWantError(t, "NewSequence", err, otaprio.ErrInvalid, "set", -1)
	_, err = set.LoadSequence(0, saved)
	guardWantError(t, "LoadSequence", err, otaprio.ErrInvalid, "set", -1)
	if set.Len() != 1 || set.RuleName(0) != "crashes" {
		t.Errorf("names lost: %v", set.Names())
	}
	if _, err := set.Find("a\x00b"); !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("Find with NUL: %v", err)
	}
}

// errGuardShard is the callback's own error, which must come back
// unchanged.
var errGuardShard = errors.New("no such telemetry shard")

// guardCallbackSet has a rate rule and two continuous rules.
func guardCallbackSet(t *testing.T) *otaprio.GuardSet {
	t.Helper()
	set, err := otaprio.NewGuardSet(nil, []otaprio.GuardRule{
		guardRuleOf("crashes", otaprio.GuardKindRate),
		guardRuleOf("drain", otaprio.GuardKindContinuous),
		guardRuleOf("latency", otaprio.GuardKindContinuous),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { set.Close() })
	return set
}

func TestGuardSamplesCallbackSeesEveryRowAndGroup(t *testing.T) {
	set := guardCallbackSet(t)
	type ask struct {
		row   int
		group otaprio.GuardGroup
	}
	var asked []ask
	buffer := make([]float64, 50)
	samples := func(row int, group otaprio.GuardGroup) ([]float64, error) {
		asked = append(asked, ask{row, group})
		// One buffer, refilled at every call: the library copies the
		// values before it asks again.
		for i := range buffer {
			buffer[i] = float64(i) / 10
			if group == otaprio.GuardGroupCanary {
				buffer[i] += float64(row) + 3
			}
		}
		return buffer, nil
	}
	crash := guardRate(10, 1000, 100, 10000)
	report, err := set.Evaluate([]otaprio.GuardData{crash,
		{Rule: 1, Rows: 2, WindowEndHours: 24, StratumIDs: []uint64{7, 9}, Samples: samples},
		{Rule: 2, Rows: 1, WindowEndHours: 24, Samples: guardFixed(nil, []float64{1, 2, 3})}})
	if err != nil {
		t.Fatal(err)
	}
	defer report.Close()
	seen := map[ask]int{}
	for _, a := range asked {
		seen[a]++
	}
	for row := 0; row < 2; row++ {
		for _, g := range []otaprio.GuardGroup{otaprio.GuardGroupCanary, otaprio.GuardGroupBaseline} {
			if seen[ask{row, g}] == 0 {
				t.Errorf("row %d %v never asked (%v)", row, g, asked)
			}
		}
	}
	drain := report.Results[1]
	// The whole cohort is the union of the rows; the canary is 3 to 4
	// higher everywhere.
	if drain.CanarySample != 100 || drain.BaselineSample != 100 || drain.Verdict != otaprio.GuardVerdictFail ||
		len(drain.Strata) != 2 {
		t.Errorf("drain %+v", drain)
	}
	// No canary samples: no data.
	if r := report.Results[2]; r.Verdict != otaprio.GuardVerdictNoData {
		t.Errorf("latency %+v", r)
	}
}

// An error the callback returns stops the evaluation and comes back
// unchanged; the sequences in the same call do not move; the set stays
// usable.
func TestGuardSamplesCallbackErrorIsReturnedUnchanged(t *testing.T) {
	rule := guardRuleOf("crashes", otaprio.GuardKindRate)
	rule.Sequential = true
	set, err := otaprio.NewGuardSet(nil, []otaprio.GuardRule{rule,
		guardRuleOf("drain", otaprio.GuardKindContinuous),
		guardRuleOf("latency", otaprio.GuardKindContinuous)})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	sequence, err := set.NewSequence(0)
	if err != nil {
		t.Fatal(err)
	}
	defer sequence.Close()
	before, _ := sequence.Save()
	crash := guardRate(30, 1000, 100, 10000)
	crash.Sequence = sequence
	calls := 0
	failing := func(row int, group otaprio.GuardGroup) ([]float64, error) {
		calls++
		return nil, errGuardShard
	}
	good := otaprio.GuardData{Rule: 1, Rows: 1, WindowEndHours: 24, Samples: guardFixed([]float64{1, 2}, []float64{1, 2})}
	report, err := set.Evaluate([]otaprio.GuardData{crash, good,
		{Rule: 2, Rows: 1, WindowEndHours: 24, Samples: failing}})
	if err != errGuardShard || report != nil || calls != 1 {
		t.Fatalf("got %v (%v), %d calls; want the callback's error", err, report, calls)
	}
	after, _ := sequence.Save()
	if string(before) != string(after) {
		t.Error("a failed evaluation advanced the sequence")
	}
	report, err = set.Evaluate([]otaprio.GuardData{crash, good})
	if err != nil {
		t.Fatal(err)
	}
	report.Close()
	if looks, _, _ := sequence.Status(); looks != 1 {
		t.Errorf("%d looks after one successful evaluation", looks)
	}
}

type guardPanicValue struct{ shard int }

// A panic in the callback unwinds the C call and is raised again in the
// caller with the original value; the set stays usable.
func TestGuardSamplesCallbackPanicIsRaisedAgain(t *testing.T) {
	set := guardCallbackSet(t)
	value := &guardPanicValue{shard: 7}
	func() {
		defer func() {
			if r := recover(); r != value {
				t.Errorf("recovered %v, want the callback's panic value", r)
			}
		}()
		set.Evaluate([]otaprio.GuardData{
			{Rule: 1, Rows: 1, WindowEndHours: 24, Samples: guardFixed([]float64{1}, []float64{2})},
			{Rule: 2, Rows: 1, Samples: func(int, otaprio.GuardGroup) ([]float64, error) { panic(value) }},
		})
		t.Error("Evaluate returned instead of panicking")
	}()
	report, err := set.Evaluate([]otaprio.GuardData{
		{Rule: 1, Rows: 1, WindowEndHours: 24, Samples: guardFixed(guardSpread(200, 13, 2), guardSpread(300, 10, 2))}})
	if err != nil {
		t.Fatal(err)
	}
	defer report.Close()
	if report.Results[1].Verdict != otaprio.GuardVerdictFail {
		t.Errorf("after the panic: %+v", report.Results[1])
	}
}
