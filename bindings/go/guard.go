// SPDX-License-Identifier: MIT

package otaprio

// #include <stdlib.h>
// #include "binding.h"
//
// /* The samples trampoline is exported from guard_samples.go with a
//  * non-const values pointer (cgo cannot spell const); this wrapper gives
//  * the engine the exact otaprio_guard_samples_fn signature. Not static:
//  * Go takes its address, which cgo resolves by linking. */
// extern int otaprioGuardSamplesGo(void *, size_t, int32_t, double **, size_t *);
// int otaprio_go_guard_samples_trampoline(void *user, size_t row,
//                                         int32_t group,
//                                         const double **values,
//                                         size_t *count)
// {
//     return otaprioGuardSamplesGo(user, row, group, (double **)values, count);
// }
import "C"

import (
	"math"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// GuardMaxRules is the most rules one GuardSet holds.
const GuardMaxRules = C.OTAPRIO_GUARD_MAX_RULES

// GuardMaxStrata is the most rows (strata) one metric's data may have.
const GuardMaxStrata = C.OTAPRIO_GUARD_MAX_STRATA

// GuardRule is one metric's rule: the kind of data it judges, which way
// it goes bad, the limits it is held to and what its failure does.
//
// Start from DefaultGuardRule, which carries the library's defaults (a
// 24-hour soak window among them); the zero value is a rule with every
// number at 0, which the library accepts but rarely means.
type GuardRule struct {
	// Name is the metric's name, 1 to 63 bytes of UTF-8, unique in the set.
	Name string
	// Kind is the kind of data: proportion, rate or continuous.
	Kind GuardKind
	// Direction is which way the metric goes bad.
	Direction GuardDirection
	// Severity is what a failure does: pause, roll back, or hold.
	Severity GuardSeverity
	// Checks are the checks made; 0 selects the kind's default (the
	// baseline, plus the spread for a continuous metric).
	Checks GuardCheck
	// Margin is the relative margin over the baseline the canary may
	// reach, before tolerance scaling (0.2 allows 20% worse).
	Margin float64
	// Ceiling is the absolute limit (a floor when lower is worse).
	Ceiling float64
	// MinimumSample is the canary's sample (devices, exposure or samples)
	// below which the verdict is inconclusive, except for critical harm.
	MinimumSample float64
	// WindowHours is how long the data must span before a pass may expand
	// the rollout.
	WindowHours float64
	// NoData is what a metric without canary data does.
	NoData GuardNoData
	// ZeroBaseline is how a comparison against a baseline that saw no
	// event is judged.
	ZeroBaseline GuardZeroBaseline
	// RequireEvidence passes only on positive evidence (a non-inferiority
	// test) rather than on the absence of significant harm.
	RequireEvidence bool
	// Sequential judges the whole-cohort baseline comparison with the
	// always-valid test; the host then keeps a GuardSequence for the rule.
	Sequential bool
}

// DefaultGuardRule returns a rule named name with every other field at
// the library's default (otaprio_guard_rule_init).
func DefaultGuardRule(name string) GuardRule {
	var r C.otaprio_guard_rule
	C.otaprio_guard_rule_init(&r, C.size_t(unsafe.Sizeof(r)))
	return GuardRule{
		Name:            name,
		Kind:            GuardKind(r.kind),
		Direction:       GuardDirection(r.direction),
		Severity:        GuardSeverity(r.severity),
		Checks:          GuardCheck(r.checks),
		Margin:          float64(r.margin),
		Ceiling:         float64(r.ceiling),
		MinimumSample:   float64(r.minimum_sample),
		WindowHours:     float64(r.window_hours),
		NoData:          GuardNoData(r.no_data),
		ZeroBaseline:    GuardZeroBaseline(r.zero_baseline),
		RequireEvidence: r.require_evidence != 0,
		Sequential:      r.sequential != 0,
	}
}

// guardRuleToC fills a C rule from r; its name is a C copy held by
// texts until the call that reads it returns.
func guardRuleToC(op string, index int, r *GuardRule, texts *cStrings) (C.otaprio_guard_rule, error) {
	var c C.otaprio_guard_rule
	C.otaprio_guard_rule_init(&c, C.size_t(unsafe.Sizeof(c)))
	if strings.IndexByte(r.Name, 0) >= 0 {
		// C would read the name only up to the NUL, and so judge
		// another name than the one given.
		return c, argError(op, StatusInvalid, "name", int64(index), "the name contains a NUL byte")
	}
	c.name = texts.add(r.Name)
	c.kind = C.int32_t(r.Kind)
	c.direction = C.int32_t(r.Direction)
	c.severity = C.int32_t(r.Severity)
	c.checks = C.uint32_t(r.Checks)
	c.margin = C.double(r.Margin)
	c.ceiling = C.double(r.Ceiling)
	c.minimum_sample = C.double(r.MinimumSample)
	c.window_hours = C.double(r.WindowHours)
	c.no_data = C.int32_t(r.NoData)
	c.zero_baseline = C.int32_t(r.ZeroBaseline)
	c.require_evidence = cFlag(r.RequireEvidence)
	c.sequential = cFlag(r.Sequential)
	return c, nil
}

// guardRulesToC converts rules for one C call (a set, or a plan that
// builds its own sets); free strings after the call.
func guardRulesToC(op string, rules []GuardRule, texts *cStrings) ([]C.otaprio_guard_rule, error) {
	out := make([]C.otaprio_guard_rule, len(rules))
	for i := range rules {
		c, err := guardRuleToC(op, i, &rules[i], texts)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// GuardOptions are the rollout-wide settings of a rule set. Start from
// DefaultGuardOptions: the zero value has an alpha of 0, which the
// library refuses.
type GuardOptions struct {
	// Alpha is the significance level of every test, in (0, 0.5].
	Alpha float64
	// Layer is what the update touches; it sets the tolerance scale.
	Layer Layer
	// ClosesActiveExploit loosens the tolerance for an update that closes
	// an actively exploited hole.
	ClosesActiveExploit bool
	// ToleranceScale is the factor on every margin; 0 takes the layer's
	// default (GuardToleranceDefault).
	ToleranceScale float64
	// ExactLimit is the total events up to which proportions use Fisher's
	// exact test rather than the score test.
	ExactLimit uint64
	// Multiplicity is how failures across strata are controlled.
	Multiplicity GuardMultiplicity
}

// DefaultGuardOptions returns the library's default options
// (otaprio_guard_options_init).
func DefaultGuardOptions() GuardOptions {
	var o C.otaprio_guard_options
	C.otaprio_guard_options_init(&o, C.size_t(unsafe.Sizeof(o)))
	return GuardOptions{
		Alpha:               float64(o.alpha),
		Layer:               Layer(o.layer),
		ClosesActiveExploit: o.closes_active_exploit != 0,
		ToleranceScale:      float64(o.tolerance_scale),
		ExactLimit:          uint64(o.exact_limit),
		Multiplicity:        GuardMultiplicity(o.multiplicity),
	}
}

// guardOptionsToC converts options (which hold no pointers) for a C call.
func guardOptionsToC(o *GuardOptions) C.otaprio_guard_options {
	var c C.otaprio_guard_options
	C.otaprio_guard_options_init(&c, C.size_t(unsafe.Sizeof(c)))
	c.alpha = C.double(o.Alpha)
	c.layer = C.int32_t(o.Layer)
	c.closes_active_exploit = cFlag(o.ClosesActiveExploit)
	c.tolerance_scale = C.double(o.ToleranceScale)
	c.exact_limit = C.uint64_t(o.ExactLimit)
	c.multiplicity = C.int32_t(o.Multiplicity)
	return c
}

// GuardToleranceDefault is the default factor on every margin of an
// update to layer: 1 for an app or config, 0.75 for the OS, 0.5 for the
// kernel, 0.25 for bootloader, baseband and battery management, times 1.5
// when the update closes an actively exploited hole. Safe for concurrent
// use.
func GuardToleranceDefault(layer Layer, closesActiveExploit bool) (float64, error) {
	var scale C.double
	d := newDiag()
	status := C.otaprio_guard_tolerance_default(C.int32_t(layer), C.int32_t(cFlag(closesActiveExploit)), &scale, d)
	if err := check("GuardToleranceDefault", status, d); err != nil {
		return 0, err
	}
	return float64(scale), nil
}

// GuardCountDevices counts a proportion per unique device from raw
// executions, so that retries do not inflate it: keys[i] is the device of
// execution i (see Key) and failed[i] is 1 when that attempt failed, 0
// otherwise. A device is one trial however often it tried; it is one
// failure when any of its attempts failed or, with finalOutcome, when its
// last attempt in slice order did. Safe for concurrent use.
func GuardCountDevices(keys []uint64, failed []uint8, finalOutcome bool) (failures, trials uint64, err error) {
	const op = "GuardCountDevices"
	if len(keys) != len(failed) {
		return 0, 0, argError(op, StatusInvalid, "failed", -1, "%d flags for %d keys", len(failed), len(keys))
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	var f, t C.uint64_t
	d := newDiag()
	status := C.otaprio_guard_count_devices(column[C.uint64_t](&pins, keys),
		column[C.uint8_t](&pins, failed), C.size_t(len(keys)), C.int(cFlag(finalOutcome)),
		nil, &f, &t, d)
	if err := check(op, status, d); err != nil {
		return 0, 0, err
	}
	return uint64(f), uint64(t), nil
}

// GuardSet is an immutable, compiled set of rules. It is safe for
// concurrent use: any number of goroutines may evaluate against one set at
// once (each with its own sequences). Close frees it; Close waits for
// evaluations in flight and later calls fail with ErrInvalid.
type GuardSet struct {
	mu    sync.RWMutex
	c     *C.otaprio_guard_set
	owner any // what owns a borrowed set (a plan); nil when the set is ours
	names []string
}

// NewGuardSet checks and compiles rules (1 to GuardMaxRules, names
// unique) with the rollout's options; nil options are the defaults.
// Errors name the rule (Index) and field at fault.
func NewGuardSet(options *GuardOptions, rules []GuardRule) (*GuardSet, error) {
	const op = "NewGuardSet"
	var strs cStrings
	defer strs.free()
	cRules, err := guardRulesToC(op, rules, &strs)
	if err != nil {
		return nil, err
	}
	var cOptions *C.otaprio_guard_options
	if options != nil {
		o := guardOptionsToC(options)
		cOptions = &o
	}
	var rulePtr *C.otaprio_guard_rule
	if len(cRules) > 0 {
		rulePtr = &cRules[0]
	}
	var set *C.otaprio_guard_set
	d := newDiag()
	status := C.otaprio_guard_set_create(cOptions, rulePtr, C.size_t(len(cRules)), nil, &set, d)
	if err := check(op, status, d); err != nil {
		return nil, err
	}
	s := guardSetOf(set, nil)
	runtime.SetFinalizer(s, (*GuardSet).Close)
	return s, nil
}

// guardSetOf wraps a C set; owner, when not nil, owns it (a plan whose
// wave set this is) and is kept alive with the wrapper, and Close then
// only lets go of it.
func guardSetOf(set *C.otaprio_guard_set, owner any) *GuardSet {
	s := &GuardSet{c: set, owner: owner}
	n := int(C.otaprio_guard_set_rule_count(set))
	s.names = make([]string, n)
	for i := range s.names {
		s.names[i] = C.GoString(C.otaprio_guard_set_rule_name(set, C.uint32_t(i)))
	}
	return s
}

// Close frees the set. It is idempotent, and waits for evaluations in
// flight on other goroutines.
func (s *GuardSet) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil && s.owner == nil {
		C.otaprio_guard_set_free(s.c)
	}
	s.c, s.owner = nil, nil
	runtime.SetFinalizer(s, nil)
	return nil
}

// guardUse runs fn on the C set (for the planner), holding Close off
// until fn returns.
func (s *GuardSet) guardUse(op string, fn func(*C.otaprio_guard_set) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.c == nil {
		return closedError(op, "set")
	}
	return fn(s.c)
}

// Len is the number of rules.
func (s *GuardSet) Len() int { return len(s.names) }

// Names are the rules' names, by index (a copy).
func (s *GuardSet) Names() []string { return append([]string(nil), s.names...) }

// RuleName is the name of rule index, or "" for an index out of range.
func (s *GuardSet) RuleName(index int) string {
	if index < 0 || index >= len(s.names) {
		return ""
	}
	return s.names[index]
}

// Find returns the index of the rule named name (ErrNotFound when there
// is none).
func (s *GuardSet) Find(name string) (int, error) {
	const op = "GuardSet.Find"
	if strings.IndexByte(name, 0) >= 0 {
		return 0, argError(op, StatusInvalid, "name", -1, "the name contains a NUL byte")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.c == nil {
		return 0, closedError(op, "set")
	}
	var strs cStrings
	defer strs.free()
	var index C.uint32_t
	d := newDiag()
	status := C.otaprio_guard_set_find(s.c, strs.add(name), &index)
	if err := check(op, status, d); err != nil {
		err.(*Error).Field = "name"
		err.(*Error).Message = "no rule named " + quoteName(name)
		return 0, err
	}
	return int(index), nil
}

// quoteName quotes a metric name for a message.
func quoteName(name string) string { return "\"" + name + "\"" }

// guardRuleIndex checks a rule index from Go before it becomes a uint32.
func guardRuleIndex(op, field string, entry int64, rule int) (C.uint32_t, error) {
	if rule < 0 || uint64(rule) > math.MaxUint32 {
		return 0, argError(op, StatusRange, field, entry, "rule %d is out of range", rule)
	}
	return C.uint32_t(rule), nil
}

// GuardSamplesFunc hands over one stratum's samples of a continuous
// metric: row is the stratum's row in the GuardData, group the side of
// the comparison. The library copies the values before it asks again, so
// the slice returned may be reused from the next call on. An error stops
// the evaluation and Evaluate returns it unchanged; a panic stops it too
// and is raised again from Evaluate.
type GuardSamplesFunc func(row int, group GuardGroup) ([]float64, error)

// GuardData is one metric's telemetry for one evaluation, whole or by
// stratum: row i of every column is stratum i, and the whole cohort is the
// sum of the rows (for samples, their union). Columns a kind does not use
// stay nil. The slices are handed to the library without copying and are
// not retained after Evaluate returns.
type GuardData struct {
	// Rule is the rule's index in the set (see GuardSet.Find).
	Rule int
	// Rows is the number of strata. 0 takes the length of the columns;
	// a continuous metric, which has no columns, must set it.
	Rows int
	// StratumIDs are the rows' ids, reported back in the strata; nil
	// numbers the rows 0, 1, ...
	StratumIDs []uint64
	// WindowStartHours and WindowEndHours are the hours since the wave
	// began that the data spans.
	WindowStartHours, WindowEndHours float64
	// CanaryEvents and BaselineEvents are failed devices (proportion) or
	// events (rate).
	CanaryEvents, BaselineEvents []uint64
	// CanaryTrials and BaselineTrials are the devices that tried
	// (proportion).
	CanaryTrials, BaselineTrials []uint64
	// CanaryExposure and BaselineExposure are the exposure (rate), such
	// as device-hours.
	CanaryExposure, BaselineExposure []float64
	// Samples hands over a continuous metric's samples.
	Samples GuardSamplesFunc
	// Sequence is a sequential rule's state, advanced by a successful
	// evaluation; the counts must then be cumulative since the wave
	// began. nil judges the rule with a fixed-sample test.
	Sequence *GuardSequence
}

// guardColumn is one of GuardData's columns, for the length checks.
type guardColumn struct {
	name   string
	length int
	given  bool
}

// guardRows returns an entry's number of rows after checking that every
// column given has that many.
func guardRows(op string, entry int, d *GuardData) (int, error) {
	columns := []guardColumn{
		{"stratum_ids", len(d.StratumIDs), d.StratumIDs != nil},
		{"canary_events", len(d.CanaryEvents), d.CanaryEvents != nil},
		{"baseline_events", len(d.BaselineEvents), d.BaselineEvents != nil},
		{"canary_trials", len(d.CanaryTrials), d.CanaryTrials != nil},
		{"baseline_trials", len(d.BaselineTrials), d.BaselineTrials != nil},
		{"canary_exposure", len(d.CanaryExposure), d.CanaryExposure != nil},
		{"baseline_exposure", len(d.BaselineExposure), d.BaselineExposure != nil},
	}
	if d.Rows < 0 {
		return 0, argError(op, StatusRange, "rows", int64(entry), "%d rows", d.Rows)
	}
	rows, from := d.Rows, "rows"
	if rows == 0 {
		for _, c := range columns {
			if c.given {
				rows, from = c.length, c.name
				break
			}
		}
	}
	for _, c := range columns {
		if c.given && c.length != rows {
			return 0, argError(op, StatusInvalid, c.name, int64(entry),
				"%d values where %s has %d rows", c.length, from, rows)
		}
	}
	return rows, nil
}

// Evaluate judges each rule on the data whose Rule names it (a rule
// without data has no data) and gives the rollout's action. Errors name
// the entry (Index) and field at fault; an error a Samples callback
// returns comes back unchanged, and a panic in one is raised again here.
// Sequences advance only when Evaluate succeeds.
//
// Safe for concurrent use on a shared set, as long as no sequence is
// shared between concurrent calls.
func (s *GuardSet) Evaluate(data []GuardData) (*GuardReport, error) {
	const op = "GuardSet.Evaluate"
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.c == nil {
		return nil, closedError(op, "set")
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	cData := make([]C.otaprio_guard_data, len(data))
	var calls []*call
	// Every call's handle is freed however Evaluate ends; finish does it
	// for the calls that reach it and clears their handle.
	defer func() {
		for _, c := range calls {
			if c.handle != nil {
				c.pins.Unpin()
				c.handle.Delete()
				c.handle = nil
			}
		}
	}()
	for i := range data {
		d := &data[i]
		c := &cData[i]
		C.otaprio_guard_data_init(c, C.size_t(unsafe.Sizeof(*c)))
		rule, err := guardRuleIndex(op, "rule", int64(i), d.Rule)
		if err != nil {
			return nil, err
		}
		rows, err := guardRows(op, i, d)
		if err != nil {
			return nil, err
		}
		c.rule = rule
		c.rows = C.size_t(rows)
		c.window_start_hours = C.double(d.WindowStartHours)
		c.window_end_hours = C.double(d.WindowEndHours)
		c.stratum_ids = column[C.uint64_t](&pins, d.StratumIDs)
		c.canary_events = column[C.uint64_t](&pins, d.CanaryEvents)
		c.baseline_events = column[C.uint64_t](&pins, d.BaselineEvents)
		c.canary_trials = column[C.uint64_t](&pins, d.CanaryTrials)
		c.baseline_trials = column[C.uint64_t](&pins, d.BaselineTrials)
		c.canary_exposure = column[C.double](&pins, d.CanaryExposure)
		c.baseline_exposure = column[C.double](&pins, d.BaselineExposure)
		if d.Samples != nil {
			sc := newCall(d.Samples)
			calls = append(calls, sc)
			// The handle lives in Go memory and C reads its address
			// from the struct, not from an argument: pin it.
			pins.Pin(sc.handle)
			c.samples = C.otaprio_guard_samples_fn(C.otaprio_go_guard_samples_trampoline)
			c.user = sc.user()
		}
		if d.Sequence != nil {
			if d.Sequence.c == nil {
				return nil, argError(op, StatusInvalid, "sequence", int64(i), "the sequence is closed")
			}
			c.sequence = d.Sequence.c
		}
	}
	var dataPtr *C.otaprio_guard_data
	if len(cData) > 0 {
		dataPtr = &cData[0]
	}
	var report *C.otaprio_guard_report
	d := newDiag()
	status := C.otaprio_guard_evaluate(s.c, dataPtr, C.size_t(len(cData)), nil, &report, d)
	runtime.KeepAlive(data)
	// C stops at the first callback that fails, so at most one call has
	// an error or a panic: end the others first, then that one (which may
	// panic), so that no handle is left behind.
	var failed *call
	for _, c := range calls {
		if c.panicked || c.err != nil {
			failed = c
			continue
		}
		_ = c.finish(op, C.OTAPRIO_OK, nil)
		c.handle = nil
	}
	if failed != nil {
		if status == C.OTAPRIO_OK {
			C.otaprio_guard_report_free(report)
		}
		c := failed
		defer func() { c.handle = nil }()
		return nil, c.finish(op, status, d)
	}
	if err := check(op, status, d); err != nil {
		return nil, err
	}
	r, err := s.guardReadReport(report)
	if err != nil {
		C.otaprio_guard_report_free(report)
		return nil, err
	}
	return r, nil
}

// GuardResult is one metric's outcome, whole cohort, in the metric's own
// terms (a proportion, events per unit of exposure, or the continuous
// value; not flipped for lower-is-worse). Values a test does not produce
// are NaN.
type GuardResult struct {
	// Rule is the rule's index, Name its name.
	Rule int
	Name string
	// Verdict is pass, fail, inconclusive or no data.
	Verdict GuardVerdict
	// Action is what this metric asks of the rollout.
	Action GuardAction
	// Reason is why it holds, pauses or rolls back (none for a pass).
	Reason GuardReasonCode
	// Test is the test that decided.
	Test GuardTest
	// Statistic is the test's statistic (odds ratio, z, rate ratio, U, W,
	// e-value... see docs/guardrail.md).
	Statistic float64
	// PValue is the test's p-value, LogPValue its natural log (finite where
	// the p-value underflows).
	PValue, LogPValue float64
	// CanaryValue and BaselineValue are the two sides' proportion, rate or
	// median.
	CanaryValue, BaselineValue float64
	// Effect is the difference of proportions, the rate ratio or the
	// Hodges-Lehmann shift, with its interval at 1 - alpha.
	Effect, EffectLow, EffectHigh float64
	// Limit is what the canary was held to after tolerance scaling: the
	// allowed ratio or shift, or the ceiling.
	Limit float64
	// CanarySample and BaselineSample are the devices, exposure or samples
	// of each side.
	CanarySample, BaselineSample float64
	// FailingStrata is the number of strata failing after
	// multiple-comparison control.
	FailingStrata int
	// Strata are the metric's strata in report order: failing first, then
	// the rest, each by adjusted p-value; strata without data last.
	Strata []GuardStratum
}

// GuardStratum is one stratum's outcome for a metric.
type GuardStratum struct {
	// Stratum is its id (GuardData.StratumIDs, or its row).
	Stratum uint64
	// Verdict is fail when it fails after multiple-comparison control.
	Verdict GuardVerdict
	// Reason is the reason code of its harm test.
	Reason GuardReasonCode
	// PValue is its harm test's p-value; AdjustedPValue that p-value
	// adjusted across the metric's strata.
	PValue, AdjustedPValue float64
	// CanaryValue and BaselineValue are the two sides' values in the
	// stratum; CanarySample the canary's sample.
	CanaryValue, BaselineValue, CanarySample float64
}

// GuardReason is one reason behind the overall action.
type GuardReason struct {
	// Rule is the rule's index.
	Rule int
	// Action is what it asks for.
	Action GuardAction
	// Code is why.
	Code GuardReasonCode
	// PValue is the p-value behind it, NaN when no test decided.
	PValue float64
}

// GuardReport is an evaluation: the rollout's action, each rule's result
// with its strata, and the reasons behind the action, gravest first. Its
// fields are plain Go data. It also keeps the library's report, which the
// planner reads back as telemetry; Close frees that (the fields stay
// valid), and a finalizer does it for a report never closed. A report is
// immutable and safe for concurrent use.
type GuardReport struct {
	// Action is the overall action, the gravest rule's.
	Action GuardAction
	// Results are the rules' outcomes, by rule index.
	Results []GuardResult
	// Reasons are the metrics that do not pass cleanly, gravest action
	// first, then failures, then severity, then p-value; empty when the
	// action is to expand.
	Reasons []GuardReason

	mu sync.RWMutex
	c  *C.otaprio_guard_report
}

// guardUse runs fn on the library's report (for the planner, which reads
// it as telemetry), holding Close off until fn returns.
func (r *GuardReport) guardUse(op string, fn func(*C.otaprio_guard_report) error) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.c == nil {
		return closedError(op, "report")
	}
	return fn(r.c)
}

// Result returns the result of the rule named name.
func (r *GuardReport) Result(name string) (*GuardResult, bool) {
	for i := range r.Results {
		if r.Results[i].Name == name {
			return &r.Results[i], true
		}
	}
	return nil, false
}

// Close frees the library's copy of the report; idempotent.
func (r *GuardReport) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.c != nil {
		C.otaprio_guard_report_free(r.c)
		r.c = nil
	}
	runtime.SetFinalizer(r, nil)
	return nil
}

// guardReadReport copies a C report into Go and adopts it.
func (s *GuardSet) guardReadReport(report *C.otaprio_guard_report) (*GuardReport, error) {
	const op = "GuardSet.Evaluate"
	r := &GuardReport{Action: GuardAction(C.otaprio_guard_report_action(report))}
	r.Results = make([]GuardResult, len(s.names))
	for i := range r.Results {
		var c C.otaprio_guard_result
		c.size = C.size_t(unsafe.Sizeof(c))
		if err := check(op, C.otaprio_guard_report_result(report, C.uint32_t(i), &c), nil); err != nil {
			return nil, err
		}
		strata, err := guardReadStrata(op, report, C.uint32_t(i))
		if err != nil {
			return nil, err
		}
		r.Results[i] = GuardResult{
			Rule:           int(c.rule),
			Name:           s.names[i],
			Verdict:        GuardVerdict(c.verdict),
			Action:         GuardAction(c.action),
			Reason:         GuardReasonCode(c.reason),
			Test:           GuardTest(c.test),
			Statistic:      float64(c.statistic),
			PValue:         float64(c.p_value),
			LogPValue:      float64(c.log_p_value),
			CanaryValue:    float64(c.canary_value),
			BaselineValue:  float64(c.baseline_value),
			Effect:         float64(c.effect),
			EffectLow:      float64(c.effect_low),
			EffectHigh:     float64(c.effect_high),
			Limit:          float64(c.limit),
			CanarySample:   float64(c.canary_sample),
			BaselineSample: float64(c.baseline_sample),
			FailingStrata:  int(c.failing_strata),
			Strata:         strata,
		}
	}
	n := int(C.otaprio_guard_report_reason_count(report))
	r.Reasons = make([]GuardReason, n)
	for i := range r.Reasons {
		var c C.otaprio_guard_reason
		c.size = C.size_t(unsafe.Sizeof(c))
		if err := check(op, C.otaprio_guard_report_reason(report, C.size_t(i), &c), nil); err != nil {
			return nil, err
		}
		r.Reasons[i] = GuardReason{Rule: int(c.rule), Action: GuardAction(c.action),
			Code: GuardReasonCode(c.code), PValue: float64(c.p_value)}
	}
	r.c = report
	runtime.SetFinalizer(r, (*GuardReport).Close)
	return r, nil
}

// guardReadStrata copies one rule's strata.
func guardReadStrata(op string, report *C.otaprio_guard_report, rule C.uint32_t) ([]GuardStratum, error) {
	var total C.size_t
	if err := check(op, C.otaprio_guard_report_strata(report, rule, nil, 0, &total), nil); err != nil {
		return nil, err
	}
	if total == 0 {
		return nil, nil
	}
	cs := make([]C.otaprio_guard_stratum, int(total))
	for i := range cs {
		cs[i].size = C.size_t(unsafe.Sizeof(cs[i]))
	}
	if err := check(op, C.otaprio_guard_report_strata(report, rule, &cs[0], total, &total), nil); err != nil {
		return nil, err
	}
	out := make([]GuardStratum, len(cs))
	for i, c := range cs {
		out[i] = GuardStratum{
			Stratum:        uint64(c.stratum),
			Verdict:        GuardVerdict(c.verdict),
			Reason:         GuardReasonCode(c.reason),
			PValue:         float64(c.p_value),
			AdjustedPValue: float64(c.adjusted_p_value),
			CanaryValue:    float64(c.canary_value),
			BaselineValue:  float64(c.baseline_value),
			CanarySample:   float64(c.canary_sample),
		}
	}
	return out, nil
}

// guardName turns a C name (NULL for an unknown value) into Go.
func guardName(name *C.char) string {
	if name == nil {
		return ""
	}
	return C.GoString(name)
}

// Name is the library's name of the verdict ("pass", "fail",
// "inconclusive", "no-data") for hosts that print it; "" for a value the
// library does not know. String gives the Go binding's spelling.
func (v GuardVerdict) Name() string { return guardName(C.otaprio_guard_verdict_name(C.int32_t(v))) }

// Name is the library's name of the action ("expand", "hold", "pause",
// "rollback"); "" for a value the library does not know.
func (v GuardAction) Name() string { return guardName(C.otaprio_guard_action_name(C.int32_t(v))) }

// Name is the library's name of the test ("fisher", "score",
// "mann-whitney", ...); "" for a value the library does not know.
func (v GuardTest) Name() string { return guardName(C.otaprio_guard_test_name(C.int32_t(v))) }

// Name is the library's name of the reason ("over-baseline", "soaking",
// ...); "" for a value the library does not know.
func (v GuardReasonCode) Name() string {
	return guardName(C.otaprio_guard_reason_name(C.int32_t(v)))
}
