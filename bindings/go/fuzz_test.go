// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"otaprio"
)

// Fuzz targets for the binding's promise on bad input: an *Error, never a
// panic from inside the binding or a crash in C. Their seeds run with
// every go test; go test -fuzz FuzzX mutates them further.

// fuzzBytes hands out a fuzzer's input piece by piece, zeros once spent.
type fuzzBytes struct{ data []byte }

func (b *fuzzBytes) byte() byte {
	if len(b.data) == 0 {
		return 0
	}
	v := b.data[0]
	b.data = b.data[1:]
	return v
}

func (b *fuzzBytes) u32() uint32 {
	var v [4]byte
	for i := range v {
		v[i] = b.byte()
	}
	return binary.LittleEndian.Uint32(v[:])
}

func (b *fuzzBytes) u64() uint64 { return uint64(b.u32())<<32 | uint64(b.u32()) }

func (b *fuzzBytes) f32() float32 { return math.Float32frombits(b.u32()) }

func (b *fuzzBytes) f64() float64 { return math.Float64frombits(b.u64()) }

// length is a small length, now and then one off the chunk's n, so that
// mismatched columns come up often.
func (b *fuzzBytes) length(n int) int {
	switch b.byte() % 8 {
	case 0:
		return 0
	case 1:
		return n + 1
	case 2:
		if n > 0 {
			return n - 1
		}
	}
	return n
}

func (b *fuzzBytes) bytes(n int) []uint8 {
	out := make([]uint8, b.length(n))
	for i := range out {
		out[i] = b.byte() % 16
	}
	return out
}

func (b *fuzzBytes) u32s(n int) []uint32 {
	out := make([]uint32, b.length(n))
	for i := range out {
		out[i] = b.u32() % 64
	}
	return out
}

// fuzzError fails unless err is nil or an *Error with a known status.
func fuzzError(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *otaprio.Error
	if !errors.As(err, &e) || e.Status >= 0 || e.Status < otaprio.StatusLimit {
		t.Fatalf("%s: %v is not a library error", what, err)
	}
}

func FuzzScoreDevices(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Add([]byte{3, 0, 0, 0, 0x7f, 0xc0, 0, 0, 1, 2, 3})
	model, err := otaprio.NewRiskModel(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzBytes{data}
		n := int(in.byte() % 32)
		d := &otaprio.Devices{
			DeviceClass: in.bytes(n), CustomerTier: in.bytes(n),
			Exposure: in.bytes(n), Link: in.bytes(n), Metered: in.bytes(n),
			Busy: in.bytes(n), FailedAttempts: in.u32s(n),
		}
		battery := make([]float32, in.length(n))
		for i := range battery {
			battery[i] = in.f32()
		}
		d.Battery = battery
		if in.byte()%4 == 0 {
			d.Count = int(in.byte()%40) - 4
		}
		issue := otaprio.NewIssueScore(otaprio.Tier(in.byte()%6), int64(in.u32()%120000), in.u64())
		results := &otaprio.DeviceResults{SkipDetail: in.byte()%2 == 0}
		if in.byte()%3 == 0 {
			results.Priority = make([]float64, in.length(n))
		}
		_, err := model.ScoreDevices(issue, d, results)
		fuzzError(t, "ScoreDevices", err)
		if index := int(in.byte()) - 2; err == nil {
			_, err = model.ExplainDevice(issue, d, index)
			fuzzError(t, "ExplainDevice", err)
		}
	})
}

func FuzzCohortSampler(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{2, 3, 4, 1, 10, 20, 30, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{1, 0, 9, 200, 0, 1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzBytes{data}
		spec := otaprio.DefaultCohortSpec()
		spec.Method = otaprio.CohortMethod(in.byte() % 5)
		spec.Salt = in.u64()
		dims := int(in.byte() % 4)
		for d := 0; d < dims; d++ {
			spec.Cardinalities = append(spec.Cardinalities, uint32(in.byte()%6))
		}
		for w := int(in.byte()%4) + 1; w > 0; w-- {
			spec.Waves = append(spec.Waves, float64(in.byte())/200)
		}
		if spec.Method == otaprio.CohortMethodNeyman {
			spec.StratumSD = []float64{in.f64(), 1, 2}
		}
		sampler, err := otaprio.NewCohortSampler(spec)
		fuzzError(t, "NewCohortSampler", err)
		if err != nil {
			return
		}
		defer sampler.Close()
		n := int(in.byte() % 24)
		chunk := otaprio.CohortChunk{Keys: make([]uint64, n)}
		for i := range chunk.Keys {
			chunk.Keys[i] = uint64(in.byte()) // duplicates now and then
		}
		for d := int(in.byte() % 5); d > 0; d-- {
			chunk.Codes = append(chunk.Codes, in.u32s(n))
		}
		chunk.Critical, chunk.Metered = in.bytes(n), in.bytes(n)
		chunk.FirstWave = in.bytes(n)
		fuzzError(t, "Observe", sampler.Observe(chunk))
		state, err := sampler.MarshalBinary()
		fuzzError(t, "MarshalBinary", err)
		if err == nil && len(state) > 0 {
			state[int(in.byte())%len(state)] ^= in.byte()
			again, err := otaprio.RestoreCohortSampler(spec, state)
			fuzzError(t, "RestoreCohortSampler", err)
			if err == nil {
				again.Close()
			}
		}
		cohort, err := sampler.Finish()
		fuzzError(t, "Finish", err)
		if err == nil {
			_, err = cohort.Assign(chunk)
			fuzzError(t, "Assign", err)
			_, err = cohort.Representativeness(int(in.byte()%6) - 1)
			fuzzError(t, "Representativeness", err)
			cohort.Close()
		}
	})
}

func FuzzGuardEvaluate(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 3, 10, 100, 20, 100, 7, 9})
	f.Add([]byte{2, 1, 1, 0, 2, 5, 5, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := &fuzzBytes{data}
		var rules []otaprio.GuardRule
		for r := int(in.byte()%3) + 1; r > 0; r-- {
			rule := otaprio.DefaultGuardRule(string(rune('a' + r)))
			rule.Kind = otaprio.GuardKind(in.byte() % 3)
			rule.Severity = otaprio.GuardSeverity(in.byte() % 4)
			rule.Margin = float64(in.byte()) / 50
			rule.WindowHours = float64(in.byte() % 3)
			rules = append(rules, rule)
		}
		set, err := otaprio.NewGuardSet(nil, rules)
		fuzzError(t, "NewGuardSet", err)
		if err != nil {
			return
		}
		defer set.Close()
		var data2 []otaprio.GuardData
		for e := int(in.byte() % 3); e > 0; e-- {
			n := int(in.byte() % 5)
			g := otaprio.GuardData{Rule: int(in.byte()%4) - 1, WindowEndHours: float64(in.byte())}
			for _, col := range []*[]uint64{&g.CanaryEvents, &g.BaselineEvents, &g.CanaryTrials, &g.BaselineTrials} {
				*col = make([]uint64, in.length(n))
				for i := range *col {
					(*col)[i] = uint64(in.u32() % 1000)
				}
			}
			for _, col := range []*[]float64{&g.CanaryExposure, &g.BaselineExposure} {
				*col = make([]float64, in.length(n))
				for i := range *col {
					(*col)[i] = in.f64()
				}
			}
			if in.byte()%4 == 0 {
				g.Samples = func(row int, group otaprio.GuardGroup) ([]float64, error) {
					return []float64{in.f64(), in.f64(), float64(row)}, nil
				}
			}
			data2 = append(data2, g)
		}
		report, err := set.Evaluate(data2)
		fuzzError(t, "Evaluate", err)
		if err == nil {
			report.Close()
		}
	})
}
