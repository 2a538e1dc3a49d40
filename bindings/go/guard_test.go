// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"math"
	"testing"

	"otaprio"
)

// The guardrail engine's known answers, from tests/unit/test_guardrail_*.c
// (the same inputs, the same verdicts, tests and actions).

// guardJudge evaluates one rule on one entry (nil data: no entry) and
// returns the report.
func guardJudge(t *testing.T, options *otaprio.GuardOptions, rule otaprio.GuardRule, data *otaprio.GuardData) *otaprio.GuardReport {
	t.Helper()
	set, err := otaprio.NewGuardSet(options, []otaprio.GuardRule{rule})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	var entries []otaprio.GuardData
	if data != nil {
		entries = []otaprio.GuardData{*data}
	}
	report, err := set.Evaluate(entries)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { report.Close() })
	return report
}

// guardExpect checks a report's first result and action.
func guardExpect(t *testing.T, report *otaprio.GuardReport, verdict otaprio.GuardVerdict, action otaprio.GuardAction) otaprio.GuardResult {
	t.Helper()
	r := report.Results[0]
	if r.Verdict != verdict || report.Action != action {
		t.Errorf("verdict %v, action %v; want %v, %v (result %+v)", r.Verdict, report.Action, verdict, action, r)
	}
	return r
}

// guardSpread is the C tests' spread_values: deterministic values around
// centre, width either side, median centre.
func guardSpread(n int, centre, width float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = centre + width*(2*float64((i*37)%n)/float64(n-1)-1)
	}
	return out
}

func TestGuardDefaultsComeFromTheLibrary(t *testing.T) {
	r := otaprio.DefaultGuardRule("crash-rate")
	if r.Name != "crash-rate" || r.Kind != otaprio.GuardKindProportion || r.WindowHours != 24 ||
		r.Checks != 0 || r.Severity != otaprio.GuardSeverityStandard || r.NoData != otaprio.GuardNoDataHold ||
		r.Sequential || r.RequireEvidence {
		t.Errorf("DefaultGuardRule = %+v", r)
	}
	o := otaprio.DefaultGuardOptions()
	if o.Alpha != 0.05 || o.Layer != otaprio.LayerApp || o.ExactLimit != 1000 ||
		o.ToleranceScale != 0 || o.Multiplicity != otaprio.GuardMultiplicityHolm || o.ClosesActiveExploit {
		t.Errorf("DefaultGuardOptions = %+v", o)
	}
	for _, c := range []struct {
		layer   otaprio.Layer
		exploit bool
		want    float64
	}{
		{otaprio.LayerApp, false, 1}, {otaprio.LayerConfig, false, 1}, {otaprio.LayerOS, false, 0.75},
		{otaprio.LayerKernel, false, 0.5}, {otaprio.LayerBootloader, false, 0.25},
		{otaprio.LayerBaseband, false, 0.25}, {otaprio.LayerBattery, false, 0.25},
		{otaprio.LayerApp, true, 1.5}, {otaprio.LayerKernel, true, 0.75},
	} {
		got, err := otaprio.GuardToleranceDefault(c.layer, c.exploit)
		if err != nil || got != c.want {
			t.Errorf("GuardToleranceDefault(%v, %v) = %v, %v; want %v", c.layer, c.exploit, got, err, c.want)
		}
	}
	if _, err := otaprio.GuardToleranceDefault(otaprio.Layer(99), false); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("unknown layer: %v", err)
	}
	// A nil options pointer is the defaults: the same verdict.
	rule := guardRuleOf("crash-rate", otaprio.GuardKindRate)
	rule.Margin = 0.8
	data := guardRate(300, 20000, 1000, 100000)
	a := guardJudge(t, nil, rule, &data).Results[0]
	b := guardJudge(t, &o, rule, &data).Results[0]
	if a.PValue != b.PValue || a.Limit != b.Limit || a.Limit != 1.8 {
		t.Errorf("nil options %+v, defaults %+v", a, b)
	}
}

// "Stop if the crash rate exceeds the baseline by a margin."
func TestGuardCrashRateOverBaselineByMarginPauses(t *testing.T) {
	rule := guardRuleOf("crash-rate", otaprio.GuardKindRate)
	rule.Margin = 0.5
	data := guardRate(60, 20000, 100, 100000)
	report := guardJudge(t, nil, rule, &data)
	r := guardExpect(t, report, otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if r.Reason != otaprio.GuardReasonCodeOverBaseline || r.Test != otaprio.GuardTestRateRatio ||
		r.PValue >= 1e-4 || math.Abs(r.CanaryValue-0.003) > 1e-15 ||
		math.Abs(r.BaselineValue-0.001) > 1e-15 || math.Abs(r.Effect-3) > 1e-12 ||
		!(r.EffectLow < 3 && r.EffectHigh > 3) || r.Limit != 1.5 || r.Name != "crash-rate" {
		t.Errorf("result %+v", r)
	}
	if len(report.Reasons) != 1 || report.Reasons[0].Code != otaprio.GuardReasonCodeOverBaseline ||
		report.Reasons[0].Action != otaprio.GuardActionPause || report.Reasons[0].PValue != r.PValue {
		t.Errorf("reasons %+v", report.Reasons)
	}
	// 1.25 times the baseline is within the margin.
	data.CanaryEvents[0] = 25
	report = guardJudge(t, nil, rule, &data)
	guardExpect(t, report, otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
	if len(report.Reasons) != 0 {
		t.Errorf("reasons %+v", report.Reasons)
	}
}

// "Roll back if boot failures exceed a threshold."
func TestGuardBootFailuresOverThresholdRollBack(t *testing.T) {
	rule := guardRuleOf("boot-failures", otaprio.GuardKindProportion)
	rule.Checks = otaprio.GuardCheckCeiling
	rule.Ceiling = 0.001
	rule.Severity = otaprio.GuardSeverityCritical
	data := guardProportion(8, 2000, 0, 0)
	data.WindowEndHours = 2
	r := guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionRollback)
	if r.Reason != otaprio.GuardReasonCodeOverCeiling || r.Test != otaprio.GuardTestBinomial || r.Limit != 0.001 {
		t.Errorf("result %+v", r)
	}
	data.CanaryEvents[0] = 1
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
}

// "Hold when failed attempts rise": a leading indicator holds, and the
// test is Fisher's with few events and the score test with many.
func TestGuardRisingFailedAttemptsHold(t *testing.T) {
	rule := guardRuleOf("download-retries", otaprio.GuardKindProportion)
	rule.Severity = otaprio.GuardSeverityLeading
	data := guardProportion(21, 1000, 200, 10000)
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
	data.CanaryEvents[0] = 45
	report := guardJudge(t, nil, rule, &data)
	r := guardExpect(t, report, otaprio.GuardVerdictFail, otaprio.GuardActionHold)
	if r.Test != otaprio.GuardTestFisher || report.Reasons[0].Code != otaprio.GuardReasonCodeOverBaseline {
		t.Errorf("result %+v, reasons %+v", r, report.Reasons)
	}
	data = guardProportion(450, 10000, 2000, 100000)
	r = guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionHold)
	if r.Test != otaprio.GuardTestScore {
		t.Errorf("test %v", r.Test)
	}
}

// "Expansion is blocked until the soak window has passed."
func TestGuardExpansionWaitsForTheSoakWindow(t *testing.T) {
	rule := guardRuleOf("crash-rate", otaprio.GuardKindRate)
	rule.WindowHours = 24
	data := guardRate(10, 10000, 100, 100000)
	data.WindowEndHours = 12
	report := guardJudge(t, nil, rule, &data)
	r := guardExpect(t, report, otaprio.GuardVerdictPass, otaprio.GuardActionHold)
	if r.Reason != otaprio.GuardReasonCodeSoaking || report.Reasons[0].Code != otaprio.GuardReasonCodeSoaking {
		t.Errorf("result %+v", r)
	}
	data.WindowEndHours = 24
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
	// A failure does not wait.
	data.WindowEndHours = 1
	data.CanaryEvents[0] = 80
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
}

// A sparse metric whose baseline saw nothing still fails, and the
// zero-baseline policies do what they say.
func TestGuardZeroBaselineErrorsFail(t *testing.T) {
	rule := guardRuleOf("bricked", otaprio.GuardKindProportion)
	rule.Margin = 1
	data := guardProportion(6, 1000, 0, 50000)
	r := guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if r.Reason != otaprio.GuardReasonCodeOverBaseline {
		t.Errorf("reason %v", r.Reason)
	}
	rule.Margin = 0
	r = guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if r.Test != otaprio.GuardTestFisher || r.PValue >= 1e-9 {
		t.Errorf("result %+v", r)
	}

	rate := guardRuleOf("kernel-panics", otaprio.GuardKindRate)
	rd := guardRate(5, 1000, 0, 100000)
	r = guardExpect(t, guardJudge(t, nil, rate, &rd), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if !math.IsInf(r.Statistic, 1) && !math.IsInf(r.Effect, 1) {
		t.Errorf("result %+v", r)
	}
	// One event in a small canary against a silent baseline is no evidence.
	rd = guardRate(1, 1000, 0, 1000)
	guardExpect(t, guardJudge(t, nil, rate, &rd), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
	rate.ZeroBaseline = otaprio.GuardZeroBaselineAnyEvent
	r = guardExpect(t, guardJudge(t, nil, rate, &rd), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if r.Reason != otaprio.GuardReasonCodeZeroBaseline {
		t.Errorf("reason %v", r.Reason)
	}
	rate.ZeroBaseline = otaprio.GuardZeroBaselineCeiling
	rate.Checks = otaprio.GuardCheckBaseline | otaprio.GuardCheckCeiling
	rate.Ceiling = 0.01
	r = guardExpect(t, guardJudge(t, nil, rate, &rd), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
	if r.Test != otaprio.GuardTestPoisson {
		t.Errorf("test %v", r.Test)
	}
	rd.CanaryEvents[0] = 40
	r = guardExpect(t, guardJudge(t, nil, rate, &rd), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if r.Reason != otaprio.GuardReasonCodeOverCeiling {
		t.Errorf("reason %v", r.Reason)
	}
}

// A silent canary is neither promoted nor reverted blindly.
func TestGuardNoDataObeysItsPolicy(t *testing.T) {
	rule := guardRuleOf("crash-rate", otaprio.GuardKindRate)
	data := guardRate(0, 0, 10, 1000)
	data.WindowEndHours = 48
	r := guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictNoData, otaprio.GuardActionHold)
	if r.Reason != otaprio.GuardReasonCodeNoData {
		t.Errorf("reason %v", r.Reason)
	}
	rule.NoData = otaprio.GuardNoDataFail
	rule.Severity = otaprio.GuardSeverityCritical
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionRollback)
	rule.NoData = otaprio.GuardNoDataIgnore
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictNoData, otaprio.GuardActionExpand)
	// A rule no entry names has no data too, and no p-value.
	rule.NoData = otaprio.GuardNoDataHold
	r = guardExpect(t, guardJudge(t, nil, rule, nil), otaprio.GuardVerdictNoData, otaprio.GuardActionHold)
	if !math.IsNaN(r.PValue) || r.Strata != nil {
		t.Errorf("result %+v", r)
	}
}

// Same median, five times the spread: Brown-Forsythe catches what
// Mann-Whitney alone misses. Samples come through the callback.
func TestGuardVarianceBlowUpIsCaught(t *testing.T) {
	canary, baseline := guardSpread(301, 10, 5), guardSpread(401, 10, 1)
	data := otaprio.GuardData{Rows: 1, WindowEndHours: 24, Samples: guardFixed(canary, baseline)}
	rule := guardRuleOf("battery-drain", otaprio.GuardKindContinuous)
	r := guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if r.Reason != otaprio.GuardReasonCodeSpread || r.Test != otaprio.GuardTestBrownForsythe ||
		r.CanaryValue != 10 || r.BaselineValue != 10 || r.CanarySample != 301 || r.BaselineSample != 401 {
		t.Errorf("result %+v", r)
	}
	rule.Checks = otaprio.GuardCheckBaseline
	r = guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
	if r.Test != otaprio.GuardTestMannWhitney {
		t.Errorf("test %v", r.Test)
	}
	rule.Checks = 0
	data.Samples = guardFixed(guardSpread(301, 10, 0.5), baseline)
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
}

func TestGuardContinuousShiftAndCeiling(t *testing.T) {
	baseline := guardSpread(300, 10, 2)
	data := otaprio.GuardData{Rows: 1, WindowEndHours: 24, Samples: guardFixed(guardSpread(200, 13, 2), baseline)}
	rule := guardRuleOf("install-latency", otaprio.GuardKindContinuous)
	rule.Margin = 0.1
	r := guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if r.Reason != otaprio.GuardReasonCodeOverBaseline || r.Test != otaprio.GuardTestMannWhitney ||
		math.Abs(r.Effect-3) >= 0.1 || !(r.EffectLow < r.Effect) || r.Limit != 1 {
		t.Errorf("result %+v", r)
	}
	data.Samples = guardFixed(guardSpread(200, 10.5, 2), baseline)
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
	rule.Checks = otaprio.GuardCheckCeiling
	rule.Ceiling = 12
	r = guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
	if r.Test != otaprio.GuardTestSign {
		t.Errorf("test %v", r.Test)
	}
	data.Samples = guardFixed(guardSpread(200, 13, 2), baseline)
	r = guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if r.Reason != otaprio.GuardReasonCodeOverCeiling {
		t.Errorf("reason %v", r.Reason)
	}
}

// Retried executions must not inflate a failure share.
func TestGuardCountDevicesCountsDevicesOnce(t *testing.T) {
	keys := []uint64{1, 1, 1, 2, 3, 1, 4, 4}
	failed := []uint8{1, 1, 1, 0, 1, 0, 0, 0}
	if f, n, err := otaprio.GuardCountDevices(keys, failed, false); f != 2 || n != 4 || err != nil {
		t.Errorf("any attempt: %d of %d, %v", f, n, err)
	}
	if f, n, err := otaprio.GuardCountDevices(keys, failed, true); f != 1 || n != 4 || err != nil {
		t.Errorf("final outcome: %d of %d, %v", f, n, err)
	}
	// Keys derived from identifiers, as a host would.
	ids := otaprio.Keys([]string{"a", "a", "b", "c", "c", "c"})
	if f, n, err := otaprio.GuardCountDevices(ids, []uint8{1, 0, 0, 1, 1, 0}, false); f != 2 || n != 3 || err != nil {
		t.Errorf("derived keys: %d of %d, %v", f, n, err)
	}
	if f, n, err := otaprio.GuardCountDevices(nil, nil, false); f != 0 || n != 0 || err != nil {
		t.Errorf("nothing: %d of %d, %v", f, n, err)
	}
	var e *otaprio.Error
	_, _, err := otaprio.GuardCountDevices([]uint64{1, 2}, []uint8{0, 2}, false)
	if !errors.As(err, &e) || !errors.Is(err, otaprio.ErrRange) || e.Field != "failed" || e.Index != 1 {
		t.Errorf("flag 2: %v", err)
	}
	_, _, err = otaprio.GuardCountDevices([]uint64{1, 2}, []uint8{0}, false)
	if !errors.As(err, &e) || !errors.Is(err, otaprio.ErrInvalid) || e.Field != "failed" {
		t.Errorf("short flags: %v", err)
	}
	// Per device the canary passes; per execution it would fail.
	rule := guardRuleOf("install-failures", otaprio.GuardKindProportion)
	data := guardProportion(25, 1000, 200, 10000)
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
	data = guardProportion(125, 1100, 200, 10000)
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
}

func TestGuardMinimumSampleGatesAllButCriticalHarm(t *testing.T) {
	rule := guardRuleOf("install-failures", otaprio.GuardKindProportion)
	rule.MinimumSample = 500
	data := guardProportion(1, 100, 200, 10000)
	r := guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictInconclusive, otaprio.GuardActionHold)
	if r.Reason != otaprio.GuardReasonCodeBelowMinimum {
		t.Errorf("reason %v", r.Reason)
	}
	data.CanaryEvents[0] = 30
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictInconclusive, otaprio.GuardActionHold)
	rule.Severity = otaprio.GuardSeverityCritical
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionRollback)
}

func TestGuardEvidenceIsRequiredWhenAsked(t *testing.T) {
	rule := guardRuleOf("install-failures", otaprio.GuardKindProportion)
	rule.Margin = 0.5
	rule.RequireEvidence = true
	data := guardProportion(2, 100, 200, 10000)
	r := guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictInconclusive, otaprio.GuardActionHold)
	if r.Reason != otaprio.GuardReasonCodeInconclusive {
		t.Errorf("reason %v", r.Reason)
	}
	data = guardProportion(90, 5000, 200, 10000)
	r = guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
	if r.Test != otaprio.GuardTestRiskRatio || r.PValue >= 0.05 {
		t.Errorf("result %+v", r)
	}
	rule.RequireEvidence = false
	data = guardProportion(2, 100, 200, 10000)
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
}

func TestGuardLowerIsWorseTurnsTheMetric(t *testing.T) {
	rule := guardRuleOf("check-in", otaprio.GuardKindProportion)
	rule.Direction = otaprio.GuardDirectionLowerIsWorse
	data := guardProportion(900, 1000, 9800, 10000)
	r := guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if math.Abs(r.CanaryValue-0.9) > 1e-15 || math.Abs(r.BaselineValue-0.98) > 1e-15 || r.Effect >= 0 ||
		!(r.EffectLow <= r.Effect && r.Effect <= r.EffectHigh) {
		t.Errorf("result %+v", r)
	}
	data.CanaryEvents[0] = 995
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)

	beat := guardRuleOf("heartbeats", otaprio.GuardKindRate)
	beat.Direction = otaprio.GuardDirectionLowerIsWorse
	beat.Checks = otaprio.GuardCheckCeiling
	beat.Ceiling = 10
	rd := guardRate(50, 10, 0, 0)
	r = guardExpect(t, guardJudge(t, nil, beat, &rd), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if r.Reason != otaprio.GuardReasonCodeOverCeiling {
		t.Errorf("reason %v", r.Reason)
	}
	rd.CanaryEvents[0] = 104
	guardExpect(t, guardJudge(t, nil, beat, &rd), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
	beat.Checks = otaprio.GuardCheckBaseline
	beat.Margin = 0.1
	rd = guardRate(700, 100, 10000, 1000)
	r = guardExpect(t, guardJudge(t, nil, beat, &rd), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if math.Abs(r.Effect-0.7) > 1e-12 {
		t.Errorf("effect %v", r.Effect)
	}
}

// The margin scales with what the update touches.
func TestGuardToleranceFollowsWhatTheUpdateTouches(t *testing.T) {
	rule := guardRuleOf("crash-rate", otaprio.GuardKindRate)
	rule.Margin = 0.8
	data := guardRate(10, 1000, 100, 10000)
	for _, c := range []struct {
		layer   otaprio.Layer
		exploit bool
		limit   float64
	}{
		{otaprio.LayerApp, false, 1.8}, {otaprio.LayerConfig, false, 1.8}, {otaprio.LayerOS, false, 1.6},
		{otaprio.LayerKernel, false, 1.4}, {otaprio.LayerBootloader, false, 1.2},
		{otaprio.LayerBaseband, false, 1.2}, {otaprio.LayerBattery, false, 1.2},
		{otaprio.LayerApp, true, 2.2}, {otaprio.LayerKernel, true, 1.6},
	} {
		options := otaprio.DefaultGuardOptions()
		options.Layer, options.ClosesActiveExploit = c.layer, c.exploit
		if got := guardJudge(t, &options, rule, &data).Results[0].Limit; math.Abs(got-c.limit) > 1e-15 {
			t.Errorf("%v exploit %v: limit %v, want %v", c.layer, c.exploit, got, c.limit)
		}
	}
	data = guardRate(300, 20000, 1000, 100000) // 1.5 times
	options := otaprio.DefaultGuardOptions()
	guardExpect(t, guardJudge(t, &options, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
	options.Layer = otaprio.LayerBootloader
	guardExpect(t, guardJudge(t, &options, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	options.ToleranceScale = 1
	guardExpect(t, guardJudge(t, &options, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
}

func TestGuardAFailingStratumIsNamed(t *testing.T) {
	rule := guardRuleOf("install-failures", otaprio.GuardKindProportion)
	data := otaprio.GuardData{WindowEndHours: 24,
		StratumIDs:     []uint64{100, 101, 102, 103},
		CanaryEvents:   []uint64{20, 21, 12, 19},
		CanaryTrials:   []uint64{1000, 1000, 100, 1000},
		BaselineEvents: []uint64{200, 200, 20, 200},
		BaselineTrials: []uint64{10000, 10000, 1000, 10000}}
	r := guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if r.FailingStrata != 1 || len(r.Strata) != 4 {
		t.Fatalf("result %+v", r)
	}
	s := r.Strata[0]
	if s.Stratum != 102 || s.Verdict != otaprio.GuardVerdictFail || s.AdjustedPValue < s.PValue ||
		math.Abs(s.CanaryValue-0.12) > 1e-15 || s.CanarySample != 100 {
		t.Errorf("first stratum %+v", s)
	}
	for i := 1; i < 4; i++ {
		if r.Strata[i].Verdict == otaprio.GuardVerdictFail || r.Strata[i].AdjustedPValue < r.Strata[i-1].AdjustedPValue {
			t.Errorf("stratum %d: %+v", i, r.Strata[i])
		}
	}
	// Exempting the stratum (its row left out) lets the rest expand.
	for _, c := range [][]uint64{data.StratumIDs, data.CanaryEvents, data.CanaryTrials, data.BaselineEvents, data.BaselineTrials} {
		c[2] = c[3]
	}
	data.StratumIDs = data.StratumIDs[:3]
	data.CanaryEvents, data.CanaryTrials = data.CanaryEvents[:3], data.CanaryTrials[:3]
	data.BaselineEvents, data.BaselineTrials = data.BaselineEvents[:3], data.BaselineTrials[:3]
	guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictPass, otaprio.GuardActionExpand)
}

func TestGuardAStratumFailureHiddenInThePoolStillFails(t *testing.T) {
	rule := guardRuleOf("crash-rate", otaprio.GuardKindRate)
	data := otaprio.GuardData{WindowEndHours: 24,
		CanaryEvents: []uint64{40, 30, 30}, CanaryExposure: []float64{1000, 10000, 10000},
		BaselineEvents: []uint64{100, 1000, 1000}, BaselineExposure: []float64{10000, 100000, 100000}}
	r := guardExpect(t, guardJudge(t, nil, rule, &data), otaprio.GuardVerdictFail, otaprio.GuardActionPause)
	if r.Reason != otaprio.GuardReasonCodeStrata || r.FailingStrata != 1 || r.Strata[0].Stratum != 0 {
		t.Errorf("result %+v", r)
	}
}

func TestGuardMultiplicityControlSparesNoise(t *testing.T) {
	rule := guardRuleOf("crash-rate", otaprio.GuardKindRate)
	var data otaprio.GuardData
	data.WindowEndHours = 24
	for i := 0; i < 8; i++ {
		data.CanaryEvents = append(data.CanaryEvents, 17)
		data.CanaryExposure = append(data.CanaryExposure, 1000)
		data.BaselineEvents = append(data.BaselineEvents, 100)
		data.BaselineExposure = append(data.BaselineExposure, 10000)
	}
	failing := map[otaprio.GuardMultiplicity]int{}
	for _, m := range []otaprio.GuardMultiplicity{otaprio.GuardMultiplicityUncorrected,
		otaprio.GuardMultiplicityHolm, otaprio.GuardMultiplicityBenjaminiHochberg} {
		options := otaprio.DefaultGuardOptions()
		options.Multiplicity = m
		r := guardJudge(t, &options, rule, &data).Results[0]
		failing[m] = r.FailingStrata
		if m == otaprio.GuardMultiplicityHolm && r.Verdict != otaprio.GuardVerdictFail {
			t.Errorf("pooled comparison: %v", r.Verdict)
		}
	}
	if failing[otaprio.GuardMultiplicityUncorrected] != 8 || failing[otaprio.GuardMultiplicityHolm] != 0 ||
		(failing[otaprio.GuardMultiplicityBenjaminiHochberg] != 8 && failing[otaprio.GuardMultiplicityBenjaminiHochberg] != 0) {
		t.Errorf("failing strata %v", failing)
	}
}

func TestGuardOverallActionAndReasonsInOrder(t *testing.T) {
	rules := []otaprio.GuardRule{
		guardRuleOf("download-retries", otaprio.GuardKindProportion),
		guardRuleOf("boot-failures", otaprio.GuardKindProportion),
		guardRuleOf("crash-rate", otaprio.GuardKindRate),
		guardRuleOf("tickets", otaprio.GuardKindRate),
	}
	rules[0].Severity = otaprio.GuardSeverityLeading
	rules[1].Severity = otaprio.GuardSeverityCritical
	set, err := otaprio.NewGuardSet(nil, rules)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	if set.Len() != 4 || set.RuleName(3) != "tickets" || set.RuleName(4) != "" || set.RuleName(-1) != "" ||
		len(set.Names()) != 4 {
		t.Errorf("set: %d rules %v", set.Len(), set.Names())
	}
	boot, err := set.Find("boot-failures")
	if err != nil || boot != 1 {
		t.Fatalf("Find = %d, %v", boot, err)
	}
	if _, err := set.Find("nope"); !errors.Is(err, otaprio.ErrNotFound) {
		t.Errorf("Find(nope) = %v", err)
	}
	leading, critical, crash := guardProportion(60, 1000, 200, 10000), guardProportion(9, 1000, 2, 10000),
		guardRate(10, 1000, 100, 10000)
	leading.Rule, critical.Rule, crash.Rule = 0, boot, 2
	report, err := set.Evaluate([]otaprio.GuardData{leading, critical, crash})
	if err != nil {
		t.Fatal(err)
	}
	defer report.Close()
	if report.Action != otaprio.GuardActionRollback || len(report.Reasons) != 3 {
		t.Fatalf("action %v, reasons %+v", report.Action, report.Reasons)
	}
	want := []otaprio.GuardReason{
		{Rule: 1, Action: otaprio.GuardActionRollback},
		{Rule: 0, Action: otaprio.GuardActionHold, Code: otaprio.GuardReasonCodeOverBaseline},
		{Rule: 3, Action: otaprio.GuardActionHold, Code: otaprio.GuardReasonCodeNoData},
	}
	for i, w := range want {
		got := report.Reasons[i]
		if got.Rule != w.Rule || got.Action != w.Action || (i > 0 && got.Code != w.Code) {
			t.Errorf("reason %d = %+v, want %+v", i, got, w)
		}
	}
	if !math.IsNaN(report.Reasons[2].PValue) {
		t.Errorf("no-data reason p %v", report.Reasons[2].PValue)
	}
	if r, ok := report.Result("tickets"); !ok || r.Rule != 3 || r.Verdict != otaprio.GuardVerdictNoData {
		t.Errorf("Result(tickets) = %+v, %v", r, ok)
	}
	if _, ok := report.Result("nope"); ok {
		t.Error("Result(nope) found")
	}
	for i, r := range report.Results {
		if r.Rule != i || r.Name != rules[i].Name {
			t.Errorf("result %d: rule %d %q", i, r.Rule, r.Name)
		}
	}
	// The fields stay valid after Close, which is idempotent.
	report.Close()
	report.Close()
	if report.Results[1].Verdict != otaprio.GuardVerdictFail {
		t.Error("the report lost its results")
	}
}

func TestGuardNames(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{otaprio.GuardVerdictNoData.Name(), "no-data"},
		{otaprio.GuardVerdictPass.Name(), "pass"},
		{otaprio.GuardActionRollback.Name(), "rollback"},
		{otaprio.GuardActionExpand.Name(), "expand"},
		{otaprio.GuardTestSequential.Name(), "sequential"},
		{otaprio.GuardTestMannWhitney.Name(), "mann-whitney"},
		{otaprio.GuardReasonCodeSoaking.Name(), "soaking"},
		{otaprio.GuardReasonCodeOverBaseline.Name(), "over-baseline"},
		{otaprio.GuardVerdict(4).Name(), ""},
		{otaprio.GuardAction(-1).Name(), ""},
		{otaprio.GuardTest(11).Name(), ""},
		{otaprio.GuardReasonCode(10).Name(), ""},
	} {
		if c.got != c.want {
			t.Errorf("Name() = %q, want %q", c.got, c.want)
		}
	}
}
