// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"flag"
	"sort"
	"sync"
	"testing"

	"otaprio"
)

// The fleet of bench/bench_cohort.c, generated as bench/cohort_gen.c does
// (integer arithmetic only, so the devices are the C bench's to the bit):
// device keys and four strata columns, SKU x OS x region x connection, with
// 15,000 strata of Zipf-like sizes.

var cohortBenchDevices = flag.Int("cohort.devices", 10_000_000,
	"devices of BenchmarkCohortStratified1Percent's fleet (the C bench's default)")

const (
	cohortGenStrata      = 15000
	cohortGenGuideShift  = 15
	cohortGenSaltTweak   = 0x636f686f7274 // "cohort"
	cohortBenchSeed      = 0x6f74617072696f21
	cohortBenchChunkSize = 65536
)

var cohortGenCardinalities = []uint32{120, 24, 40, 4}

// cohortGenSplitmix is draw index of SplitMix64(seed), computed directly.
func cohortGenSplitmix(seed, index uint64) uint64 {
	z := seed + (index+1)*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

type cohortGen struct {
	seed, salt, total uint64
	cumulative        [cohortGenStrata]uint64
	codes             [cohortGenStrata][4]uint32
	guide             []uint16
}

func newCohortGen(seed uint64) *cohortGen {
	exponents := []int{1, 1, 1, 2}
	type combination struct{ weight, id uint64 }
	space := uint64(1)
	for _, c := range cohortGenCardinalities {
		space *= uint64(c)
	}
	all := make([]combination, space)
	for id := uint64(0); id < space; id++ {
		rest, weight := id, uint64(1)
		for d, card := range cohortGenCardinalities {
			power := uint64(1)
			for e := 0; e < exponents[d]; e++ {
				power *= rest%uint64(card) + 1
			}
			weight *= 4096 / power
			rest /= uint64(card)
		}
		all[id] = combination{weight, id}
	}
	// Heaviest first, then by increasing id: a total order.
	sort.Slice(all, func(i, j int) bool {
		if all[i].weight != all[j].weight {
			return all[i].weight > all[j].weight
		}
		return all[i].id < all[j].id
	})
	g := &cohortGen{seed: seed, salt: cohortGenSplitmix(seed^cohortGenSaltTweak, 0)}
	for r := 0; r < cohortGenStrata; r++ {
		g.total += (uint64(1) << 27) / uint64(r+1)
		g.cumulative[r] = g.total
		rest := all[r].id
		for d, card := range cohortGenCardinalities {
			g.codes[r][d] = uint32(rest % uint64(card))
			rest /= uint64(card)
		}
	}
	g.guide = make([]uint16, (1<<31>>cohortGenGuideShift)+1)
	r := 0
	for b := range g.guide {
		lowest := uint64(b) << cohortGenGuideShift
		for r+1 < cohortGenStrata && g.cumulative[r] <= lowest {
			r++
		}
		g.guide[b] = uint16(r)
	}
	return g
}

// fill writes devices first .. first+len(keys)-1.
func (g *cohortGen) fill(first uint64, keys []uint64, codes [][]uint32) {
	for i := range keys {
		device := first + uint64(i)
		keys[i] = cohortGenSplitmix(g.seed, 2*device)
		u := ((cohortGenSplitmix(g.seed, 2*device+1) & 0xffffffff) * g.total) >> 32
		r := int(g.guide[u>>cohortGenGuideShift])
		for g.cumulative[r] <= u {
			r++
		}
		for d := range codes {
			codes[d][i] = g.codes[r][d]
		}
	}
}

var cohortBenchFleet struct {
	once  sync.Once
	gen   *cohortGen
	keys  []uint64
	codes [][]uint32
}

// BenchmarkCohortStratified1Percent is bench_cohort.c's "exact" operation
// through Go: a proportional sampler for a 1% canary wave over the fleet's
// four strata, the fleet observed in chunks of 65,536 devices straight
// from Go slices, finished into the cohort. Set the fleet's size with
// -cohort.devices (10,000,000 by default, as the C bench).
func BenchmarkCohortStratified1Percent(b *testing.B) {
	f := &cohortBenchFleet
	f.once.Do(func() {
		n := *cohortBenchDevices
		f.gen = newCohortGen(cohortBenchSeed)
		f.keys = make([]uint64, n)
		f.codes = make([][]uint32, len(cohortGenCardinalities))
		for d := range f.codes {
			f.codes[d] = make([]uint32, n)
		}
		f.gen.fill(0, f.keys, f.codes)
	})
	n := len(f.keys)
	spec := otaprio.DefaultCohortSpec()
	spec.Salt = f.gen.salt
	spec.Method = otaprio.CohortMethodProportional
	spec.Cardinalities = cohortGenCardinalities
	spec.Waves = []float64{0.01}
	chunk := otaprio.CohortChunk{Codes: make([][]uint32, len(f.codes))}
	b.SetBytes(int64(n) * int64(8+4*len(f.codes))) // a key and four codes a device
	b.ReportAllocs()
	b.ResetTimer()
	var cohort *otaprio.Cohort
	for i := 0; i < b.N; i++ {
		if cohort != nil {
			cohort.Close()
		}
		s, err := otaprio.NewCohortSampler(spec)
		if err != nil {
			b.Fatal(err)
		}
		for first := 0; first < n; first += cohortBenchChunkSize {
			end := min(first+cohortBenchChunkSize, n)
			chunk.Keys = f.keys[first:end]
			for d := range f.codes {
				chunk.Codes[d] = f.codes[d][first:end]
			}
			if err := s.Observe(chunk); err != nil {
				b.Fatal(err)
			}
		}
		cohort, err = s.Finish()
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.StopTimer()
	w, err := cohort.Wave(0)
	if err != nil {
		b.Fatal(err)
	}
	r, err := cohort.Representativeness(0)
	if err != nil {
		b.Fatal(err)
	}
	if w.Fleet != uint64(n) || w.Selected != w.Target {
		b.Fatalf("wave 0: %+v", w)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(max(n, 1)), "ns/device")
	b.ReportMetric(float64(w.Selected), "selected")
	b.ReportMetric(float64(cohort.StratumCount()), "strata")
	b.ReportMetric(r.TVD, "tvd")
	cohort.Close()
}

// The benchmark's fleet is the C bench's: at 200,000 devices the C bench
// (otaprio-bench cohort --n 200000) reports 13,546 strata, 2,000 devices
// selected and a total variation distance of 0.26782.
func TestCohortBenchFleetIsTheCBenchs(t *testing.T) {
	const n = 200000
	g := newCohortGen(cohortBenchSeed)
	keys := make([]uint64, n)
	codes := make([][]uint32, len(cohortGenCardinalities))
	for d := range codes {
		codes[d] = make([]uint32, n)
	}
	g.fill(0, keys, codes)
	spec := otaprio.DefaultCohortSpec()
	spec.Salt = g.salt
	spec.Cardinalities = cohortGenCardinalities
	spec.Waves = []float64{0.01}
	s := cohortNewSampler(t, spec)
	cohortMust(t, s.Observe(otaprio.CohortChunk{Keys: keys, Codes: codes}))
	c, err := s.Finish()
	cohortMust(t, err)
	defer c.Close()
	w, err := c.Wave(0)
	cohortMust(t, err)
	r, err := c.Representativeness(0)
	cohortMust(t, err)
	if c.StratumCount() != 13546 || w.Selected != 2000 || r.TVD < 0.267815 || r.TVD > 0.267825 {
		t.Errorf("%d strata, %d selected, TVD %v", c.StratumCount(), w.Selected, r.TVD)
	}
}
