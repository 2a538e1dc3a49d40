// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"reflect"
	"testing"

	"otaprio"
)

// cohortSource hands out a fleet in chunks of the given size.
func cohortSource(f otaprio.CohortChunk, chunk int) (otaprio.CohortSource, *int) {
	next, calls := 0, new(int)
	return func() (otaprio.CohortChunk, error) {
		*calls++
		count := min(chunk, len(f.Keys)-next)
		c := cohortSlice(f, next, count)
		next += count
		return c, nil
	}, calls
}

// ---- a custom algorithm in Go: the first n devices seen ------------------

// firstN is test_cohort_evaluate.c's custom algorithm: the first n
// devices seen, device j of them for wave j * waves / n. It counts its
// live states and can fail or panic in any method.
type firstN struct {
	n           int
	live, inits int
	failIn      string // "init", "observe", "merge", "finish", "close"
	failAfter   int
	calls       int
	err         error
	panicValue  any
	badAt       int // emit a device with this wave at this index
	badWave     uint32
	ignoreEmit  bool
	emitRefused error
}

type firstNState struct {
	a      *firstN
	cards  []uint32
	waves  int
	keys   []uint64
	strata []uint64
}

func (a *firstN) fails(where string) error {
	if a.failIn != where {
		return nil
	}
	a.calls++
	if a.calls-1 != a.failAfter {
		return nil
	}
	if a.panicValue != nil {
		panic(a.panicValue)
	}
	return a.err
}

func (a *firstN) Init(spec otaprio.CohortSpec) (otaprio.CohortAlgorithmState, error) {
	if err := a.fails("init"); err != nil {
		return nil, err
	}
	a.live++
	a.inits++
	return &firstNState{a: a, cards: spec.Cardinalities, waves: len(spec.Waves)}, nil
}

func (s *firstNState) Observe(chunk otaprio.CohortChunk) error {
	if err := s.a.fails("observe"); err != nil {
		return err
	}
	for i := 0; i < chunk.Len() && len(s.keys) < s.a.n; i++ {
		var id, radix uint64 = 0, 1
		for d, card := range s.cards {
			if d < len(chunk.Codes) && chunk.Codes[d] != nil {
				id += uint64(chunk.Codes[d][i]) * radix
			}
			radix *= uint64(card)
		}
		s.keys = append(s.keys, chunk.Keys[i])
		s.strata = append(s.strata, id)
	}
	return nil
}

func (s *firstNState) Merge(other otaprio.CohortAlgorithmState) error {
	if err := s.a.fails("merge"); err != nil {
		return err
	}
	o := other.(*firstNState)
	for i := range o.keys {
		if len(s.keys) < s.a.n {
			s.keys = append(s.keys, o.keys[i])
			s.strata = append(s.strata, o.strata[i])
		}
	}
	return nil
}

func (s *firstNState) Finish(emit func(key, stratum uint64, wave uint32) error) error {
	if err := s.a.fails("finish"); err != nil {
		return err
	}
	for j := range s.keys {
		wave := uint32(j * s.waves / s.a.n)
		if s.a.badWave != 0 && j == s.a.badAt {
			wave = s.a.badWave
		}
		if err := emit(s.keys[j], s.strata[j], wave); err != nil {
			s.a.emitRefused = err
			if !s.a.ignoreEmit {
				return err
			}
		}
	}
	return nil
}

func (s *firstNState) Close() error {
	s.a.live--
	return s.a.fails("close")
}

// cohortFirstNReports are the reports the first n devices must score:
// tallies of the fleet with the cohort flags of each wave, the devices
// taken in the order the shards see them, merged in shard order.
func cohortFirstNReports(t *testing.T, f otaprio.CohortChunk, chunk, shards, n int) []otaprio.Representativeness {
	waveOf := make([]int, len(f.Keys))
	for i := range waveOf {
		waveOf[i] = -1
	}
	chunks := (len(f.Keys) + chunk - 1) / chunk
	taken := 0
	for s := 0; s < shards; s++ {
		for k := s; k < chunks; k += shards {
			for i := k * chunk; i < len(f.Keys) && i < (k+1)*chunk; i++ {
				if taken < n {
					waveOf[i] = taken * 3 / n
					taken++
				}
			}
		}
	}
	var out []otaprio.Representativeness
	for w := 0; w < 3; w++ {
		flags := make([]uint8, len(f.Keys))
		for i := range flags {
			if waveOf[i] >= 0 && waveOf[i] <= w {
				flags[i] = 1
			}
		}
		tally, err := otaprio.NewTally(cohortTestCards)
		cohortMust(t, err)
		cohortMust(t, tally.Add(len(f.Keys), f.Codes, flags))
		r, err := tally.Representativeness()
		cohortMust(t, err)
		tally.Close()
		out = append(out, r)
	}
	return out
}

func TestCohortCustomAlgorithmIsScoredLikeATally(t *testing.T) {
	f := cohortTestFleet(5000, 1)
	for _, shards := range []int{1, 2, 7} {
		for _, chunk := range []int{5000, 999, 64} {
			for _, n := range []int{1, 50, 700, 5000} {
				a := &firstN{n: n}
				source, _ := cohortSource(f, chunk)
				got, err := otaprio.EvaluateCohort(otaprio.NewCohortAlgorithm("first_n", a), cohortTestSpec(), shards, source)
				cohortMust(t, err)
				if want := cohortFirstNReports(t, f, chunk, shards, n); !reflect.DeepEqual(got, want) {
					t.Errorf("%d shards, chunks of %d, %d devices: %+v, want %+v", shards, chunk, n, got, want)
				}
				used := min((len(f.Keys)+chunk-1)/chunk, shards)
				if a.live != 0 || a.inits != used {
					t.Errorf("%d states live, %d started, want 0 and %d", a.live, a.inits, used)
				}
				if got[2].Cohort != uint64(n) {
					t.Errorf("the last wave holds %d devices, want %d", got[2].Cohort, n)
				}
			}
		}
	}
}

// The built-in methods give the same reports in 1, 2 and 7 shards, the
// reports of their own cohort from one sampler (test_cohort_evaluate.c).
func TestCohortBuiltinsAgreeAcrossShardsAndWithTheirCohorts(t *testing.T) {
	f := cohortTestFleet(20000, 3)
	sd := make([]float64, 4*3*6)
	for h := range sd {
		sd[h] = 1 + float64(h%5)
	}
	names := []string{"hash_threshold", "proportional", "minimum_coverage", "neyman"}
	for m, method := range []otaprio.CohortMethod{otaprio.CohortMethodHashThreshold, otaprio.CohortMethodProportional,
		otaprio.CohortMethodMinimumCoverage, otaprio.CohortMethodNeyman} {
		a, err := otaprio.BuiltinCohortAlgorithm(method)
		cohortMust(t, err)
		if a.Name() != names[m] {
			t.Errorf("method %v is named %q", method, a.Name())
		}
		spec := cohortTestSpec()
		spec.Method = method
		if method == otaprio.CohortMethodNeyman {
			spec.StratumSD = sd
		}
		var first []otaprio.Representativeness
		for _, shards := range []int{1, 2, 7} {
			source, _ := cohortSource(f, 1500)
			got, err := otaprio.EvaluateCohort(a, spec, shards, source)
			cohortMust(t, err)
			if first == nil {
				first = got
			} else if !reflect.DeepEqual(got, first) {
				t.Errorf("%s in %d shards differs from one shard", a.Name(), shards)
			}
		}
		s := cohortNewSampler(t, spec)
		cohortMust(t, s.Observe(f))
		c, err := s.Finish()
		cohortMust(t, err)
		for w := range spec.Waves {
			own, err := c.Representativeness(w)
			cohortMust(t, err)
			if !reflect.DeepEqual(own, first[w]) {
				t.Errorf("%s wave %d: evaluated %+v, own cohort %+v", a.Name(), w, first[w], own)
			}
		}
		c.Close()
	}
	for _, bad := range []otaprio.CohortMethod{-1, 4} {
		a, err := otaprio.BuiltinCohortAlgorithm(bad)
		if a != nil {
			t.Errorf("method %d: an algorithm", bad)
		}
		cohortWantError(t, "an unknown method", err, otaprio.ErrRange, "method")
	}
}

var errCohortSource = errors.New("the fleet table is gone")

func TestCohortEvaluateReturnsCallbackErrorsUnchanged(t *testing.T) {
	f := cohortTestFleet(4000, 7)
	builtin, err := otaprio.BuiltinCohortAlgorithm(otaprio.CohortMethodProportional)
	cohortMust(t, err)
	spec := cohortTestSpec()

	// The source's error, from the tenth chunk.
	failing := func(after int, err error, panicValue any) otaprio.CohortSource {
		source, calls := cohortSource(f, 250)
		return func() (otaprio.CohortChunk, error) {
			if *calls == after {
				if panicValue != nil {
					panic(panicValue)
				}
				return otaprio.CohortChunk{}, err
			}
			return source()
		}
	}
	reports, err := otaprio.EvaluateCohort(builtin, spec, 4, failing(9, errCohortSource, nil))
	if err != errCohortSource || reports != nil {
		t.Errorf("source error: %v, %v", reports, err)
	}
	// A source's panic is raised again with its value; all is usable after.
	cohortWantPanic(t, "source", func() { otaprio.EvaluateCohort(builtin, spec, 4, failing(3, nil, "source panic")) }, "source panic")
	source, _ := cohortSource(f, 250)
	if _, err := otaprio.EvaluateCohort(builtin, spec, 4, source); err != nil {
		t.Errorf("after the panic: %v", err)
	}
	// A chunk the binding refuses (a short column) comes back as the
	// source's error; one the library refuses, as the library's.
	shortCodes := func() (otaprio.CohortChunk, error) {
		c := cohortSlice(f, 0, 10)
		c.Codes[1] = c.Codes[1][:9]
		return c, nil
	}
	_, err = otaprio.EvaluateCohort(builtin, spec, 1, shortCodes)
	cohortWantError(t, "a short column", err, otaprio.ErrInvalid, "codes")
	badCode := func() (otaprio.CohortChunk, error) {
		c := cohortSlice(f, 0, 8)
		c.Codes[1] = []uint32{0, 0, 0, 0, 0, 3, 0, 0}
		return c, nil
	}
	_, err = otaprio.EvaluateCohort(builtin, spec, 1, badCode)
	cohortWantError(t, "a code past its cardinality", err, otaprio.ErrRange, "codes")
	var e *otaprio.Error
	if errors.As(err, &e) && e.Index != 5 {
		t.Errorf("the bad code is at %d, want 5", e.Index)
	}

	// The custom algorithm's errors and panics, in every method.
	errMine := errors.New("the model diverged")
	for _, place := range []struct {
		in    string
		after int
	}{{"init", 0}, {"init", 2}, {"observe", 5}, {"merge", 1}, {"finish", 0}, {"close", 0}} {
		a := &firstN{n: 300, failIn: place.in, failAfter: place.after, err: errMine}
		source, _ := cohortSource(f, 250)
		_, err := otaprio.EvaluateCohort(otaprio.NewCohortAlgorithm("first_n", a), spec, 4, source)
		if place.in == "close" {
			// destroy has no status: a Close error is dropped.
			if err != nil {
				t.Errorf("a Close error: %v", err)
			}
		} else if err != errMine {
			t.Errorf("%s #%d: %v, want the algorithm's error", place.in, place.after, err)
		}
		if a.live != 0 {
			t.Errorf("%s #%d: %d states live", place.in, place.after, a.live)
		}
		p := &firstN{n: 300, failIn: place.in, failAfter: place.after, panicValue: place}
		source, _ = cohortSource(f, 250)
		cohortWantPanic(t, place.in, func() {
			otaprio.EvaluateCohort(otaprio.NewCohortAlgorithm("first_n", p), spec, 4, source)
		}, place)
	}
}

func cohortWantPanic(t *testing.T, what string, f func(), want any) {
	t.Helper()
	defer func() {
		if r := recover(); !reflect.DeepEqual(r, want) {
			t.Errorf("%s: recovered %v, want %v", what, r, want)
		}
	}()
	f()
}

func TestCohortEvaluateRefusesBadDevicesAndArguments(t *testing.T) {
	f := cohortTestFleet(3000, 5)
	spec := cohortTestSpec()
	// A device emitted in a wave past the last: the library refuses it,
	// whether the algorithm passes the refusal on or not.
	for _, ignore := range []bool{false, true} {
		a := &firstN{n: 100, badAt: 37, badWave: 3, ignoreEmit: ignore}
		source, _ := cohortSource(f, 500)
		reports, err := otaprio.EvaluateCohort(otaprio.NewCohortAlgorithm("first_n", a), spec, 2, source)
		cohortWantError(t, "a wave past the last", err, otaprio.ErrInvalid, "wave")
		var e *otaprio.Error
		if errors.As(err, &e) && e.Index != 37 {
			t.Errorf("the bad device is #%d, want 37", e.Index)
		}
		if !errors.Is(a.emitRefused, otaprio.ErrInvalid) || reports != nil || a.live != 0 {
			t.Errorf("emit said %v; reports %v; %d live", a.emitRefused, reports, a.live)
		}
	}

	builtin, err := otaprio.BuiltinCohortAlgorithm(otaprio.CohortMethodProportional)
	cohortMust(t, err)
	source, calls := cohortSource(f, 100)
	_, err = otaprio.EvaluateCohort(builtin, spec, 0, source)
	cohortWantError(t, "0 shards", err, otaprio.ErrRange, "shards")
	_, err = otaprio.EvaluateCohort(builtin, spec, -1, source)
	cohortWantError(t, "-1 shards", err, otaprio.ErrRange, "shards")
	_, err = otaprio.EvaluateCohort(nil, spec, 1, source)
	cohortWantError(t, "no algorithm", err, otaprio.ErrInvalid, "algorithm")
	_, err = otaprio.EvaluateCohort(otaprio.NewCohortAlgorithm("nothing", nil), spec, 1, source)
	cohortWantError(t, "a nil Go algorithm", err, otaprio.ErrInvalid, "algorithm")
	_, err = otaprio.EvaluateCohort(&otaprio.CohortAlgorithm{}, spec, 1, source)
	cohortWantError(t, "a zero algorithm", err, otaprio.ErrInvalid, "algorithm")
	_, err = otaprio.EvaluateCohort(builtin, spec, 1, nil)
	cohortWantError(t, "no source", err, otaprio.ErrInvalid, "source")
	withRest := spec
	withRest.Waves = []float64{0.01, 0.05, 0.2, 1}
	_, err = otaprio.EvaluateCohort(builtin, withRest, 1, source)
	cohortWantError(t, "a final wave of 1", err, otaprio.ErrInvalid, "waves")
	neyman, err := otaprio.BuiltinCohortAlgorithm(otaprio.CohortMethodNeyman)
	cohortMust(t, err)
	_, err = otaprio.EvaluateCohort(neyman, spec, 1, source)
	cohortWantError(t, "Neyman without deviations", err, otaprio.ErrInvalid, "algorithm.init")
	if *calls != 0 {
		t.Errorf("the source was called %d times for refused arguments", *calls)
	}
	// An empty fleet scores zeros.
	empty := func() (otaprio.CohortChunk, error) { return otaprio.CohortChunk{}, nil }
	a := &firstN{n: 10}
	reports, err := otaprio.EvaluateCohort(otaprio.NewCohortAlgorithm("first_n", a), spec, 3, empty)
	cohortMust(t, err)
	zero := otaprio.Representativeness{TVDDimension: []float64{0, 0, 0}, Worst: []otaprio.UnderCoveredStratum{}}
	for w, r := range reports {
		if !reflect.DeepEqual(r, zero) {
			t.Errorf("wave %d of an empty fleet: %+v", w, r)
		}
	}
	if a.inits != 1 || a.live != 0 {
		t.Errorf("an empty fleet: %d states started, %d live", a.inits, a.live)
	}
}

// spyAlgorithm records what a Go algorithm is given: the spec, and every
// column of the chunks. It selects nothing.
type spyAlgorithm struct {
	spec                 otaprio.CohortSpec
	devices, held, codes int
	battery              float64
}

type spyState struct{ a *spyAlgorithm }

func (a *spyAlgorithm) Init(spec otaprio.CohortSpec) (otaprio.CohortAlgorithmState, error) {
	a.spec = spec
	return spyState{a}, nil
}

func (s spyState) Observe(chunk otaprio.CohortChunk) error {
	s.a.devices += chunk.Len()
	for i := 0; i < chunk.Len(); i++ {
		s.a.held += int(chunk.FirstWave[i])
		s.a.codes += int(chunk.Codes[2][i])
		s.a.battery += float64(chunk.Battery[i])
	}
	return nil
}

func (s spyState) Merge(otaprio.CohortAlgorithmState) error { return nil }

func (s spyState) Finish(func(key, stratum uint64, wave uint32) error) error { return nil }

func TestCohortGoAlgorithmSeesTheSpecAndTheColumns(t *testing.T) {
	f := cohortTestFleet(3000, 12)
	f.Battery = make([]float32, len(f.Keys))
	var held, codes int
	var battery float64
	for i := range f.Keys {
		f.Battery[i] = float32(i%4) / 4
		held += int(f.FirstWave[i])
		codes += int(f.Codes[2][i])
		battery += float64(f.Battery[i])
	}
	spec := cohortTestSpec()
	spec.Method = otaprio.CohortMethodMinimumCoverage
	spec.MinimumBattery = 0.25
	spec.ExcludedClusters = []uint32{7, 9}
	spec.CapDimension = 1
	spec.Caps = []uint64{10, 20, 30}
	a := &spyAlgorithm{}
	source, _ := cohortSource(f, 400)
	reports, err := otaprio.EvaluateCohort(otaprio.NewCohortAlgorithm("spy", a), spec, 1, source)
	cohortMust(t, err)
	if !reflect.DeepEqual(a.spec, spec) {
		t.Errorf("Init got %+v, want %+v", a.spec, spec)
	}
	if a.devices != len(f.Keys) || a.held != held || a.codes != codes || a.battery != battery {
		t.Errorf("observed %d devices, %d held, codes %d, battery %v; want %d, %d, %d, %v",
			a.devices, a.held, a.codes, a.battery, len(f.Keys), held, codes, battery)
	}
	if reports[0].Fleet != uint64(len(f.Keys)) || reports[2].Cohort != 0 || reports[2].TVD != 1 {
		t.Errorf("an empty cohort: %+v", reports[2])
	}
}
