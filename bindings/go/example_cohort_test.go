// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"fmt"

	"otaprio"
)

// exampleFleet is 10,000 devices over two strata dimensions: OS version (3
// codes, the first the most common) and region (4 codes, a quarter each).
func exampleFleet(first, count int) otaprio.CohortChunk {
	chunk := otaprio.CohortChunk{Keys: make([]uint64, count), Codes: [][]uint32{make([]uint32, count), make([]uint32, count)}}
	for i := 0; i < count; i++ {
		device := first + i
		chunk.Keys[i] = otaprio.KeyString(fmt.Sprintf("serial-%06d", device))
		chunk.Codes[0][i] = []uint32{0, 0, 0, 1, 1, 2}[device%6]
		chunk.Codes[1][i] = uint32(device / 2500) // the table is sorted by region
	}
	return chunk
}

func exampleSpec() otaprio.CohortSpec {
	spec := otaprio.DefaultCohortSpec()
	spec.Salt = otaprio.KeyString("fix-2026-11")
	spec.Cardinalities = []uint32{3, 4} // OS version, region
	spec.Waves = []float64{0.01, 0.1, 1}
	return spec
}

// A rollout's waves from a fleet streamed in chunks: exact wave sizes,
// shared out over the strata, and how representative each canary wave is.
func ExampleNewCohortSampler() {
	sampler, err := otaprio.NewCohortSampler(exampleSpec())
	if err != nil {
		panic(err)
	}
	defer sampler.Close()
	for first := 0; first < 10000; first += 2500 {
		if err := sampler.Observe(exampleFleet(first, 2500)); err != nil {
			panic(err)
		}
	}
	cohort, err := sampler.Finish()
	if err != nil {
		panic(err)
	}
	defer cohort.Close()
	waves, _ := cohort.Waves()
	for k, w := range waves {
		r, _ := cohort.Representativeness(k)
		fmt.Printf("wave %d: %5d devices, %2d of %d strata, TVD %.4f, listed %v\n",
			k, w.Selected, w.StrataCovered, w.Strata, r.TVD, w.Listed)
	}
	// Output:
	// wave 0:   100 devices, 12 of 12 strata, TVD 0.0199, listed true
	// wave 1:  1000 devices, 12 of 12 strata, TVD 0.0015, listed true
	// wave 2: 10000 devices, 12 of 12 strata, TVD 0.0000, listed false
}

// Each device asks which wave it is in: the same answer on every machine.
func ExampleCohort_Assign() {
	sampler, _ := otaprio.NewCohortSampler(exampleSpec())
	defer sampler.Close()
	fleet := exampleFleet(0, 10000)
	sampler.Observe(fleet)
	cohort, _ := sampler.Finish()
	defer cohort.Close()
	waves, _ := cohort.Assign(fleet)
	count := map[uint8]int{}
	for _, w := range waves {
		count[w]++
	}
	fmt.Println(count[0], count[1], count[2])
	devices, _ := cohort.Devices()
	fmt.Println(len(devices.Keys), devices.Waves[0], devices.Waves[len(devices.Waves)-1])
	// Output:
	// 100 900 9000
	// 1000 0 1
}

// Shards of a fleet, streamed on different machines, saved as bytes and
// merged: exactly the state of one pass.
func ExampleCohortSampler_MarshalBinary() {
	spec := exampleSpec()
	east, _ := otaprio.NewCohortSampler(spec)
	defer east.Close()
	east.Observe(exampleFleet(0, 4000))
	state, err := east.MarshalBinary()
	if err != nil {
		panic(err)
	}

	west, _ := otaprio.NewCohortSampler(spec)
	defer west.Close()
	west.Observe(exampleFleet(4000, 6000))
	if err := west.MergeBinary(state); err != nil {
		panic(err)
	}
	cohort, _ := west.Finish()
	defer cohort.Close()
	w, _ := cohort.Wave(1)
	fmt.Println(w.Fleet, w.Selected)

	state[len(state)/2] ^= 1
	err = west.MergeBinary(state)
	fmt.Println(errors.Is(err, otaprio.ErrSyntax))
	// Output:
	// 10000 1000
	// true
}

// A cohort chosen by other means (here: the first 100 serial numbers) is
// scored the same way: the fleet table is sorted by region, so the first
// serial numbers all come from one region and miss three strata in four.
func ExampleNewTally() {
	tally, err := otaprio.NewTally([]uint32{3, 4})
	if err != nil {
		panic(err)
	}
	defer tally.Close()
	fleet := exampleFleet(0, 10000)
	inCohort := make([]uint8, 10000)
	for i := 0; i < 100; i++ {
		inCohort[i] = 1
	}
	tally.Add(len(fleet.Keys), fleet.Codes, inCohort)
	r, _ := tally.Representativeness()
	fmt.Printf("%d of %d strata covered, TVD %.2f, worst stratum %d\n",
		r.StrataCovered, r.Strata, r.TVD, r.Worst[0].Stratum)
	// Output:
	// 3 of 12 strata covered, TVD 0.75, worst stratum 9
}

// firstSeen is a researcher's algorithm: the first n devices seen.
type firstSeen struct{ n int }

type firstSeenState struct {
	n      int
	keys   []uint64
	strata []uint64
}

func (a firstSeen) Init(spec otaprio.CohortSpec) (otaprio.CohortAlgorithmState, error) {
	return &firstSeenState{n: a.n}, nil
}

func (s *firstSeenState) Observe(chunk otaprio.CohortChunk) error {
	for i := 0; i < chunk.Len() && len(s.keys) < s.n; i++ {
		s.keys = append(s.keys, chunk.Keys[i])
		s.strata = append(s.strata, uint64(chunk.Codes[0][i]+3*chunk.Codes[1][i]))
	}
	return nil
}

func (s *firstSeenState) Merge(other otaprio.CohortAlgorithmState) error {
	o := other.(*firstSeenState)
	for i := range o.keys {
		if len(s.keys) < s.n {
			s.keys = append(s.keys, o.keys[i])
			s.strata = append(s.strata, o.strata[i])
		}
	}
	return nil
}

func (s *firstSeenState) Finish(emit func(key, stratum uint64, wave uint32) error) error {
	for i := range s.keys {
		if err := emit(s.keys[i], s.strata[i], 0); err != nil {
			return err
		}
	}
	return nil
}

// A Go algorithm compared with a built-in method on the same fleet.
func ExampleEvaluateCohort() {
	spec := exampleSpec()
	spec.Waves = []float64{0.01}
	source := func() otaprio.CohortSource {
		next := 0
		return func() (otaprio.CohortChunk, error) {
			if next == 10000 {
				return otaprio.CohortChunk{}, nil // the end of the fleet
			}
			next += 1000
			return exampleFleet(next-1000, 1000), nil
		}
	}
	builtin, _ := otaprio.BuiltinCohortAlgorithm(otaprio.CohortMethodProportional)
	for _, a := range []*otaprio.CohortAlgorithm{builtin, otaprio.NewCohortAlgorithm("first_seen", firstSeen{100})} {
		reports, err := otaprio.EvaluateCohort(a, spec, 2, source())
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-12s %d devices, TVD %.3f\n", a.Name(), reports[0].Cohort, reports[0].TVD)
	}
	// Output:
	// proportional 100 devices, TVD 0.020
	// first_seen   100 devices, TVD 0.750
}
