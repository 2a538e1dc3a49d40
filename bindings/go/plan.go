// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
// extern int planSourceTrampoline(void *user, int32_t pass, uint64_t first, otaprio_plan_chunk *chunk);
import "C"

import (
	"math"
	"runtime"
	"unsafe"
)

// PlanNone is the wave of a device no wave takes, in PlanChunk.Wave.
const PlanNone = C.OTAPRIO_PLAN_NONE

// PlanMaxPath is the most prerequisite packages a chain's path holds.
const PlanMaxPath = C.OTAPRIO_PLAN_MAX_PATH

// PlanChunk is one chunk of the fleet as a PlanSource hands it over:
// columns of len(Keys) devices, in the same order, passed to C without
// copying. A nil column takes the library's default. Every pass must
// give the same devices; an empty Keys ends the pass.
type PlanChunk struct {
	// Keys are the devices' keys (Key), unique in the fleet.
	Keys []uint64
	// Devices are the risk engine's columns, or nil for every default;
	// a column given must hold len(Keys) devices.
	Devices *Devices
	// State holds installed versions and predicate inputs; required when
	// the request has a catalog.
	State *DeviceState
	// Codes holds one column of strata codes per dimension of
	// PlanRequest.Cardinalities, or nil for code 0 (so may a column).
	Codes [][]uint32
	// Cluster is each device's shared-fate cluster id, or nil for none.
	Cluster []uint32
	// Ring is each device's release ring: 0 internal, 1 employee, 2
	// customer; nil makes every device a customer's.
	Ring []uint8

	// The outputs, written during the assign pass (PlanPassAssign) only,
	// complete once the source is asked for the next chunk or NewPlan
	// returns; each may be nil.

	// Wave receives the plan wave each device joins, or PlanNone.
	Wave []uint8
	// Disposition receives each device's Disposition.
	Disposition []uint8
	// Reasons receives each device's Reason bits.
	Reasons []uint32
	// Priority receives each device's priority, 0 to 100.
	Priority []float64
}

// PlanSource fills chunk (zeroed before each call) with the devices of a
// pass starting at index first of the fleet; leaving chunk.Keys empty
// ends the pass. The slices must stay untouched until the next call or
// until NewPlan returns. It runs on NewPlan's goroutine, one chunk at a
// time, so it needs no locking of its own. An error stops the planner and
// comes back from NewPlan unchanged; a panic is raised again in NewPlan's
// goroutine once the planner has unwound.
type PlanSource func(pass PlanPass, first uint64, chunk *PlanChunk) error

// PlanRequest is everything the planner reads. Issue and Source are
// required; every other input is optional. Start from DefaultPlanRequest.
// NewPlan only reads it, during the call: one request (and the engines'
// objects it holds) may serve several plans, even at once, as long as its
// Source may.
type PlanRequest struct {
	// Issue is the fix.
	Issue *Issue
	// RiskModel is the scorecard, or nil for the default policy.
	RiskModel *RiskModel
	// Source streams the fleet, pass by pass.
	Source PlanSource
	// Catalog is the package catalog, or nil: with it, blocked devices
	// get their update paths and the waves' coverage of dependency chains
	// is checked.
	Catalog *Catalog
	// Package is the catalog's package that delivers the fix.
	Package uint32
	// TraceFlaw traces the flaw FlawConstraint (e.g. "< 2.4.1") of
	// FlawComponent through the catalog: the devices that inherit it are
	// the affected ones.
	TraceFlaw      bool
	FlawComponent  uint32
	FlawConstraint string
	// Salt is the rollout salt (KeyString of its name, say).
	Salt uint64
	// Cardinalities gives the strata dimensions of the cohorts, one per
	// column of PlanChunk.Codes.
	Cardinalities []uint32
	// CriticalLevel is the criticality, in points, from which a device
	// is held back to the broad wave, in [0, 100].
	CriticalLevel float64
	// Delayed are the failures that only show after a while.
	Delayed PlanDelayed
	// Rules are the guardrails that gate each wave; nil makes the plan
	// warn that nothing gates them.
	Rules []GuardRule
	// GuardOptions are the guardrail options, or nil for the defaults.
	GuardOptions *GuardOptions
	// Telemetry is the guardrail engine's current report on the defect's
	// telemetry, or nil.
	Telemetry *GuardReport
	// Rollback says what a failure could touch and which levers there
	// are, or nil for the cautious defaults at the issue's layer.
	Rollback *RollbackInput
	// Power is what the first customer canary must detect, or nil.
	Power *PowerSpec
	// BreakglassPolicy and Breakglass are a break-glass policy and
	// request, or nil.
	BreakglassPolicy *BreakglassPolicy
	Breakglass       *BreakglassRequest
}

// DefaultPlanRequest returns a request with the library's defaults
// (otaprio_plan_request_init); set Issue and Source.
func DefaultPlanRequest() PlanRequest {
	var c C.otaprio_plan_request
	C.otaprio_plan_request_init(&c, C.size_t(unsafe.Sizeof(c)))
	return PlanRequest{
		Package:       uint32(c._package),
		FlawComponent: uint32(c.flaw_component),
		Salt:          uint64(c.salt),
		CriticalLevel: float64(c.critical_level),
		Delayed:       PlanDelayed(c.delayed),
	}
}

// planStream is the state of one NewPlan's source: what the trampoline
// needs to hand the planner each chunk.
type planStream struct {
	source     PlanSource
	dimensions int
	chunk      PlanChunk
}

// planOptional refuses an optional column of the wrong length.
func planOptional(field string, n, count int) error {
	if n != 0 && n != count {
		return argError("NewPlan", StatusInvalid, field, -1, "%d rows in a chunk of %d devices", n, count)
	}
	return nil
}

// next asks the Go source for a chunk and points the C chunk at its
// slices, pinned until the next chunk or the end of the call.
func (s *planStream) next(pins *runtime.Pinner, pass PlanPass, first uint64, out *C.otaprio_plan_chunk) error {
	s.chunk = PlanChunk{}
	ch := &s.chunk
	if err := s.source(pass, first, ch); err != nil {
		return err
	}
	n := len(ch.Keys)
	if n == 0 {
		out.count = 0
		return nil
	}
	for _, c := range []struct {
		field string
		n     int
	}{
		{"chunk.cluster", len(ch.Cluster)}, {"chunk.ring", len(ch.Ring)},
		{"chunk.wave", len(ch.Wave)}, {"chunk.disposition", len(ch.Disposition)},
		{"chunk.reasons", len(ch.Reasons)}, {"chunk.priority", len(ch.Priority)},
	} {
		if err := planOptional(c.field, c.n, n); err != nil {
			return err
		}
	}
	if len(ch.Codes) != 0 && len(ch.Codes) != s.dimensions {
		return argError("NewPlan", StatusInvalid, "chunk.codes", -1,
			"%d code columns for %d strata dimensions", len(ch.Codes), s.dimensions)
	}
	for i, col := range ch.Codes {
		if len(col) != 0 && len(col) != n {
			return argError("NewPlan", StatusInvalid, "chunk.codes", int64(i),
				"%d rows in a chunk of %d devices", len(col), n)
		}
	}
	out.count = C.size_t(n)
	out.keys = column[C.uint64_t](pins, ch.Keys)
	out.cluster = column[C.uint32_t](pins, ch.Cluster)
	out.ring = column[C.uint8_t](pins, ch.Ring)
	out.wave = column[C.uint8_t](pins, ch.Wave)
	out.disposition = column[C.uint8_t](pins, ch.Disposition)
	out.reasons = column[C.uint32_t](pins, ch.Reasons)
	out.priority = column[C.double](pins, ch.Priority)
	out.devices, out.state, out.codes = nil, nil, nil
	if len(ch.Codes) != 0 {
		codes := make([]*C.uint32_t, len(ch.Codes))
		for i, col := range ch.Codes {
			codes[i] = column[C.uint32_t](pins, col)
		}
		out.codes = column[*C.uint32_t](pins, codes)
	}
	if ch.Devices != nil {
		dev, err := planDevicesToC(pins, n, ch.Devices)
		if err != nil {
			return err
		}
		out.devices = dev
	}
	if ch.State != nil {
		st, err := planStateToC(pins, n, ch.State)
		if err != nil {
			return err
		}
		out.state = st
	}
	return nil
}

// planPinned returns a new zero T pinned until pins is unpinned: the
// request's nested structs live in Go memory C may read through.
func planPinned[T any](pins *runtime.Pinner) *T {
	p := new(T)
	pins.Pin(p)
	return p
}

// NewPlan plans a rollout: classify the fix, score fleet impact, let
// telemetry refine urgency, choose the waves, their soaks, guardrails
// and the way back. The fleet streams through req.Source in a few
// passes. Deterministic: the same request and fleet give the same plan,
// whatever the chunking. Distinct requests may be planned concurrently,
// sharing a risk model, catalog or telemetry report.
func NewPlan(req PlanRequest) (*Plan, error) {
	const op = "NewPlan"
	if req.Issue == nil {
		return nil, argError(op, StatusInvalid, "issue", -1, "the issue is required")
	}
	if req.Source == nil {
		return nil, argError(op, StatusInvalid, "source", -1, "the source is required")
	}
	if req.Breakglass != nil {
		if err := breakglassCheckColumns(op, req.Breakglass); err != nil {
			return nil, err
		}
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	var strs cStrings
	defer strs.free()

	r := planPinned[C.otaprio_plan_request](&pins)
	C.otaprio_plan_request_init(r, C.size_t(unsafe.Sizeof(*r)))
	issue := planPinned[C.otaprio_issue](&pins)
	*issue = req.Issue.riskToC()
	r.issue = issue
	if req.RiskModel != nil {
		model, err := req.RiskModel.riskAcquire(op)
		if err != nil {
			return nil, err
		}
		defer req.RiskModel.riskRelease()
		r.risk_model = model
	}
	if req.Catalog != nil {
		catalog, err := req.Catalog.handle(op)
		if err != nil {
			return nil, err
		}
		r.catalog = catalog
	}
	r._package = C.uint32_t(req.Package)
	r.trace_flaw = cFlag(req.TraceFlaw)
	r.flaw_component = C.uint32_t(req.FlawComponent)
	if req.FlawConstraint != "" {
		r.flaw_constraint = strs.add(req.FlawConstraint)
		r.flaw_constraint_length = C.size_t(len(req.FlawConstraint))
	}
	r.salt = C.uint64_t(req.Salt)
	r.dimension_count = C.uint32_t(len(req.Cardinalities))
	r.cardinalities = column[C.uint32_t](&pins, req.Cardinalities)
	r.critical_level = C.double(req.CriticalLevel)
	r.delayed = C.uint32_t(req.Delayed)
	if req.Rules != nil {
		rules, err := guardRulesToC(op, req.Rules, &strs)
		if err != nil {
			return nil, err
		}
		r.rules = column[C.otaprio_guard_rule](&pins, rules)
		r.rule_count = C.size_t(len(rules))
	}
	if req.GuardOptions != nil {
		o := planPinned[C.otaprio_guard_options](&pins)
		*o = guardOptionsToC(req.GuardOptions)
		r.guard_options = o
	}
	if req.Telemetry != nil {
		// Held open (Close waits) until the planner has read it.
		req.Telemetry.mu.RLock()
		defer req.Telemetry.mu.RUnlock()
		if req.Telemetry.c == nil {
			return nil, closedError(op, "telemetry report")
		}
		r.telemetry = req.Telemetry.c
	}
	if req.Rollback != nil {
		rb := planPinned[C.otaprio_rollback_input](&pins)
		rollbackInputToC(req.Rollback, rb)
		r.rollback = rb
	}
	if req.Power != nil {
		pw := planPinned[C.otaprio_plan_power](&pins)
		powerToC(req.Power, pw)
		r.power = pw
	}
	if req.BreakglassPolicy != nil || req.Breakglass != nil {
		policy, request := req.BreakglassPolicy, req.Breakglass
		if policy == nil {
			policy = &BreakglassPolicy{}
		}
		if request == nil {
			request = &BreakglassRequest{}
		}
		cp := planPinned[C.otaprio_plan_breakglass_policy](&pins)
		cr := planPinned[C.otaprio_plan_breakglass_request](&pins)
		breakglassToC(&pins, policy, request, cp, cr)
		if req.BreakglassPolicy != nil {
			r.breakglass_policy = cp
		}
		if req.Breakglass != nil {
			r.breakglass = cr
		}
	}

	stream := &planStream{source: req.Source, dimensions: len(req.Cardinalities)}
	c := newCall(stream)
	pins.Pin(c.handle)
	r.source = C.otaprio_plan_source_fn(C.planSourceTrampoline)
	r.user = c.user()
	var plan *C.otaprio_plan
	d := newDiag()
	status := C.otaprio_plan_create(r, nil, &plan, d)
	// The engines' objects must outlive the call.
	runtime.KeepAlive(req)
	if err := c.finish(op, status, d); err != nil {
		return nil, err
	}
	p := &Plan{c: plan, dimensions: len(req.Cardinalities)}
	if err := p.read(); err != nil {
		C.otaprio_plan_free(plan)
		return nil, err
	}
	runtime.SetFinalizer(p, (*Plan).Close)
	return p, nil
}

// Plan is a finished plan: its summary, waves, warnings, the scorecard
// behind its tier and its dependency chains, read once when it is made;
// the guardrails of each wave and the cohort stay in C until Close.
//
// A Plan is immutable: any number of goroutines may read it at once, but
// not while one of them closes it.
type Plan struct {
	c           *C.otaprio_plan
	summary     PlanSummary
	waves       []PlanWave
	warnings    []PlanWarning
	explanation []FactorPoints
	chains      []PlanChain
	dimensions  int
}

// PlanSummary is a plan's headline: the tier, the counts, the way back.
type PlanSummary struct {
	// Tier is the fix's tier as planned, after graph impact and
	// telemetry; TierBefore is the issue's alone.
	Tier, TierBefore Tier
	// Score is the defect score as planned, 0 to 100; ScoreMilli the same
	// in thousandths of a point.
	Score      float64
	ScoreMilli int64
	// SSVC is the issue's SSVC decision.
	SSVC SSVCDecision
	// AffectedShare is the share the score used: the graph's when it
	// traced the flaw, else the issue's.
	AffectedShare float64
	// Notes say what shaped the plan.
	Notes PlanNote
	// Devices counts the fleet; Affected the devices that inherit the
	// flaw.
	Devices, Affected uint64
	// ByDisposition counts devices per Disposition.
	ByDisposition [4]uint64
	// ByReason counts devices with each Reason bit: entry b counts bit
	// 1<<b.
	ByReason [16]uint64
	// Critical counts eligible devices held back to the broad wave for
	// their criticality; Planned the devices some wave takes.
	Critical, Planned uint64
	// HoursToBroad is the sum of the soak windows before the broad wave.
	HoursToBroad float64
	// RollbackTier and RollbackWeakCauses are the rollback decision a
	// failure of the whole first canary would get.
	RollbackTier       RollbackTier
	RollbackWeakCauses RollbackWeakness
	// BreakglassRequested and BreakglassApproved say whether a
	// break-glass request came and met its policy; BreakglassUnmet lists
	// what it did not meet.
	BreakglassRequested, BreakglassApproved bool
	BreakglassUnmet                         PlanUnmet
}

// PlanWave is one wave of a plan.
type PlanWave struct {
	// Stage is the wave's place in the rollout shape.
	Stage PlanStage
	// CohortWave is the cohort's wave behind it, or -1 for a ring stage.
	CohortWave int
	// Fraction is the cohort wave's cumulative fraction of the devices
	// it may take; 1 for a ring stage.
	Fraction float64
	// Devices is what this wave adds; Cumulative this wave's and those
	// before.
	Devices, Cumulative uint64
	// SoakHours is how long to watch the wave before the next; 0 for the
	// last.
	SoakHours float64
	// MaintenanceWindow is true when installs wait for each device's
	// maintenance window.
	MaintenanceWindow bool
	// ToleranceScale is the tolerance of the wave's guardrails.
	ToleranceScale float64
	// TVD, StrataCoverage and MassCoverage compare the cohort up to this
	// wave with the fleet; NaN for a ring stage.
	TVD, StrataCoverage, MassCoverage float64
	// ChainsUncovered and ClustersUncovered count dependency chains and
	// shared-fate clusters no wave up to this one covers.
	ChainsUncovered, ClustersUncovered uint32
	// RollbackTier, RollbackSteps and RollbackConfidence are the
	// rollback ready if this wave fails as a whole.
	RollbackTier       RollbackTier
	RollbackSteps      RollbackStep
	RollbackConfidence float64
}

// PlanWarning is one warning of a plan.
type PlanWarning struct {
	// Code says what is wrong.
	Code PlanWarningCode
	// Wave is the wave it concerns, or -1.
	Wave int
	// Subject is what it concerns; each code says.
	Subject uint64
	// Devices counts the devices concerned (0 when it does not apply).
	Devices uint64
}

// PlanChain is one dependency chain among the affected devices: devices
// that agree on the versions deciding the fix's update path.
type PlanChain struct {
	// Devices counts the chain's affected devices; Blocked those a
	// missing prerequisite blocks; Planned those some wave takes.
	Devices, Blocked, Planned uint64
	// FirstWave is the first wave with a device of the chain, or -1.
	FirstWave int
	// ExampleKey is the key of the device whose path is reported.
	ExampleKey uint64
	// PathStatus says whether blocked devices have a way in.
	PathStatus PlanPathStatus
	// Path lists the packages to install first, in order.
	Path []uint32
	// PathBytes is the path's total download.
	PathBytes uint64
}

// planIndex turns the library's "none" (PLAN_NONE or UINT32_MAX) into -1.
func planIndex(v C.uint32_t) int {
	if v == C.OTAPRIO_PLAN_NONE || v == math.MaxUint32 {
		return -1
	}
	return int(v)
}

// read copies everything a plan says into Go, once: it never changes.
func (p *Plan) read() error {
	const op = "NewPlan"
	d := newDiag()
	var s C.otaprio_plan_summary
	s.size = C.size_t(unsafe.Sizeof(s))
	if err := check(op, C.otaprio_plan_get_summary(p.c, &s, d), d); err != nil {
		return err
	}
	p.summary = PlanSummary{
		Tier: Tier(s.tier), TierBefore: Tier(s.tier_before),
		Score: float64(s.score), ScoreMilli: int64(s.score_milli),
		SSVC: SSVCDecision(s.ssvc), AffectedShare: float64(s.affected_share),
		Notes: PlanNote(s.notes), Devices: uint64(s.devices), Affected: uint64(s.affected),
		Critical: uint64(s.critical), Planned: uint64(s.planned),
		HoursToBroad:        float64(s.hours_to_broad),
		RollbackTier:        RollbackTier(s.rollback_tier),
		RollbackWeakCauses:  RollbackWeakness(s.rollback_weak_causes),
		BreakglassRequested: s.breakglass_requested != 0,
		BreakglassApproved:  s.breakglass_approved != 0,
		BreakglassUnmet:     PlanUnmet(s.breakglass_unmet),
	}
	for i := range p.summary.ByDisposition {
		p.summary.ByDisposition[i] = uint64(s.by_disposition[i])
	}
	for i := range p.summary.ByReason {
		p.summary.ByReason[i] = uint64(s.by_reason[i])
	}

	n := uint32(C.otaprio_plan_wave_count(p.c))
	p.waves = make([]PlanWave, n)
	for i := uint32(0); i < n; i++ {
		var w C.otaprio_plan_wave
		w.size = C.size_t(unsafe.Sizeof(w))
		if err := check(op, C.otaprio_plan_get_wave(p.c, C.uint32_t(i), &w, d), d); err != nil {
			return err
		}
		p.waves[i] = PlanWave{
			Stage: PlanStage(w.stage), CohortWave: planIndex(w.cohort_wave),
			Fraction: float64(w.fraction), Devices: uint64(w.devices),
			Cumulative: uint64(w.cumulative), SoakHours: float64(w.soak_hours),
			MaintenanceWindow: w.maintenance_window != 0,
			ToleranceScale:    float64(w.tolerance_scale),
			TVD:               float64(w.tvd), StrataCoverage: float64(w.strata_coverage),
			MassCoverage:       float64(w.mass_coverage),
			ChainsUncovered:    uint32(w.chains_uncovered),
			ClustersUncovered:  uint32(w.clusters_uncovered),
			RollbackTier:       RollbackTier(w.rollback_tier),
			RollbackSteps:      RollbackStep(w.rollback_steps),
			RollbackConfidence: float64(w.rollback_confidence),
		}
	}

	nw := int(C.otaprio_plan_warning_count(p.c))
	p.warnings = make([]PlanWarning, nw)
	for i := 0; i < nw; i++ {
		var w C.otaprio_plan_warning
		w.size = C.size_t(unsafe.Sizeof(w))
		if err := check(op, C.otaprio_plan_get_warning(p.c, C.size_t(i), &w, d), d); err != nil {
			return err
		}
		p.warnings[i] = PlanWarning{Code: PlanWarningCode(w.code), Wave: planIndex(w.wave),
			Subject: uint64(w.subject), Devices: uint64(w.devices)}
	}

	var count C.size_t
	if err := check(op, C.otaprio_plan_explanation(p.c, nil, 0, &count, d), d); err != nil {
		return err
	}
	lines := make([]C.otaprio_factor_points, int(count))
	if count > 0 {
		if err := check(op, C.otaprio_plan_explanation(p.c, &lines[0], count, &count, d), d); err != nil {
			return err
		}
	}
	p.explanation = riskLinesFromC(lines)

	nc := uint32(C.otaprio_plan_chain_count(p.c))
	p.chains = make([]PlanChain, nc)
	for i := uint32(0); i < nc; i++ {
		var ch C.otaprio_plan_chain
		ch.size = C.size_t(unsafe.Sizeof(ch))
		if err := check(op, C.otaprio_plan_get_chain(p.c, C.uint32_t(i), &ch, d), d); err != nil {
			return err
		}
		path := make([]uint32, int(ch.path_length))
		for k := range path {
			path[k] = uint32(ch.path[k])
		}
		p.chains[i] = PlanChain{Devices: uint64(ch.devices), Blocked: uint64(ch.blocked),
			Planned: uint64(ch.planned), FirstWave: planIndex(ch.first_wave),
			ExampleKey: uint64(ch.example_key), PathStatus: PlanPathStatus(ch.path_status),
			Path: path, PathBytes: uint64(ch.path_bytes)}
	}
	return nil
}

// Close frees the plan's C memory. Idempotent; the summary, waves,
// warnings, explanation and chains stay readable, the wave guardrails
// do not. Not safe while other goroutines still read the plan.
func (p *Plan) Close() error {
	if p.c != nil {
		C.otaprio_plan_free(p.c)
		p.c = nil
		runtime.SetFinalizer(p, nil)
	}
	return nil
}

// Summary returns the plan's headline.
func (p *Plan) Summary() PlanSummary { return p.summary }

// Waves returns the plan's waves, in order (a copy).
func (p *Plan) Waves() []PlanWave { return append([]PlanWave(nil), p.waves...) }

// Warnings returns the plan's warnings: plan-wide first, then wave by
// wave, then chains and clusters by size, largest first (a copy).
func (p *Plan) Warnings() []PlanWarning { return append([]PlanWarning(nil), p.warnings...) }

// Explanation returns the scorecard behind the plan's tier (a copy).
func (p *Plan) Explanation() []FactorPoints {
	return append([]FactorPoints(nil), p.explanation...)
}

// Chains returns the dependency chains among the affected devices, in
// order of first appearance in the fleet; none without a catalog.
func (p *Plan) Chains() []PlanChain {
	out := make([]PlanChain, len(p.chains))
	for i, c := range p.chains {
		c.Path = append([]uint32(nil), c.Path...)
		out[i] = c
	}
	return out
}

// planWaveGuards returns the guardrail set that gates a wave, owned by
// the plan (nil for a plan made without rules).
func (p *Plan) planWaveGuards(wave int) (*C.otaprio_guard_set, error) {
	if p.c == nil {
		return nil, closedError("Plan.WaveGuards", "plan")
	}
	if wave < 0 || wave >= len(p.waves) {
		return nil, argError("Plan.WaveGuards", StatusRange, "wave", int64(wave),
			"wave %d of a plan of %d", wave, len(p.waves))
	}
	return C.otaprio_plan_wave_guards(p.c, C.uint32_t(wave)), nil
}

// WaveGuardRules returns the names of the guardrail rules that gate a
// wave, in the set's order: the request's rules, each window at least
// the wave's soak. Nil for a plan made without rules. ErrRange for a wave
// past the last; ErrInvalid once the plan is closed.
func (p *Plan) WaveGuardRules(wave int) ([]string, error) {
	set, err := p.planWaveGuards(wave)
	if err != nil || set == nil {
		return nil, err
	}
	n := int(C.otaprio_guard_set_rule_count(set))
	names := make([]string, n)
	for i := range names {
		names[i] = C.GoString(C.otaprio_guard_set_rule_name(set, C.uint32_t(i)))
	}
	runtime.KeepAlive(p)
	return names, nil
}

// WaveGuards returns the guardrail set that gates a wave, ready to
// evaluate the wave's telemetry: the request's rules, each window at
// least the wave's soak. Nil for a plan made without rules; ErrRange for
// a wave past the last; ErrInvalid once the plan is closed. The set
// belongs to the plan, which it keeps alive: its Close only lets go of
// it, and it must not be used once the plan is closed.
func (p *Plan) WaveGuards(wave int) (*GuardSet, error) {
	set, err := p.planWaveGuards(wave)
	if err != nil || set == nil {
		return nil, err
	}
	return guardSetOf(set, p), nil
}

// Cohort returns the cohort behind the plan's canary and broad waves
// (its Assign places devices the plan has not seen), or nil once the
// plan is closed. It belongs to the plan, which it keeps alive: its Close
// only lets go of it, and it must not be used once the plan is closed.
func (p *Plan) Cohort() *Cohort {
	if p.c == nil {
		return nil
	}
	return newCohortView(unsafe.Pointer(C.otaprio_plan_cohort(p.c)), p.dimensions, p)
}

// Name is the library's English name of the stage, or "" for an unknown
// value.
func (v PlanStage) Name() string { return rollbackName(C.otaprio_plan_stage_name(C.int32_t(v))) }

// Name is the library's English name of one note bit ("emergency
// (T0)"), or "" for anything but a single known bit.
func (v PlanNote) Name() string { return rollbackName(C.otaprio_plan_note_name(C.uint32_t(v))) }

// Name is the library's English description of the warning, or "" for an
// unknown code.
func (v PlanWarningCode) Name() string {
	return rollbackName(C.otaprio_plan_warning_name(C.int32_t(v)))
}

// Name is the library's English name of the path status, or "" for an
// unknown value.
func (v PlanPathStatus) Name() string {
	return rollbackName(C.otaprio_plan_path_status_name(C.int32_t(v)))
}

// Name is the library's English name of the pass, or "" for an unknown
// value.
func (v PlanPass) Name() string { return rollbackName(C.otaprio_plan_pass_name(C.int32_t(v))) }
