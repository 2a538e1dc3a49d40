// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"sync"
	"testing"

	"otaprio"
)

// A rule set is immutable and shared: goroutines evaluate their own
// telemetry (samples through callbacks, each with its own sequence)
// against one set at once and get what one goroutine alone gets. Run
// under -race, this is the binding's concurrency test (after
// test_guardrail_threads.c).

const guardLooks = 24

type guardRun struct {
	actions []otaprio.GuardAction
	pValues []float64
	looks   uint64
}

func guardThreadsSet(t *testing.T) *otaprio.GuardSet {
	t.Helper()
	rules := []otaprio.GuardRule{
		guardRuleOf("crashes", otaprio.GuardKindRate),
		guardRuleOf("install-failures", otaprio.GuardKindProportion),
		guardRuleOf("drain", otaprio.GuardKindContinuous),
	}
	rules[0].Sequential, rules[0].Margin = true, 0.2
	set, err := otaprio.NewGuardSet(nil, rules)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { set.Close() })
	return set
}

// guardWork runs the looks of one wave against set.
func guardWork(set *otaprio.GuardSet) (guardRun, error) {
	var run guardRun
	sequence, err := set.NewSequence(0)
	if err != nil {
		return run, err
	}
	defer sequence.Close()
	canary, baseline := make([]float64, 50), make([]float64, 80)
	for i := range canary {
		canary[i] = float64((i*7)%50) / 10
	}
	for i := range baseline {
		baseline[i] = float64((i*3)%80) / 16
	}
	for look := 0; look < guardLooks; look++ {
		h := uint64(look + 1)
		rate := guardRate(2*h, 100*float64(h), 10*h, 1000*float64(h))
		rate.WindowEndHours, rate.Sequence = float64(h), sequence
		share := otaprio.GuardData{Rule: 1, WindowEndHours: float64(h),
			CanaryEvents: []uint64{3 * h, h}, CanaryTrials: []uint64{100 * h, 100 * h},
			BaselineEvents: []uint64{20 * h, 20 * h}, BaselineTrials: []uint64{1000 * h, 1000 * h}}
		drain := otaprio.GuardData{Rule: 2, Rows: 1, WindowEndHours: float64(h), Samples: guardFixed(canary, baseline)}
		report, err := set.Evaluate([]otaprio.GuardData{rate, share, drain})
		if err != nil {
			return run, err
		}
		run.actions = append(run.actions, report.Action)
		for _, r := range report.Results {
			run.pValues = append(run.pValues, r.PValue)
		}
		report.Close()
	}
	run.looks, _, err = sequence.Status()
	return run, err
}

func guardSameRun(a, b guardRun) bool {
	if a.looks != b.looks || len(a.actions) != len(b.actions) || len(a.pValues) != len(b.pValues) {
		return false
	}
	for i := range a.actions {
		if a.actions[i] != b.actions[i] {
			return false
		}
	}
	for i := range a.pValues {
		if a.pValues[i] != b.pValues[i] && !(a.pValues[i] != a.pValues[i] && b.pValues[i] != b.pValues[i]) {
			return false
		}
	}
	return true
}

func TestGuardSetIsSharedAcrossGoroutines(t *testing.T) {
	set := guardThreadsSet(t)
	alone, err := guardWork(set)
	if err != nil {
		t.Fatal(err)
	}
	if alone.looks != guardLooks || len(alone.pValues) != 3*guardLooks {
		t.Fatalf("single run: %+v", alone)
	}
	const workers = 4
	runs := make([]guardRun, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			runs[w], errs[w] = guardWork(set)
		}(w)
	}
	wg.Wait()
	for w := range runs {
		if errs[w] != nil {
			t.Errorf("worker %d: %v", w, errs[w])
		} else if !guardSameRun(runs[w], alone) {
			t.Errorf("worker %d got %+v, alone %+v", w, runs[w], alone)
		}
	}
}

// Close while other goroutines evaluate: each evaluation either completes
// or is refused as closed, never uses a freed set.
func TestGuardSetCloseWaitsForEvaluations(t *testing.T) {
	set := guardThreadsSet(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				data := guardProportion(3, 100, 20, 1000)
				data.Rule = 1
				report, err := set.Evaluate([]otaprio.GuardData{data})
				if err != nil {
					if !errors.Is(err, otaprio.ErrInvalid) {
						errs <- err
					}
					return
				}
				report.Close()
			}
		}()
	}
	set.Close()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("unexpected: %v", err)
	}
	if _, err := set.Evaluate(nil); !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("after Close: %v", err)
	}
}
