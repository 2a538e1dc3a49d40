// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"bytes"
	"reflect"
	"sync"
	"testing"

	"otaprio"
)

// A finished cohort is immutable: goroutines query it at once (run under
// -race), and each gets the answers one goroutine gets alone. Samplers are
// not shared: each goroutine streams its own shard, and the shards merge
// into the state of one pass.
func TestCohortConcurrentUse(t *testing.T) {
	spec := cohortTestSpec()
	spec.Method = otaprio.CohortMethodMinimumCoverage
	f := cohortTestFleet(8000, 11)
	whole := cohortNewSampler(t, spec)
	cohortMust(t, whole.Observe(f))
	c, err := whole.Finish()
	cohortMust(t, err)
	defer c.Close()

	wantDevices, err := c.Devices()
	cohortMust(t, err)
	wantWaves, err := c.Assign(f)
	cohortMust(t, err)
	wantReport, err := c.Representativeness(1)
	cohortMust(t, err)
	wantStrata, err := c.Strata(2)
	cohortMust(t, err)
	wantState, err := whole.MarshalBinary()
	cohortMust(t, err)

	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan string, 4*workers)
	states := make([][]byte, workers)
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for round := 0; round < 5; round++ {
				devices, err := c.Devices()
				if err != nil || !reflect.DeepEqual(devices, wantDevices) {
					errs <- "Devices differ"
				}
				waves, err := c.Assign(cohortSlice(f, 0, len(f.Keys)))
				if err != nil || !bytes.Equal(waves, wantWaves) {
					errs <- "Assign differs"
				}
				report, err := c.Representativeness(1)
				if err != nil || !reflect.DeepEqual(report, wantReport) {
					errs <- "Representativeness differs"
				}
				strata, err := c.Strata(2)
				if err != nil || !reflect.DeepEqual(strata, wantStrata) {
					errs <- "Strata differ"
				}
			}
			// One sampler per goroutine: shard g of the fleet.
			s, err := otaprio.NewCohortSampler(spec)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer s.Close()
			per := len(f.Keys) / workers
			if err := s.Observe(cohortSlice(f, g*per, per)); err != nil {
				errs <- err.Error()
			}
			states[g], err = s.MarshalBinary()
			if err != nil {
				errs <- err.Error()
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	// Evaluations run at once, each with its own states and source: a
	// built-in algorithm value is shared, a Go one is per goroutine.
	builtin, err := otaprio.BuiltinCohortAlgorithm(otaprio.CohortMethodNeyman)
	cohortMust(t, err)
	neyman := cohortTestSpec()
	neyman.Method = otaprio.CohortMethodNeyman
	neyman.StratumSD = make([]float64, 4*3*6)
	for h := range neyman.StratumSD {
		neyman.StratumSD[h] = float64(1 + h%3)
	}
	results := make([][]otaprio.Representativeness, 4)
	for g := range results {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			source, _ := cohortSource(f, 700+g)
			a := builtin
			if g%2 == 1 {
				a = otaprio.NewCohortAlgorithm("first_n", &firstN{n: 400})
			}
			results[g], _ = otaprio.EvaluateCohort(a, neyman, 1+g, source)
		}(g)
	}
	wg.Wait()
	for g, r := range results {
		if len(r) != 3 || (g%2 == 0 && !reflect.DeepEqual(r, results[0])) || (g%2 == 1 && r[2].Cohort != 400) {
			t.Errorf("evaluation %d: %+v", g, r)
		}
	}

	merged := cohortNewSampler(t, spec)
	for _, state := range states {
		cohortMust(t, merged.MergeBinary(state))
	}
	got, err := merged.MarshalBinary()
	cohortMust(t, err)
	if !bytes.Equal(got, wantState) {
		t.Error("the goroutines' shards do not merge into one pass")
	}
}
