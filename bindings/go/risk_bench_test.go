// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"flag"
	"testing"
	"unsafe"

	"otaprio"
)

// The fleet of bench/bench_risk.c, generated the same way, so that this
// benchmark and the C one (otaprio-bench risk) measure the same work: run
//
//	go test -run '^$' -bench BenchmarkScoreDevices -risk.devices 10000000
//
// against `otaprio-bench risk --n 10000000`. Benchmarks run only with
// -bench; the tests use the generator on small fleets.
var riskBenchDevices = flag.Int("risk.devices", 1000000,
	"devices in the fleet BenchmarkScoreDevices scores")

// riskBenchSeed is the C bench's default seed (bench/main.c).
const riskBenchSeed = 0x6f74617072696f21

// riskBenchChunk is the C bench's chunk size for the stream.
const riskBenchChunk = 65536

// riskSplitmix64 is draw index of SplitMix64(seed), computed from the
// index directly (bench/splitmix.c).
func riskSplitmix64(seed, index uint64) uint64 {
	z := seed + (index+1)*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// Cumulative shares of the C bench: device classes out of 65536, the
// others out of 256; a field's level is the number of cuts at or below it.
var (
	riskClassCut    = []uint32{3277, 28180, 34734, 39977, 42598, 48497, 53740, 57672, 61604, 63570}
	riskCustomerCut = []uint32{154, 218, 250}
	riskExposureCut = []uint32{26, 179}
	riskUptimeCut   = []uint32{51, 179}
	riskLinkCut     = []uint32{64, 179, 235, 248}
)

// riskMainsClasses are the classes whose battery column reads full.
const riskMainsClasses = 1<<otaprio.DeviceClassKiosk | 1<<otaprio.DeviceClassPOS |
	1<<otaprio.DeviceClassRouter | 1<<otaprio.DeviceClassGateway |
	1<<otaprio.DeviceClassIndustrial

func riskLevel(field uint32, cut []uint32) uint8 {
	var level uint8
	for _, c := range cut {
		if field >= c {
			level++
		}
	}
	return level
}

// riskBenchFleet generates devices 0..n-1 of the C bench's fleet.
func riskBenchFleet(seed uint64, n int) *otaprio.Devices {
	f := &otaprio.Devices{
		DeviceClass: make([]uint8, n), CustomerTier: make([]uint8, n),
		Exposure: make([]uint8, n), Redundant: make([]uint8, n),
		Uptime: make([]uint8, n), SafeFallback: make([]uint8, n),
		Battery: make([]float32, n), Charging: make([]uint8, n),
		Link: make([]uint8, n), Metered: make([]uint8, n),
		FreeBytes: make([]uint64, n), FailedAttempts: make([]uint32, n),
		DaysOffline: make([]uint32, n), Busy: make([]uint8, n),
		Affected: make([]uint8, n), PrerequisiteMissing: make([]uint8, n),
		Excluded: make([]uint8, n),
	}
	flag := func(b uint32, below uint32) uint8 {
		if b < below {
			return 1
		}
		return 0
	}
	for i := 0; i < n; i++ {
		index := 3 * uint64(i)
		d0 := riskSplitmix64(seed, index)
		d1 := riskSplitmix64(seed, index+1)
		d2 := riskSplitmix64(seed, index+2)
		byteOf := func(d uint64, k uint) uint32 { return uint32(d>>(8*k)) & 0xff }

		class := riskLevel(uint32(d0)&0xffff, riskClassCut)
		f.DeviceClass[i] = class
		f.CustomerTier[i] = riskLevel(byteOf(d0, 2), riskCustomerCut)
		f.Exposure[i] = riskLevel(byteOf(d0, 3), riskExposureCut)
		f.Redundant[i] = flag(byteOf(d0, 4), 38)
		f.Uptime[i] = riskLevel(byteOf(d0, 5), riskUptimeCut)
		f.SafeFallback[i] = flag(byteOf(d0, 6), 154)
		f.Charging[i] = flag(byteOf(d0, 7), 77)

		if riskMainsClasses>>class&1 != 0 {
			f.Battery[i] = 1
		} else {
			f.Battery[i] = float32(uint32(d1&0xffffff)) * 0x1p-24
		}
		f.Link[i] = riskLevel(byteOf(d1, 3), riskLinkCut)
		f.Metered[i] = flag(byteOf(d1, 4), 38)
		f.Busy[i] = flag(byteOf(d1, 5), 102)
		f.Affected[i] = flag(byteOf(d1, 6), 218)
		f.PrerequisiteMissing[i] = flag(byteOf(d1, 7), 10)

		f.FreeBytes[i] = (d2 & 0xffffffff) << ((d2 >> 32) & 7)
		if attempts := byteOf(d2, 5); attempts >= 218 {
			f.FailedAttempts[i] = 1 + (attempts-218)>>3
		}
		if days := byteOf(d2, 6); days < 230 {
			f.DaysOffline[i] = days & 3
		} else {
			f.DaysOffline[i] = days - 216
		}
		f.Excluded[i] = flag(byteOf(d2, 7), 3)
	}
	return f
}

// riskBenchIssue is the C bench's fix: an adjacent-network security flaw
// with a public proof of concept, on half the fleet, fixed in the OS layer
// with an A/B slot, in a package of 200 MiB.
func riskBenchIssue() otaprio.Issue {
	issue := otaprio.DefaultIssue()
	issue.Class = otaprio.IssueClassSecurity
	issue.SecurityImpact = otaprio.LevelModerate
	issue.AttackPath = otaprio.AttackPathAdjacent
	issue.Exploit = otaprio.ExploitPoC
	issue.HasEPSS = true
	issue.EPSS = 0.1
	issue.AffectedShare = 0.5
	issue.Concentration = 0.2
	issue.Workflows = otaprio.WorkflowAuth
	issue.AffectedClasses = 1<<otaprio.DeviceClassHandset | 1<<otaprio.DeviceClassRouter |
		1<<otaprio.DeviceClassGateway
	issue.Layer = otaprio.LayerOS
	issue.ABSlot = true
	issue.PackageBytes = 200 << 20
	return issue
}

// BenchmarkScoreDevices scores the C bench's fleet (-risk.devices devices)
// for its fix, once per iteration, writing priority, disposition and
// reasons as the C bench does: in one ScoreDevices call ("columns"), and
// through ScoreStream in chunks of 65536 slices of the same columns
// ("stream", the C bench's own shape). Generating the fleet is not timed.
func BenchmarkScoreDevices(b *testing.B) {
	n := *riskBenchDevices
	model, err := otaprio.NewRiskModel(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer model.Close()
	score, err := model.ScoreIssue(riskBenchIssue())
	if err != nil {
		b.Fatal(err)
	}
	fleet := riskBenchFleet(riskBenchSeed, n)
	results := &otaprio.DeviceResults{
		Priority: make([]float64, n), Disposition: make([]uint8, n),
		Reasons: make([]otaprio.Reason, n), SkipDetail: true,
	}
	// Touched before timing, as the C bench's outputs are: a fresh
	// slice's pages are mapped on first write, which would be timed.
	for i := 0; i < n; i++ {
		results.Priority[i], results.Disposition[i], results.Reasons[i] = -1, 0xff, 0
	}
	report := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/device")
		b.ReportMetric(float64(n), "devices")
	}

	b.Run("columns", func(b *testing.B) {
		b.SetBytes(int64(n) * riskBenchBytesPerDevice)
		for i := 0; i < b.N; i++ {
			if _, err := model.ScoreDevices(score, fleet, results); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})

	b.Run("stream", func(b *testing.B) {
		b.SetBytes(int64(n) * riskBenchBytesPerDevice)
		for i := 0; i < b.N; i++ {
			next := 0
			err := model.ScoreStream(score, nil, func(d *otaprio.Devices, r *otaprio.DeviceResults) error {
				start, end := next, min(next+riskBenchChunk, n)
				next = end
				riskSlice(d, fleet, start, end)
				r.Priority = results.Priority[start:end]
				r.Disposition = results.Disposition[start:end]
				r.Reasons = results.Reasons[start:end]
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			if next != n {
				b.Fatalf("the stream ended at device %d of %d", next, n)
			}
		}
		report(b)
	})
}

// riskBenchBytesPerDevice is the input the library reads per device (13
// flag or enum bytes, a float, a uint64, two uint32), as the C bench
// counts it for its bandwidth figures.
const riskBenchBytesPerDevice = 13 + 4 + 8 + 2*4

// riskSlice points d at devices start..end-1 of fleet, without copying.
func riskSlice(d, fleet *otaprio.Devices, start, end int) {
	*d = otaprio.Devices{
		DeviceClass:         fleet.DeviceClass[start:end],
		CustomerTier:        fleet.CustomerTier[start:end],
		Exposure:            fleet.Exposure[start:end],
		Redundant:           fleet.Redundant[start:end],
		Uptime:              fleet.Uptime[start:end],
		SafeFallback:        fleet.SafeFallback[start:end],
		Battery:             fleet.Battery[start:end],
		Charging:            fleet.Charging[start:end],
		Link:                fleet.Link[start:end],
		Metered:             fleet.Metered[start:end],
		FreeBytes:           fleet.FreeBytes[start:end],
		FailedAttempts:      fleet.FailedAttempts[start:end],
		DaysOffline:         fleet.DaysOffline[start:end],
		Busy:                fleet.Busy[start:end],
		Affected:            fleet.Affected[start:end],
		PrerequisiteMissing: fleet.PrerequisiteMissing[start:end],
		Excluded:            fleet.Excluded[start:end],
	}
}

// The generator mirrors the C bench's: for the first 100000 devices of its
// default seed, the same fix score and the same checksums (XXH3-64, i.e.
// otaprio.Key, of each output array's bytes) as `otaprio-bench risk --n
// 100000` prints.
func TestRiskBenchFleetMirrorsTheCBench(t *testing.T) {
	const n = 100000
	m := riskModel(t, nil)
	score := riskScore(t, m, riskBenchIssue())
	if score.ScoreMilli != 57699 || score.Tier != otaprio.TierT1 {
		t.Fatalf("the bench's fix scores %d (%v), the C bench's 57699 (t1)", score.ScoreMilli, score.Tier)
	}
	r, err := m.ScoreDevices(score, riskBenchFleet(riskBenchSeed, n), &otaprio.DeviceResults{SkipDetail: true})
	if err != nil {
		t.Fatal(err)
	}
	var counts [4]int
	for _, d := range r.Disposition {
		counts[d]++
	}
	if counts != [4]int{34961, 45957, 3235, 15847} {
		t.Errorf("dispositions %v", counts)
	}
	for _, c := range []struct {
		name string
		data []byte
		want uint64
	}{
		{"priority", unsafe.Slice((*byte)(unsafe.Pointer(&r.Priority[0])), 8*n), 0x442d28c04469f7fc},
		{"disposition", r.Disposition, 0x297b1ace3edd44a7},
		{"reasons", unsafe.Slice((*byte)(unsafe.Pointer(&r.Reasons[0])), 4*n), 0x5e123e29c8d23ad3},
	} {
		if got := otaprio.Key(c.data); got != c.want {
			t.Errorf("%s checksum %#x, the C bench's %#x", c.name, got, c.want)
		}
	}
}
