// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"otaprio"
)

// cohortWantError checks err is an *otaprio.Error of the sentinel's status
// naming field (when field is not "").
func cohortWantError(t *testing.T, what string, err error, sentinel error, field string) {
	t.Helper()
	var e *otaprio.Error
	if !errors.As(err, &e) || !errors.Is(err, sentinel) {
		t.Errorf("%s: got %v, want %v", what, err, sentinel)
		return
	}
	if field != "" && e.Field != field {
		t.Errorf("%s: field %q, want %q (%v)", what, e.Field, field, err)
	}
}

func TestCohortSpecDefaultsComeFromTheLibrary(t *testing.T) {
	s := otaprio.DefaultCohortSpec()
	// The header's documented defaults: salt 0, proportional, no caps.
	want := otaprio.CohortSpec{Method: otaprio.CohortMethodProportional, CapDimension: -1}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("DefaultCohortSpec() = %+v, want %+v", s, want)
	}
}

// The spec errors of test_cohort_sampler.c: status and field.
func TestCohortSamplerRefusesBadSpecs(t *testing.T) {
	good := otaprio.DefaultCohortSpec()
	good.Cardinalities = []uint32{40, 12, 6}
	good.Waves = []float64{0.01, 0.1, 1.0}
	s, err := otaprio.NewCohortSampler(good)
	cohortMust(t, err)
	s.Close()
	s.Close() // idempotent

	sd := make([]float64, 40*12*6)
	for i := range sd {
		sd[i] = 1
	}
	badSD := append([]float64(nil), sd...)
	badSD[100] = math.Inf(1)
	cases := []struct {
		name     string
		change   func(*otaprio.CohortSpec)
		sentinel error
		field    string
	}{
		{"no waves", func(s *otaprio.CohortSpec) { s.Waves = nil }, otaprio.ErrRange, "wave_count"},
		{"too many waves", func(s *otaprio.CohortSpec) { s.Waves = make([]float64, otaprio.CohortMaxWaves+1) }, otaprio.ErrLimit, "wave_count"},
		{"zero wave", func(s *otaprio.CohortSpec) { s.Waves = []float64{0, 0.5} }, otaprio.ErrRange, "waves"},
		{"falling", func(s *otaprio.CohortSpec) { s.Waves = []float64{0.5, 0.1} }, otaprio.ErrRange, "waves"},
		{"NaN wave", func(s *otaprio.CohortSpec) { s.Waves = []float64{0.1, math.NaN()} }, otaprio.ErrRange, "waves"},
		{"zero cardinality", func(s *otaprio.CohortSpec) { s.Cardinalities = []uint32{40, 0, 6} }, otaprio.ErrRange, "cardinalities"},
		{"huge strata", func(s *otaprio.CohortSpec) {
			s.Cardinalities = []uint32{math.MaxUint32, math.MaxUint32, math.MaxUint32}
		}, otaprio.ErrOverflow, "cardinalities"},
		{"17 dimensions", func(s *otaprio.CohortSpec) { s.Cardinalities = make([]uint32, otaprio.CohortMaxDimensions+1) }, otaprio.ErrLimit, "dimension_count"},
		{"unknown method", func(s *otaprio.CohortSpec) { s.Method = otaprio.CohortMethod(4) }, otaprio.ErrRange, "method"},
		{"hash with minimum", func(s *otaprio.CohortSpec) {
			s.Method, s.MinimumPerStratum = otaprio.CohortMethodHashThreshold, 2
		}, otaprio.ErrInvalid, "minimum_per_stratum"},
		{"sd without Neyman", func(s *otaprio.CohortSpec) { s.StratumSD = sd }, otaprio.ErrInvalid, "stratum_sd"},
		{"Neyman, 7 sds", func(s *otaprio.CohortSpec) { s.Method, s.StratumSD = otaprio.CohortMethodNeyman, sd[:7] }, otaprio.ErrInvalid, "stratum_sd_count"},
		{"Neyman, infinite sd", func(s *otaprio.CohortSpec) { s.Method, s.StratumSD = otaprio.CohortMethodNeyman, badSD }, otaprio.ErrRange, "stratum_sd"},
		{"Neyman, no sd", func(s *otaprio.CohortSpec) { s.Method = otaprio.CohortMethodNeyman }, otaprio.ErrInvalid, "stratum_sd"},
		{"retain 1.5", func(s *otaprio.CohortSpec) { s.RetainFraction = 1.5 }, otaprio.ErrRange, "retain_fraction"},
		{"battery 2", func(s *otaprio.CohortSpec) { s.MinimumBattery = 2 }, otaprio.ErrRange, "minimum_battery"},
		{"cap dimension 3", func(s *otaprio.CohortSpec) { s.CapDimension = 3 }, otaprio.ErrRange, "cap_dimension"},
		{"no caps", func(s *otaprio.CohortSpec) { s.CapDimension = 1 }, otaprio.ErrInvalid, "caps"},
		// Caught in Go: C would read 12 caps from a slice of 3.
		{"short caps", func(s *otaprio.CohortSpec) { s.CapDimension, s.Caps = 1, []uint64{1, 2, 3} }, otaprio.ErrInvalid, "caps"},
		{"hash with caps", func(s *otaprio.CohortSpec) {
			s.CapDimension, s.Caps, s.Method = 1, make([]uint64, 12), otaprio.CohortMethodHashThreshold
		}, otaprio.ErrInvalid, "cap_dimension"},
	}
	for _, c := range cases {
		bad := good
		c.change(&bad)
		s, err := otaprio.NewCohortSampler(bad)
		if s != nil {
			t.Errorf("%s: a sampler despite the error", c.name)
		}
		cohortWantError(t, c.name, err, c.sentinel, c.field)
	}
	// Neyman with good deviations is accepted.
	neyman := good
	neyman.Method, neyman.StratumSD = otaprio.CohortMethodNeyman, sd
	s, err = otaprio.NewCohortSampler(neyman)
	cohortMust(t, err)
	s.Close()
}

// A small fleet of test_cohort_evaluate.c: three skewed dimensions, a
// tenth of the devices held back to wave 1.
var cohortTestCards = []uint32{4, 3, 6}

func cohortTestSpec() otaprio.CohortSpec {
	spec := otaprio.DefaultCohortSpec()
	spec.Salt = 0x5EED
	spec.Cardinalities = cohortTestCards
	spec.Waves = []float64{0.01, 0.05, 0.2}
	return spec
}

func cohortTestFleet(n int, seed uint64) otaprio.CohortChunk {
	f := otaprio.CohortChunk{Keys: make([]uint64, n), Codes: make([][]uint32, 3), FirstWave: make([]uint8, n)}
	for d := range f.Codes {
		f.Codes[d] = make([]uint32, n)
	}
	s := cohortSplitmix(seed)
	for i := 0; i < n; i++ {
		f.Keys[i] = s.next()
		for d, card := range cohortTestCards {
			a, b := uint32(s.next()%uint64(card)), uint32(s.next()%uint64(card))
			f.Codes[d][i] = min(a, b)
		}
		if s.next()%10 == 0 {
			f.FirstWave[i] = 1
		}
	}
	return f
}

func TestCohortSamplerRefusesBadChunks(t *testing.T) {
	spec := cohortTestSpec()
	s := cohortNewSampler(t, spec)
	f := cohortTestFleet(500, 3)
	cohortMust(t, s.Observe(cohortSlice(f, 0, 200)))
	before, err := s.MarshalBinary()
	cohortMust(t, err)

	chunk := func() otaprio.CohortChunk {
		c := cohortSlice(f, 200, 300)
		c.Codes = [][]uint32{append([]uint32(nil), c.Codes[0]...), append([]uint32(nil), c.Codes[1]...), c.Codes[2]}
		c.Battery = make([]float32, 300)
		c.Metered = make([]uint8, 300)
		return c
	}
	cases := []struct {
		name     string
		change   func(*otaprio.CohortChunk)
		sentinel error
		field    string
		index    int64
	}{
		{"code past the cardinality", func(c *otaprio.CohortChunk) { c.Codes[1][50] = 3 }, otaprio.ErrRange, "codes", 50},
		{"metered 2", func(c *otaprio.CohortChunk) { c.Metered[60] = 2 }, otaprio.ErrRange, "metered", 60},
		{"battery 1.5", func(c *otaprio.CohortChunk) { c.Battery[70] = 1.5 }, otaprio.ErrRange, "battery", 70},
		{"battery NaN", func(c *otaprio.CohortChunk) { c.Battery[70] = float32(math.NaN()) }, otaprio.ErrRange, "battery", 70},
		// Caught in Go, before C reads past a column.
		{"short codes", func(c *otaprio.CohortChunk) { c.Codes[2] = c.Codes[2][:299] }, otaprio.ErrInvalid, "codes", 2},
		{"four code columns", func(c *otaprio.CohortChunk) { c.Codes = append(c.Codes, nil) }, otaprio.ErrInvalid, "codes", -1},
		{"long battery", func(c *otaprio.CohortChunk) { c.Battery = make([]float32, 301) }, otaprio.ErrInvalid, "battery", -1},
		{"short first waves", func(c *otaprio.CohortChunk) { c.FirstWave = c.FirstWave[:1] }, otaprio.ErrInvalid, "first_wave", -1},
		{"empty cluster column", func(c *otaprio.CohortChunk) { c.Cluster = []uint32{} }, otaprio.ErrInvalid, "cluster", -1},
		{"no keys", func(c *otaprio.CohortChunk) { c.Keys = nil }, otaprio.ErrInvalid, "codes", 0},
	}
	for _, c := range cases {
		bad := chunk()
		c.change(&bad)
		err := s.Observe(bad)
		cohortWantError(t, c.name, err, c.sentinel, c.field)
		var e *otaprio.Error
		if errors.As(err, &e) && e.Index != c.index {
			t.Errorf("%s: index %d, want %d", c.name, e.Index, c.index)
		}
		after, err := s.MarshalBinary()
		cohortMust(t, err)
		if !bytes.Equal(before, after) {
			t.Fatalf("%s: the failed chunk changed the sampler", c.name)
		}
	}
	// Empty chunks are fine, and a good chunk still goes in.
	cohortMust(t, s.Observe(otaprio.CohortChunk{}))
	cohortMust(t, s.Observe(otaprio.CohortChunk{Keys: []uint64{}, Codes: [][]uint32{{}}}))
	cohortMust(t, s.Observe(chunk()))
}

func TestCohortSamplersMergeExactly(t *testing.T) {
	spec := cohortTestSpec()
	f := cohortTestFleet(3000, 5)
	whole := cohortNewSampler(t, spec)
	cohortMust(t, whole.Observe(f))
	want, err := whole.MarshalBinary()
	cohortMust(t, err)

	// Shards saved as bytes and restored elsewhere give the same state.
	a, b := cohortNewSampler(t, spec), cohortNewSampler(t, spec)
	cohortMust(t, a.Observe(cohortSlice(f, 0, 1234)))
	cohortMust(t, b.Observe(cohortSlice(f, 1234, 3000-1234)))
	state, err := b.MarshalBinary()
	cohortMust(t, err)
	restored, err := otaprio.RestoreCohortSampler(spec, state)
	cohortMust(t, err)
	defer restored.Close()
	again, err := restored.MarshalBinary()
	cohortMust(t, err)
	if !bytes.Equal(again, state) {
		t.Error("a restored state serialises differently")
	}
	cohortMust(t, restored.Merge(a))
	got, err := restored.MarshalBinary()
	cohortMust(t, err)
	if !bytes.Equal(got, want) {
		t.Error("the merged shards differ from one pass")
	}

	// Another rollout, the same sampler, a closed one.
	other := spec
	other.Salt++
	o := cohortNewSampler(t, other)
	cohortMust(t, o.Observe(f))
	cohortWantError(t, "another rollout", a.Merge(o), otaprio.ErrInvalid, "other")
	cohortWantError(t, "itself", a.Merge(a), otaprio.ErrInvalid, "")
	foreign, err := o.MarshalBinary()
	cohortMust(t, err)
	err = a.MergeBinary(foreign)
	cohortWantError(t, "another rollout's bytes", err, otaprio.ErrInvalid, "")
	if err != nil && !strings.Contains(err.Error(), "another rollout") {
		t.Errorf("another rollout's bytes: %v", err)
	}
	// Bytes that are not a state, changed or cut short.
	flipped := append([]byte(nil), state...)
	flipped[len(flipped)/2] ^= 0x20
	cohortWantError(t, "a flipped byte", a.MergeBinary(flipped), otaprio.ErrSyntax, "")
	cohortWantError(t, "truncated", a.MergeBinary(state[:len(state)-1]), otaprio.ErrSyntax, "")
	cohortWantError(t, "empty", a.MergeBinary(nil), otaprio.ErrSyntax, "")
	_, err = otaprio.RestoreCohortSampler(spec, state[:10])
	cohortWantError(t, "restore truncated", err, otaprio.ErrSyntax, "")

	closed := cohortNewSampler(t, spec)
	closed.Close()
	cohortWantError(t, "merge a closed one", a.Merge(closed), otaprio.ErrInvalid, "other")
	cohortWantError(t, "observe when closed", closed.Observe(f), otaprio.ErrInvalid, "sampler")
	_, err = closed.Finish()
	cohortWantError(t, "finish when closed", err, otaprio.ErrInvalid, "sampler")
	_, err = closed.MarshalBinary()
	cohortWantError(t, "marshal when closed", err, otaprio.ErrInvalid, "sampler")
}

func TestCohortQueriesRefuseBadArguments(t *testing.T) {
	spec := cohortTestSpec()
	f := cohortTestFleet(2000, 6)
	s := cohortNewSampler(t, spec)
	cohortMust(t, s.Observe(f))
	c, err := s.Finish()
	cohortMust(t, err)
	defer c.Close()
	if c.WaveCount() != 3 {
		t.Fatalf("WaveCount() = %d", c.WaveCount())
	}
	_, err = c.Wave(3)
	cohortWantError(t, "wave 3", err, otaprio.ErrRange, "")
	_, err = c.Wave(-1)
	cohortWantError(t, "wave -1", err, otaprio.ErrRange, "wave")
	_, err = c.Strata(3)
	cohortWantError(t, "strata of wave 3", err, otaprio.ErrRange, "")
	_, err = c.Representativeness(7)
	cohortWantError(t, "report of wave 7", err, otaprio.ErrRange, "")
	n, err := c.ListedCount()
	cohortMust(t, err)
	w, err := c.Wave(2)
	cohortMust(t, err)
	if n != w.Selected || w.Selected != w.Target || w.Target != uint64(math.Floor(0.2*float64(w.Eligible)+0.5)) {
		t.Errorf("listed %d, wave 2 %+v", n, w)
	}
	_, err = c.DeviceRange(n, 1)
	cohortWantError(t, "a device past the last", err, otaprio.ErrRange, "")
	cohortWantError(t, "short waves", c.AssignTo(f, make([]uint8, 10)), otaprio.ErrInvalid, "waves")
	bad := cohortSlice(f, 0, 10)
	bad.Codes = [][]uint32{bad.Codes[0], make([]uint32, 10), {1}}
	_, err = c.Assign(bad)
	cohortWantError(t, "short codes", err, otaprio.ErrInvalid, "codes")

	// Assign agrees with the listing: a device listed in wave k joins k.
	waves, err := c.Assign(f)
	cohortMust(t, err)
	devices, err := c.Devices()
	cohortMust(t, err)
	index := map[uint64]int{}
	for i, k := range f.Keys {
		index[k] = i
	}
	for i, key := range devices.Keys {
		if waves[index[key]] != devices.Waves[i] {
			t.Fatalf("device %#x: assigned %d, listed in %d", key, waves[index[key]], devices.Waves[i])
		}
	}
	held := 0
	for i := range f.Keys {
		if f.FirstWave[i] == 1 && waves[i] == 0 {
			held++
		}
	}
	if held != 0 {
		t.Errorf("%d devices held back to wave 1 joined wave 0", held)
	}

	c.Close()
	c.Close()
	if c.WaveCount() != 0 || c.StratumCount() != 0 {
		t.Error("a closed cohort still answers")
	}
	_, err = c.Representativeness(0)
	cohortWantError(t, "a closed cohort", err, otaprio.ErrInvalid, "cohort")
	_, err = c.Assign(f)
	cohortWantError(t, "assign on a closed cohort", err, otaprio.ErrInvalid, "cohort")
}

// A finished cohort is a snapshot: the sampler observes more and finishes
// again into the cohort of everything seen.
func TestCohortFinishIsASnapshot(t *testing.T) {
	spec := cohortTestSpec()
	f := cohortTestFleet(4000, 8)
	s := cohortNewSampler(t, spec)
	cohortMust(t, s.Observe(cohortSlice(f, 0, 1000)))
	first, err := s.Finish()
	cohortMust(t, err)
	defer first.Close()
	cohortMust(t, s.Observe(cohortSlice(f, 1000, 3000)))
	second, err := s.Finish()
	cohortMust(t, err)
	defer second.Close()
	w1, _ := first.Wave(0)
	w2, _ := second.Wave(0)
	if w1.Fleet != 1000 || w2.Fleet != 4000 {
		t.Errorf("fleets %d and %d, want 1000 and 4000", w1.Fleet, w2.Fleet)
	}
}

// A known answer of test_cohort_report.c: a fleet and no cohort is as far
// as can be, its strata named worst first; the whole fleet as cohort is at
// distance 0.
func TestTallyKnownAnswers(t *testing.T) {
	tally, err := otaprio.NewTally([]uint32{4, 4})
	cohortMust(t, err)
	defer tally.Close()
	// Stratum 5 is codes (1, 1), three devices; stratum 10 is (2, 2), one.
	codes := [][]uint32{{1, 1, 1, 2}, {1, 1, 1, 2}}
	cohortMust(t, tally.Add(4, codes, nil))
	r, err := tally.Representativeness()
	cohortMust(t, err)
	want := otaprio.Representativeness{Fleet: 4, Cohort: 0, Strata: 2, TVD: 1,
		TVDDimension: []float64{1, 1},
		Worst:        []otaprio.UnderCoveredStratum{{Stratum: 5, FleetShare: 0.75}, {Stratum: 10, FleetShare: 0.25}}}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("no cohort: %+v, want %+v", r, want)
	}
	whole, err := otaprio.NewTally([]uint32{4, 4})
	cohortMust(t, err)
	defer whole.Close()
	cohortMust(t, whole.Add(4, codes, []uint8{1, 1, 1, 1}))
	r, err = whole.Representativeness()
	cohortMust(t, err)
	if r.TVD != 0 || len(r.Worst) != 0 || r.StrataCovered != 2 || r.MassCoverage != 1 {
		t.Errorf("the whole fleet: %+v", r)
	}

	// Bad input changes nothing.
	cohortWantError(t, "code 4", tally.Add(1, [][]uint32{{4}, {0}}, nil), otaprio.ErrRange, "")
	cohortWantError(t, "flag 2", tally.Add(1, nil, []uint8{2}), otaprio.ErrRange, "")
	cohortWantError(t, "short column", tally.Add(2, [][]uint32{{1}}, nil), otaprio.ErrInvalid, "codes")
	cohortWantError(t, "three columns", tally.Add(1, [][]uint32{{1}, {1}, {1}}, nil), otaprio.ErrInvalid, "codes")
	cohortWantError(t, "long flags", tally.Add(1, nil, []uint8{0, 0}), otaprio.ErrInvalid, "in_cohort")
	cohortWantError(t, "negative count", tally.Add(-1, nil, nil), otaprio.ErrRange, "count")
	again, err := tally.Representativeness()
	cohortMust(t, err)
	if !reflect.DeepEqual(again, want) {
		t.Errorf("after refused input: %+v", again)
	}
	_, err = otaprio.NewTally([]uint32{4, 0})
	cohortWantError(t, "zero cardinality", err, otaprio.ErrRange, "cardinalities")
	tally.Close()
	tally.Close()
	cohortWantError(t, "closed", tally.Add(1, nil, nil), otaprio.ErrInvalid, "tally")
}

// Finishing refuses two selectable devices with one key, naming the key,
// and a quota past what the sampler kept, naming the stratum
// (test_cohort_properties.c).
func TestCohortFinishRefusals(t *testing.T) {
	spec := otaprio.DefaultCohortSpec()
	spec.Cardinalities = []uint32{3}
	spec.Waves = []float64{0.99}
	f := otaprio.CohortChunk{Keys: make([]uint64, 50), Codes: [][]uint32{make([]uint32, 50)}}
	s := cohortSplitmix(61)
	for i := range f.Keys {
		f.Keys[i], f.Codes[0][i] = s.next(), uint32(s.next()%3)
	}
	f.Keys[7], f.Codes[0][7] = f.Keys[3], f.Codes[0][3]
	sampler := cohortNewSampler(t, spec)
	cohortMust(t, sampler.Observe(f))
	c, err := sampler.Finish()
	cohortWantError(t, "a duplicate key", err, otaprio.ErrDuplicate, "")
	if c != nil || err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%016x", f.Keys[3])) {
		t.Errorf("a duplicate key: %v", err)
	}

	// Neyman with one stratum's deviation far above the others' needs far
	// more of it than a retain fraction of 2% keeps.
	n := 40000
	f = otaprio.CohortChunk{Keys: make([]uint64, n), Codes: [][]uint32{make([]uint32, n)}}
	for i := range f.Keys {
		f.Keys[i], f.Codes[0][i] = s.next(), uint32(s.next()%4)
	}
	spec.Cardinalities = []uint32{4}
	spec.Waves = []float64{0.02}
	spec.Method = otaprio.CohortMethodNeyman
	spec.StratumSD = []float64{1, 1, 1, 1000}
	spec.RetainFraction = 0.02
	sampler = cohortNewSampler(t, spec)
	cohortMust(t, sampler.Observe(f))
	_, err = sampler.Finish()
	cohortWantError(t, "retain fraction exhausted", err, otaprio.ErrLimit, "retain_fraction")
	var e *otaprio.Error
	if errors.As(err, &e) && e.Index != 3 {
		t.Errorf("the exhausted stratum is %d, want 3", e.Index)
	}
	// The default retain fraction allows for the ratio of deviations.
	spec.RetainFraction = 0
	sampler = cohortNewSampler(t, spec)
	cohortMust(t, sampler.Observe(f))
	c, err = sampler.Finish()
	cohortMust(t, err)
	c.Close()
}

// For the hash threshold a device's wave follows from its bucket fraction
// alone (the first wave whose fraction exceeds it), also for devices the
// sampler never saw: Assign agrees with BucketFraction.
func TestCohortHashThresholdAssignsByBucketFraction(t *testing.T) {
	spec := otaprio.DefaultCohortSpec()
	spec.Method = otaprio.CohortMethodHashThreshold
	spec.Salt = otaprio.KeyString("rollout-7")
	spec.Waves = []float64{0.01, 0.1, 0.5}
	sampler := cohortNewSampler(t, spec)
	seenFleet := cohortTestFleet(1000, 9)
	seenFleet.Codes, seenFleet.FirstWave = nil, nil
	cohortMust(t, sampler.Observe(seenFleet))
	c, err := sampler.Finish()
	cohortMust(t, err)
	defer c.Close()
	unseen := cohortTestFleet(5000, 10)
	unseen.Codes, unseen.FirstWave = nil, nil
	waves, err := c.Assign(unseen)
	cohortMust(t, err)
	seen := map[uint8]int{}
	for i, key := range unseen.Keys {
		want := otaprio.CohortNone
		fraction := otaprio.BucketFraction(spec.Salt, key)
		for k := len(spec.Waves) - 1; k >= 0; k-- {
			if fraction < spec.Waves[k] {
				want = uint8(k)
			}
		}
		if waves[i] != want {
			t.Fatalf("device %#x at %v: wave %d, want %d", key, fraction, waves[i], want)
		}
		seen[want]++
	}
	if len(seen) != 4 {
		t.Errorf("waves seen: %v", seen)
	}
}
