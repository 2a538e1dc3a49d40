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

func TestDefaultPlanRequestIsTheLibrarys(t *testing.T) {
	r := otaprio.DefaultPlanRequest()
	if r.CriticalLevel != 50 || r.Issue != nil || r.Source != nil || r.Salt != 0 || r.Delayed != 0 {
		t.Errorf("DefaultPlanRequest() = %+v", r)
	}
}

// An exploited remote flaw: an accelerated T0 push; the graph says who
// inherits the flaw, and blocked devices get bootloader-2 as their way in.
func TestPlanEmergencyExploitedFlawGetsAnAcceleratedPush(t *testing.T) {
	s := newPlanScenario(t, true, otaprio.IssueClassSecurity, 0)
	s.exploitedRemoteFlaw()
	p := s.run(t)
	sum := p.Summary()
	if sum.Tier != otaprio.TierT0 || sum.Notes&otaprio.PlanNoteEmergency == 0 || sum.Notes&otaprio.PlanNoteGraphImpact == 0 {
		t.Errorf("summary = %+v", sum)
	}
	// os 11 and 12 inherit the flaw: eight devices in ten.
	if sum.AffectedShare <= 0.75 || sum.AffectedShare >= 0.85 || sum.Devices != planFleetSize {
		t.Errorf("affected share %v of %d devices", sum.AffectedShare, sum.Devices)
	}
	waves := p.Waves()
	if len(waves) != 3 || waves[0].Fraction > 0.01 || waves[2].Fraction != 1 || sum.HoursToBroad >= 24 {
		t.Fatalf("waves = %+v, hours to broad %v", waves, sum.HoursToBroad)
	}
	for k, w := range waves {
		if w.Stage != otaprio.PlanStageAccelerated || w.ToleranceScale > 0.75*1.5 {
			t.Errorf("wave %d = %+v", k, w)
		}
	}
	if sum.ByDisposition[otaprio.DispositionBlocked] == 0 {
		t.Error("nothing blocked")
	}
	blocked := 0
	for _, c := range p.Chains() {
		if c.Blocked == 0 {
			continue
		}
		blocked++
		want := otaprio.PlanChain{Devices: c.Devices, Blocked: c.Blocked, FirstWave: -1,
			ExampleKey: c.ExampleKey, PathStatus: otaprio.PlanPathStatusFound,
			Path: []uint32{planPxBootloader2}, PathBytes: 10}
		if !reflect.DeepEqual(c, want) {
			t.Errorf("blocked chain = %+v, want %+v", c, want)
		}
	}
	if blocked != 2 { // os 11 and os 12
		t.Errorf("%d blocked chains, want 2", blocked)
	}
}

// Modem firmware without an A/B slot: slow, narrow waves and a weak way
// back.
func TestPlanRiskyBasebandFixGetsSlowNarrowWaves(t *testing.T) {
	s := newPlanScenario(t, false, otaprio.IssueClassStability, 0.3)
	s.issue.Layer = otaprio.LayerBaseband
	p := s.run(t)
	sum, waves := p.Summary(), p.Waves()
	if sum.Tier < otaprio.TierT1 || sum.Notes&otaprio.PlanNoteEmergency != 0 ||
		sum.Notes&otaprio.PlanNoteWeakRollback == 0 || sum.RollbackWeakCauses&otaprio.RollbackWeaknessNoABSlot == 0 {
		t.Errorf("summary = %+v", sum)
	}
	stages := []otaprio.PlanStage{otaprio.PlanStageDogfood, otaprio.PlanStageEmployee, otaprio.PlanStageCanary}
	for k, st := range stages {
		if waves[k].Stage != st {
			t.Errorf("wave %d stage %v, want %v", k, waves[k].Stage, st)
		}
	}
	if waves[len(waves)-1].Stage != otaprio.PlanStageBroad || waves[2].Fraction >= 0.01 {
		t.Errorf("waves = %+v", waves)
	}
	if waves[0].CohortWave != -1 || !math.IsNaN(waves[0].TVD) || waves[2].CohortWave < 0 || math.IsNaN(waves[2].TVD) {
		t.Errorf("ring and cohort stages: %+v, %+v", waves[0], waves[2])
	}
	for k := 0; k+1 < len(waves); k++ {
		if waves[k].SoakHours < 12 || waves[k].ToleranceScale > 0.25 {
			t.Errorf("wave %d = %+v", k, waves[k])
		}
	}
	if !planHasWarning(p, otaprio.PlanWarningCodeWeakRollback) {
		t.Error("no weak rollback warning")
	}
}

func TestPlanLoginRegressionIsBackedOutByAFeatureFlag(t *testing.T) {
	s := newPlanScenario(t, false, otaprio.IssueClassStability, 0.4)
	s.issue.Workflows = otaprio.WorkflowAuth
	way := otaprio.DefaultRollbackInput()
	way.Part = otaprio.RollbackPartAuthFlow
	way.Levers, way.Observe = rollbackAllLevers, rollbackAllViews
	s.request.Rollback = &way
	p := s.run(t)
	for k, w := range p.Waves() {
		if w.RollbackTier != otaprio.RollbackTierFeatureFlag || w.RollbackSteps&otaprio.RollbackStepFlagOff == 0 ||
			w.RollbackSteps&otaprio.RollbackStepImageDowngrade != 0 {
			t.Errorf("wave %d = %+v", k, w)
		}
	}
	if sum := p.Summary(); sum.RollbackTier != otaprio.RollbackTierFeatureFlag || sum.Notes&otaprio.PlanNoteWeakRollback != 0 {
		t.Errorf("summary = %+v", sum)
	}
}

// The per-device outputs, written zero-copy into the fleet's columns,
// agree with the waves and the summary.
func TestPlanEveryDeviceHasItsWaveAndDisposition(t *testing.T) {
	s := newPlanScenario(t, true, otaprio.IssueClassStability, 0)
	s.fleet.wantOutputs = true
	p := s.run(t)
	waves, sum := p.Waves(), p.Summary()
	last := uint8(len(waves) - 1)
	perWave := make([]uint64, len(waves))
	var byDisposition [4]uint64
	for i := uint64(0); i < planFleetSize; i++ {
		d := planDeviceAt(planFleetSeed, i)
		disp, wave := otaprio.Disposition(s.fleet.disposition[i]), s.fleet.wave[i]
		if disp > otaprio.DispositionExcluded {
			t.Fatalf("device %d: disposition %v", i, disp)
		}
		if pr := s.fleet.priority[i]; pr < 0 || pr > 100 {
			t.Fatalf("device %d: priority %v", i, pr)
		}
		byDisposition[disp]++
		if disp >= otaprio.DispositionBlocked {
			if wave != otaprio.PlanNone {
				t.Fatalf("device %d (%v) in wave %d", i, disp, wave)
			}
			continue
		}
		if wave > last {
			t.Fatalf("device %d: wave %d", i, wave)
		}
		perWave[wave]++
		if disp == otaprio.DispositionDefer && wave != last {
			t.Errorf("deferred device %d in wave %d", i, wave)
		} else if disp != otaprio.DispositionDefer && d.ring < 2 {
			want := otaprio.PlanStageDogfood
			if d.ring == 1 {
				want = otaprio.PlanStageEmployee
			}
			if waves[wave].Stage != want {
				t.Errorf("ring %d device %d in a %v wave", d.ring, i, waves[wave].Stage)
			}
		}
		if (d.bootloader == 0 && d.os < 2) || d.os == 2 {
			t.Errorf("device %d (bootloader %d, os %d) is planned", i, d.bootloader, d.os)
		}
	}
	total := uint64(0)
	for k, w := range waves {
		total += perWave[k]
		if perWave[k] != w.Devices || total != w.Cumulative {
			t.Errorf("wave %d: %d devices counted, %+v", k, perWave[k], w)
		}
	}
	if total != sum.Planned || byDisposition != sum.ByDisposition {
		t.Errorf("planned %d by disposition %v; summary %+v", total, byDisposition, sum)
	}
	// Blocked devices carry the prerequisite reason.
	for i := range s.fleet.disposition {
		if otaprio.Disposition(s.fleet.disposition[i]) == otaprio.DispositionBlocked &&
			s.fleet.reasons[i] == 0 {
			t.Fatalf("blocked device %d without a reason", i)
		}
	}
}

func planSameWaves(a, b []otaprio.PlanWave) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		x, y := a[k], b[k]
		// Ring stages carry NaN coverage.
		for _, f := range []*float64{&x.TVD, &x.StrataCoverage, &x.MassCoverage, &y.TVD, &y.StrataCoverage, &y.MassCoverage} {
			if math.IsNaN(*f) {
				*f = -1
			}
		}
		if x != y {
			return false
		}
	}
	return true
}

func TestPlanChunkingDoesNotChangeThePlan(t *testing.T) {
	s := newPlanScenario(t, true, otaprio.IssueClassSecurity, 0)
	s.exploitedRemoteFlaw()
	s.issue.Exploit = otaprio.ExploitPoC
	s.fleet.wantOutputs = true
	a := s.run(t)
	waves := append([]uint8(nil), s.fleet.wave...)
	s.fleet.chunk = 333
	b := s.run(t)
	if a.Summary() != b.Summary() || !planSameWaves(a.Waves(), b.Waves()) ||
		!reflect.DeepEqual(a.Chains(), b.Chains()) || !reflect.DeepEqual(a.Warnings(), b.Warnings()) ||
		!reflect.DeepEqual(a.Explanation(), b.Explanation()) {
		t.Errorf("chunk 4096: %+v\nchunk 333: %+v", a.Summary(), b.Summary())
	}
	if !reflect.DeepEqual(waves, s.fleet.wave) {
		t.Error("per-device waves differ with the chunking")
	}
}

// The scorecard's lines add up to the planned score exactly.
func TestPlanExplanationAddsUpToTheScore(t *testing.T) {
	s := newPlanScenario(t, false, otaprio.IssueClassStability, 0.3)
	p := s.run(t)
	lines := p.Explanation()
	if len(lines) == 0 {
		t.Fatal("no explanation")
	}
	var sum int64
	for _, l := range lines {
		sum += l.Milli
	}
	if sum != p.Summary().ScoreMilli {
		t.Errorf("lines add up to %d, score %d", sum, p.Summary().ScoreMilli)
	}
}

func TestPlanBreakglassAcceleratesButKeepsExclusions(t *testing.T) {
	s := newPlanScenario(t, false, otaprio.IssueClassSecurity, 0.3)
	s.issue.SecurityImpact = otaprio.LevelModerate
	s.fleet.wantOutputs = true
	var policy otaprio.BreakglassPolicy
	policy.Approvals[otaprio.PlanRoleSecurityLead], policy.Approvals[otaprio.PlanRoleReleaseManager] = 1, 1
	policy.Evidence = otaprio.PlanEvidenceGuardrails
	policy.Excluded = []uint64{3, 17}
	ask := otaprio.BreakglassRequest{
		ApprovalRole: []otaprio.PlanRole{otaprio.PlanRoleSecurityLead, otaprio.PlanRoleReleaseManager},
		Approver:     []uint64{11, 12},
		Evidence:     otaprio.PlanEvidenceGuardrails,
	}
	s.request.BreakglassPolicy, s.request.Breakglass = &policy, &ask
	p := s.run(t)
	sum := p.Summary()
	if !sum.BreakglassRequested || !sum.BreakglassApproved || sum.Notes&otaprio.PlanNoteBreakglass == 0 {
		t.Errorf("summary = %+v", sum)
	}
	for k, w := range p.Waves() {
		if w.Stage != otaprio.PlanStageAccelerated {
			t.Errorf("wave %d stage %v", k, w.Stage)
		}
	}
	for i := uint64(0); i < planFleetSize; i++ {
		if c := planDeviceAt(planFleetSeed, i).cluster; (c == 3 || c == 17) && s.fleet.wave[i] != otaprio.PlanNone {
			t.Fatalf("device %d of excluded cluster %d in wave %d", i, c, s.fleet.wave[i])
		}
	}
	ask.Approver = []uint64{11, 11}
	denied := s.run(t)
	sum = denied.Summary()
	waves := denied.Waves()
	if sum.BreakglassApproved || sum.BreakglassUnmet&otaprio.PlanUnmetApprovals == 0 ||
		!planHasWarning(denied, otaprio.PlanWarningCodeBreakglassDenied) || sum.Notes&otaprio.PlanNoteBreakglass != 0 ||
		waves[len(waves)-1].Stage != otaprio.PlanStageBroad {
		t.Errorf("denied: %+v", sum)
	}
}

func TestPlanGuardrailsGateEveryWave(t *testing.T) {
	s := newPlanScenario(t, false, otaprio.IssueClassStability, 0.3)
	p := s.run(t)
	n := len(p.Waves())
	for k := 0; k < n; k++ {
		names, err := p.WaveGuardRules(k)
		if err != nil || !reflect.DeepEqual(names, []string{"boot failures", "crashes per device-hour"}) {
			t.Errorf("wave %d guards: %q, %v", k, names, err)
		}
	}
	for _, k := range []int{-1, n} {
		if _, err := p.WaveGuardRules(k); !errors.Is(err, otaprio.ErrRange) {
			t.Errorf("wave %d: %v, want ErrRange", k, err)
		}
	}
	// Each wave's set evaluates the wave's telemetry: a canary failing
	// its boot checks far above the baseline pauses or rolls back.
	set, err := p.WaveGuards(1)
	if err != nil || !reflect.DeepEqual(set.Names(), []string{"boot failures", "crashes per device-hour"}) {
		t.Fatalf("wave 1 set: %v", err)
	}
	report, err := set.Evaluate([]otaprio.GuardData{{Rule: 0,
		CanaryEvents: []uint64{90}, BaselineEvents: []uint64{10},
		CanaryTrials: []uint64{1000}, BaselineTrials: []uint64{10000},
		WindowEndHours: 100}})
	if err != nil || report.Action != otaprio.GuardActionRollback {
		t.Errorf("wave 1 evaluation: %+v, %v", report, err)
	}
	set.Close() // lets go of the plan's set, which the plan still has
	if again, err := p.WaveGuards(1); err != nil || again.Len() != 2 {
		t.Errorf("wave 1 set after its view closed: %v", err)
	}
	// The plan's cohort places the fleet's devices as the plan did.
	cohort := p.Cohort()
	if cohort == nil || cohort.WaveCount() == 0 {
		t.Fatal("no cohort")
	}
	f := newPlanFleet(planFleetSize, planChunkSize, false)
	var chunk otaprio.PlanChunk
	if err := f.source(otaprio.PlanPassAssign, 0, &chunk); err != nil {
		t.Fatal(err)
	}
	waves, err := cohort.Assign(otaprio.CohortChunk{Keys: chunk.Keys, Codes: chunk.Codes})
	if err != nil || len(waves) != len(chunk.Keys) {
		t.Errorf("assign: %d waves, %v", len(waves), err)
	}
	if planHasWarning(p, otaprio.PlanWarningCodeNoGuardrails) {
		t.Error("warned of no guardrails with two rules")
	}
	// Closed: the Go readouts stay, the C-backed ones refuse.
	summary := p.Summary()
	p.Close()
	p.Close()
	if _, err := p.WaveGuardRules(0); !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("closed plan: %v", err)
	}
	if p.Summary() != summary || (p.Cohort() != nil) {
		t.Error("closing changed the summary or kept the cohort")
	}

	s.request.Rules = nil
	q := s.run(t)
	if names, err := q.WaveGuardRules(0); names != nil || err != nil {
		t.Errorf("without rules: %q, %v", names, err)
	}
	if !planHasWarning(q, otaprio.PlanWarningCodeNoGuardrails) {
		t.Error("no warning without guardrails")
	}
}

func TestPlanPowerSizesTheFirstCanary(t *testing.T) {
	s := newPlanScenario(t, false, otaprio.IssueClassStability, 0.3)
	power := otaprio.DefaultPowerSpec()
	power.Baseline, power.Rise = 0.02, 1 // a doubling of a 2% failure rate
	needed, err := otaprio.CanarySize(power)
	if err != nil {
		t.Fatal(err)
	}
	s.request.Power = &power
	p := s.run(t)
	canary := planFirstStage(p, otaprio.PlanStageCanary)
	if canary < 0 || p.Summary().Notes&otaprio.PlanNotePower == 0 {
		t.Fatalf("summary %+v", p.Summary())
	}
	if got := float64(p.Waves()[canary].Devices); got < needed || got > needed+1 {
		t.Errorf("first canary %v devices, need %v", got, needed)
	}
	power.Rise = 0.01 // too small for the fleet
	q := s.run(t)
	if !planHasWarning(q, otaprio.PlanWarningCodePowerUnreachable) || q.Summary().Notes&otaprio.PlanNotePower != 0 {
		t.Errorf("unreachable power: %+v", q.Summary())
	}
}

func TestPlanDelayedFailuresLengthenSoaks(t *testing.T) {
	s := newPlanScenario(t, false, otaprio.IssueClassPerformance, 0.3)
	s.issue.ABSlot = true
	for _, c := range []struct {
		delayed otaprio.PlanDelayed
		hours   float64
	}{{otaprio.PlanDelayedBattery, 48}, {otaprio.PlanDelayedStorage, 72}} {
		s.request.Delayed = c.delayed
		p := s.run(t)
		if p.Summary().Notes&otaprio.PlanNoteDelayed == 0 {
			t.Errorf("%v: no delayed note", c.delayed)
		}
		waves := p.Waves()
		for k := 0; k+1 < len(waves); k++ {
			if waves[k].SoakHours < c.hours {
				t.Errorf("%v: wave %d soaks %v hours", c.delayed, k, waves[k].SoakHours)
			}
		}
	}
}

func planExpectError(t *testing.T, name string, err error, sentinel error, field string) {
	t.Helper()
	t.Logf("%s: %v", name, err)
	var e *otaprio.Error
	if !errors.Is(err, sentinel) || !errors.As(err, &e) || (field != "" && e.Field != field) {
		t.Errorf("%s: got %v, want %v naming %q", name, err, sentinel, field)
	}
}

func TestNewPlanRefusesBadRequests(t *testing.T) {
	s := newPlanScenario(t, true, otaprio.IssueClassStability, 0.3)
	r := s.request
	r.Issue = &s.issue
	try := func(mutate func(*otaprio.PlanRequest)) error {
		q := r
		mutate(&q)
		p, err := otaprio.NewPlan(q)
		if p != nil {
			p.Close()
		}
		return err
	}
	planExpectError(t, "no issue", try(func(q *otaprio.PlanRequest) { q.Issue = nil }), otaprio.ErrInvalid, "issue")
	planExpectError(t, "no source", try(func(q *otaprio.PlanRequest) { q.Source = nil }), otaprio.ErrInvalid, "source")
	planExpectError(t, "NaN critical level", try(func(q *otaprio.PlanRequest) { q.CriticalLevel = math.NaN() }), otaprio.ErrRange, "")
	planExpectError(t, "unknown issue class", try(func(q *otaprio.PlanRequest) {
		bad := s.issue
		bad.Class = 99
		q.Issue = &bad
	}), otaprio.ErrRange, "")
	planExpectError(t, "bad rollback share", try(func(q *otaprio.PlanRequest) {
		in := otaprio.DefaultRollbackInput()
		in.CanaryShare = 2
		q.Rollback = &in
	}), otaprio.ErrRange, "")
	planExpectError(t, "mismatched break-glass approvals", try(func(q *otaprio.PlanRequest) {
		q.Breakglass = &otaprio.BreakglassRequest{ApprovalRole: []otaprio.PlanRole{otaprio.PlanRoleExecutive}}
	}), otaprio.ErrInvalid, "approver")
	planExpectError(t, "no device state with a catalog", try(func(q *otaprio.PlanRequest) {
		f := newPlanFleet(planFleetSize, planChunkSize, false)
		q.Source = f.source
	}), otaprio.ErrInvalid, "")

	fleet := func(mutate func(*planFleet)) func(*otaprio.PlanRequest) {
		return func(q *otaprio.PlanRequest) {
			f := newPlanFleet(planFleetSize, planChunkSize, true)
			mutate(f)
			q.Source = f.source
		}
	}
	planExpectError(t, "short ring column", try(fleet(func(f *planFleet) { f.shortRing = true })), otaprio.ErrInvalid, "chunk.ring")
	planExpectError(t, "passes disagree", try(fleet(func(f *planFleet) { f.shrinkPass = otaprio.PlanPassAssign })), otaprio.ErrInvalid, "")
	planExpectError(t, "one code column for two dimensions", try(func(q *otaprio.PlanRequest) {
		f := newPlanFleet(planFleetSize, planChunkSize, true)
		q.Source = func(pass otaprio.PlanPass, first uint64, c *otaprio.PlanChunk) error {
			err := f.source(pass, first, c)
			c.Codes = c.Codes[:1]
			return err
		}
	}), otaprio.ErrInvalid, "chunk.codes")
	planExpectError(t, "short device column", try(func(q *otaprio.PlanRequest) {
		f := newPlanFleet(planFleetSize, planChunkSize, true)
		q.Source = func(pass otaprio.PlanPass, first uint64, c *otaprio.PlanChunk) error {
			err := f.source(pass, first, c)
			if len(c.Keys) > 0 {
				c.Devices.Battery = f.battery[:1]
			}
			return err
		}
	}), otaprio.ErrInvalid, "battery")
	planExpectError(t, "ring out of range", try(func(q *otaprio.PlanRequest) {
		f := newPlanFleet(planFleetSize, planChunkSize, true)
		q.Source = func(pass otaprio.PlanPass, first uint64, c *otaprio.PlanChunk) error {
			err := f.source(pass, first, c)
			if len(c.Ring) > 0 {
				c.Ring[0] = 9
			}
			return err
		}
	}), otaprio.ErrRange, "")
	planExpectError(t, "battery NaN", try(func(q *otaprio.PlanRequest) {
		f := newPlanFleet(planFleetSize, planChunkSize, true)
		q.Source = func(pass otaprio.PlanPass, first uint64, c *otaprio.PlanChunk) error {
			err := f.source(pass, first, c)
			if len(c.Keys) > 0 {
				f.battery[0] = float32(math.NaN())
			}
			return err
		}
	}), otaprio.ErrRange, "")
}

var errPlanSource = errors.New("fleet database unavailable")

// A source's error stops the planner and comes back unchanged, whichever
// pass it comes in; a panic is raised again with its value, and planning
// works afterwards.
func TestPlanSourceErrorsAndPanics(t *testing.T) {
	s := newPlanScenario(t, true, otaprio.IssueClassStability, 0.3)
	s.request.Issue = &s.issue
	for _, pass := range []otaprio.PlanPass{otaprio.PlanPassImpact, otaprio.PlanPassSample, otaprio.PlanPassAssign} {
		f := newPlanFleet(planFleetSize, planChunkSize, true)
		f.failPass, f.failErr = pass, errPlanSource
		r := s.request
		r.Source = f.source
		p, err := otaprio.NewPlan(r)
		if p != nil || err != errPlanSource {
			t.Errorf("pass %v: got %v, %v; want the source's error unchanged", pass, p, err)
		}
	}
	type marker struct{ pass otaprio.PlanPass }
	for _, pass := range []otaprio.PlanPass{otaprio.PlanPassImpact, otaprio.PlanPassAssign} {
		f := newPlanFleet(planFleetSize, planChunkSize, true)
		f.panicPass, f.panicValue = pass, &marker{pass}
		r := s.request
		r.Source = f.source
		func() {
			defer func() {
				if got := recover(); got != f.panicValue {
					t.Errorf("pass %v: recovered %v, want the source's value", pass, got)
				}
			}()
			otaprio.NewPlan(r)
			t.Errorf("pass %v: NewPlan returned after a panic", pass)
		}()
	}
	// The catalog and the binding are still good.
	p := s.run(t)
	if p.Summary().Devices != planFleetSize {
		t.Errorf("after the panics: %+v", p.Summary())
	}
}

// A plan is immutable: goroutines share one, and plans made at once
// share the catalog.
func TestPlanSharedAcrossGoroutines(t *testing.T) {
	s := newPlanScenario(t, true, otaprio.IssueClassStability, 0.3)
	s.fleet.devices = 3000
	p := s.run(t)
	wantSummary, wantWaves, wantChains := p.Summary(), p.Waves(), p.Chains()
	wantGuards, err := p.WaveGuardRules(0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				names, err := p.WaveGuardRules(i % len(wantWaves))
				if err != nil || !reflect.DeepEqual(names, wantGuards) {
					t.Errorf("goroutine %d: guards %q, %v", g, names, err)
					return
				}
				if p.Summary() != wantSummary || !planSameWaves(p.Waves(), wantWaves) ||
					!reflect.DeepEqual(p.Chains(), wantChains) || !(p.Cohort() != nil) {
					t.Errorf("goroutine %d: the plan changed", g)
					return
				}
			}
			// A plan of its own over its own fleet, sharing the catalog.
			f := newPlanFleet(3000, 700, true)
			r := s.request
			r.Issue, r.Source = &s.issue, f.source
			q, err := otaprio.NewPlan(r)
			if err != nil {
				t.Errorf("goroutine %d: %v", g, err)
				return
			}
			defer q.Close()
			if q.Summary() != wantSummary {
				t.Errorf("goroutine %d: summary %+v, want %+v", g, q.Summary(), wantSummary)
			}
		}(g)
	}
	wg.Wait()
}

// Telemetry in which boot failures of affected devices are 4% against
// 0.5% for the rest confirms the defect: the score rises, the tier never
// falls, and the scorecard shows the anomaly. An explicit default risk
// model changes nothing.
func TestPlanTelemetryRefinesUrgency(t *testing.T) {
	s := newPlanScenario(t, false, otaprio.IssueClassStability, 0.3)
	quiet := s.run(t)
	model, err := otaprio.NewRiskModel(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer model.Close()
	s.request.RiskModel = model
	if same := s.run(t); same.Summary() != quiet.Summary() {
		t.Errorf("the default model changed the plan: %+v", same.Summary())
	}
	// One critical proportion rule on one row: failures of the affected
	// devices (the canary) against the rest (the baseline).
	rule := otaprio.DefaultGuardRule("boot failures")
	rule.Severity, rule.WindowHours = otaprio.GuardSeverityCritical, 0
	set, err := otaprio.NewGuardSet(nil, []otaprio.GuardRule{rule})
	if err != nil {
		t.Fatal(err)
	}
	report, err := set.Evaluate([]otaprio.GuardData{{
		CanaryEvents: []uint64{400}, BaselineEvents: []uint64{50},
		CanaryTrials: []uint64{10000}, BaselineTrials: []uint64{10000}}})
	set.Close() // the report stands on its own
	if err != nil {
		t.Fatal(err)
	}
	defer report.Close()
	s.request.Telemetry = report
	loud := s.run(t)
	q, l := quiet.Summary(), loud.Summary()
	if l.Notes&otaprio.PlanNoteTelemetry == 0 || q.Notes&otaprio.PlanNoteTelemetry != 0 ||
		l.Score <= q.Score || l.Tier > q.Tier || l.TierBefore != q.TierBefore {
		t.Errorf("quiet %+v\nloud %+v", q, l)
	}
	if l.Tier < q.Tier && l.Notes&otaprio.PlanNoteTelemetryRaised == 0 {
		t.Error("raised tier without the note")
	}
	growing, rate := false, false
	for _, line := range loud.Explanation() {
		growing = growing || line.Factor == otaprio.FactorAnomalyGrowing
		if line.Factor == otaprio.FactorAnomalyRate {
			rate = true
			if math.Abs(line.Input-0.035) > 1e-12 {
				t.Errorf("anomaly rate input %v, want 0.035", line.Input)
			}
		}
	}
	if !growing || !rate {
		t.Error("the scorecard lacks the anomaly lines")
	}
}

// Guardrail options reach the waves: an explicit tolerance scale is the
// one the waves start from (weak rollback may only tighten it).
func TestPlanGuardOptionsReachTheWaves(t *testing.T) {
	s := newPlanScenario(t, false, otaprio.IssueClassStability, 0.3)
	way := otaprio.DefaultRollbackInput()
	way.Levers, way.Observe = rollbackAllLevers, rollbackAllViews
	s.request.Rollback = &way
	options := otaprio.DefaultGuardOptions()
	options.ToleranceScale = 0.4
	s.request.GuardOptions = &options
	for k, w := range s.run(t).Waves() {
		if w.ToleranceScale != 0.4 {
			t.Errorf("wave %d tolerance %v, want 0.4", k, w.ToleranceScale)
		}
	}
	infinite := options
	infinite.ToleranceScale = math.Inf(1)
	s.request.GuardOptions = &infinite
	r := s.request
	r.Issue = &s.issue
	_, err := otaprio.NewPlan(r)
	planExpectError(t, "infinite tolerance", err, otaprio.ErrRange, "")
}
