// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"testing"

	"otaprio"
)

// The C planner tests' fixture (tests/unit/plan_fixture.h), mirrored: a
// synthetic fleet generated device by device from its index (so any
// chunking gives the same devices) and a small firmware catalog.
//
// Catalog: components bootloader (versions 1, 2, 3) and os (11, 12, 13).
// Package 0, bootloader-2, provides bootloader 2 (10 bytes); package 1,
// os-13, requires bootloader >= 2 and provides os 13 (300 bytes). The
// flaw is os < 13; devices on bootloader 1 are blocked, bootloader-2 is
// their path.
const (
	planPxBootloader  = 0
	planPxOS          = 1
	planPxBootloader2 = 0
	planPxOS13        = 1
	planPxRegions     = 4
	planPxSKUs        = 3
	planPxClusters    = 24
	planFleetSize     = 20000
	planChunkSize     = 4096
	planFleetSeed     = 7
	planSalt          = 0x5EED
	planNoPass        = otaprio.PlanPass(-1)
	planSplitmixGamma = 0x9E3779B97F4A7C15
)

func planSplitmixNext(state *uint64) uint64 {
	*state += planSplitmixGamma
	z := *state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

type planDevice struct {
	key                                  uint64
	region, sku, cluster, bootloader, os uint32
	ring, deviceClass, charging, metered uint8
	battery                              float32
}

var planClasses = [10]otaprio.DeviceClass{
	otaprio.DeviceClassHandset, otaprio.DeviceClassHandset, otaprio.DeviceClassHandset,
	otaprio.DeviceClassHandset, otaprio.DeviceClassWearable, otaprio.DeviceClassKiosk,
	otaprio.DeviceClassRouter, otaprio.DeviceClassPOS, otaprio.DeviceClassCamera,
	otaprio.DeviceClassMedical,
}

func planFlag(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// planDeviceAt is plan_fixture_device_at.
func planDeviceAt(seed, index uint64) planDevice {
	state := seed ^ (index * 0xD1B54A32D192ED03)
	var d planDevice
	d.key = planSplitmixNext(&state)
	r := planSplitmixNext(&state)
	d.region = uint32(r % planPxRegions)
	d.sku = uint32(r>>8) % planPxSKUs
	d.cluster = uint32(r>>16) % planPxClusters
	ring := uint32(r>>24) % 200
	switch {
	case ring == 0:
		d.ring = 0
	case ring <= 4:
		d.ring = 1
	default:
		d.ring = 2
	}
	d.deviceClass = uint8(planClasses[(r>>32)%10])
	if (r>>40)%10 == 0 {
		d.bootloader = 0
	} else {
		d.bootloader = 1 + uint32((r>>44)%2)
	}
	switch os := uint32((r >> 48) % 10); {
	case os < 4:
		d.os = 0
	case os < 8:
		d.os = 1
	default:
		d.os = 2
	}
	d.battery = float32((r>>56)%101) / float32(100)
	d.charging = planFlag((r>>52)%3 == 0)
	d.metered = planFlag((r>>54)%7 == 0)
	return d
}

// planFleet is plan_fixture: the fleet, its chunk buffers (reused from
// chunk to chunk, as the contract allows) and faults to inject.
type planFleet struct {
	seed, devices uint64
	chunk         int
	withCatalog   bool
	// Outputs of the assign pass for the whole fleet, when wanted.
	wantOutputs bool
	wave        []uint8
	disposition []uint8
	reasons     []uint32
	priority    []float64
	// Faults: a pass to fail with an error or a panic, a pass whose
	// fleet loses its last device, a chunk column to cut short.
	failPass, panicPass, shrinkPass otaprio.PlanPass
	failErr                         error
	panicValue                      any
	shortRing                       bool
	calls                           int
	// Buffers.
	keys                           []uint64
	region, sku, cluster, boot, os []uint32
	ring, class, charging, metered []uint8
	battery                        []float32
}

func newPlanFleet(devices uint64, chunk int, withCatalog bool) *planFleet {
	return &planFleet{seed: planFleetSeed, devices: devices, chunk: chunk, withCatalog: withCatalog,
		failPass: planNoPass, panicPass: planNoPass, shrinkPass: planNoPass}
}

// source is plan_fixture_source: a PlanSource over the fleet.
func (f *planFleet) source(pass otaprio.PlanPass, first uint64, chunk *otaprio.PlanChunk) error {
	f.calls++
	if pass == f.failPass {
		return f.failErr
	}
	if pass == f.panicPass {
		panic(f.panicValue)
	}
	end := f.devices
	if pass == f.shrinkPass && end > 0 {
		end--
	}
	if first >= end {
		return nil
	}
	n := f.chunk
	if end-first < uint64(n) {
		n = int(end - first)
	}
	if len(f.keys) < n {
		f.keys = make([]uint64, n)
		for _, col := range []*[]uint32{&f.region, &f.sku, &f.cluster, &f.boot, &f.os} {
			*col = make([]uint32, n)
		}
		for _, col := range []*[]uint8{&f.ring, &f.class, &f.charging, &f.metered} {
			*col = make([]uint8, n)
		}
		f.battery = make([]float32, n)
	}
	for i := 0; i < n; i++ {
		d := planDeviceAt(f.seed, first+uint64(i))
		f.keys[i], f.region[i], f.sku[i], f.cluster[i] = d.key, d.region, d.sku, d.cluster
		f.boot[i], f.os[i], f.ring[i], f.class[i] = d.bootloader, d.os, d.ring, d.deviceClass
		f.charging[i], f.metered[i], f.battery[i] = d.charging, d.metered, d.battery
	}
	chunk.Keys = f.keys[:n]
	chunk.Codes = [][]uint32{f.region[:n], f.sku[:n]}
	chunk.Cluster = f.cluster[:n]
	chunk.Ring = f.ring[:n]
	if f.shortRing {
		chunk.Ring = f.ring[:n-1]
	}
	chunk.Devices = &otaprio.Devices{DeviceClass: f.class[:n], Battery: f.battery[:n],
		Charging: f.charging[:n], Metered: f.metered[:n]}
	if f.withCatalog {
		chunk.State = &otaprio.DeviceState{Versions: [][]uint32{f.boot[:n], f.os[:n]},
			Battery: f.battery[:n], Charging: f.charging[:n], Metered: f.metered[:n]}
	}
	if pass == otaprio.PlanPassAssign && f.wantOutputs {
		if f.wave == nil {
			f.wave = make([]uint8, f.devices)
			f.disposition = make([]uint8, f.devices)
			f.reasons = make([]uint32, f.devices)
			f.priority = make([]float64, f.devices)
		}
		end := first + uint64(n)
		chunk.Wave, chunk.Disposition = f.wave[first:end], f.disposition[first:end]
		chunk.Reasons, chunk.Priority = f.reasons[first:end], f.priority[first:end]
	}
	return nil
}

// planFixtureCatalog is plan_fixture_catalog.
func planFixtureCatalog(t testing.TB) *otaprio.Catalog {
	t.Helper()
	b, err := otaprio.NewCatalogBuilder()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	must := func(err error) {
		if err != nil {
			t.Helper()
			t.Fatal(err)
		}
	}
	for component, versions := range [][]string{{"1", "2", "3"}, {"11", "12", "13"}} {
		id, err := b.AddComponent([]string{"bootloader", "os"}[component])
		must(err)
		for _, v := range versions {
			_, err := b.AddVersion(id, v)
			must(err)
		}
	}
	loader := otaprio.DefaultPackage()
	loader.Name, loader.DownloadBytes = "bootloader-2", 10
	id, err := b.AddPackage(loader)
	must(err)
	must(b.AddRelation(id, otaprio.RelationProvides, planPxBootloader, "2"))
	os := otaprio.DefaultPackage()
	os.Name, os.DownloadBytes = "os-13", 300
	id, err = b.AddPackage(os)
	must(err)
	must(b.AddRelation(id, otaprio.RelationRequires, planPxBootloader, ">= 2"))
	must(b.AddRelation(id, otaprio.RelationProvides, planPxOS, "13"))
	c, err := b.Build()
	must(err)
	t.Cleanup(func() { c.Close() })
	return c
}

// planRule is a guardrail rule at the library's defaults but for the
// fields the plan tests set; a window of 0 keeps the default.
func planRule(name string, kind otaprio.GuardKind, severity otaprio.GuardSeverity,
	margin, windowHours float64) otaprio.GuardRule {
	r := otaprio.DefaultGuardRule(name)
	r.Kind, r.Severity, r.Margin = kind, severity, margin
	if windowHours != 0 {
		r.WindowHours = windowHours
	}
	return r
}

// planScenario is the C tests' scenario: a fix of a class on a share of
// the fleet, moderate uptime loss, two guardrails, the fleet's catalog
// (tracing os < 13) when asked.
type planScenario struct {
	fleet   *planFleet
	issue   otaprio.Issue
	request otaprio.PlanRequest
}

func newPlanScenario(t testing.TB, withCatalog bool, class otaprio.IssueClass, share float64) *planScenario {
	s := &planScenario{fleet: newPlanFleet(planFleetSize, planChunkSize, withCatalog)}
	s.issue = otaprio.DefaultIssue()
	s.issue.Class, s.issue.UptimeLoss, s.issue.AffectedShare = class, otaprio.LevelModerate, share
	r := otaprio.DefaultPlanRequest()
	r.Source = s.fleet.source
	r.Package = planPxOS13
	if withCatalog {
		r.Catalog = planFixtureCatalog(t)
		r.TraceFlaw, r.FlawComponent, r.FlawConstraint = true, planPxOS, "< 13"
	}
	r.Salt = planSalt
	r.Cardinalities = []uint32{planPxRegions, planPxSKUs}
	r.Rules = []otaprio.GuardRule{
		planRule("boot failures", otaprio.GuardKindProportion, otaprio.GuardSeverityCritical, 0.1, 0),
		planRule("crashes per device-hour", otaprio.GuardKindRate, otaprio.GuardSeverityStandard, 0.2, 6),
	}
	s.request = r
	return s
}

func (s *planScenario) exploitedRemoteFlaw() {
	s.issue.Class = otaprio.IssueClassSecurity
	s.issue.SecurityImpact = otaprio.LevelHigh
	s.issue.AttackPath = otaprio.AttackPathRemote
	s.issue.Exploit = otaprio.ExploitActive
	s.issue.Automatable = true
	s.issue.Layer = otaprio.LayerOS
	s.issue.ABSlot = true
}

// run plans the scenario; the plan is closed at the test's end.
func (s *planScenario) run(t testing.TB) *otaprio.Plan {
	t.Helper()
	r := s.request
	issue := s.issue
	r.Issue = &issue
	p, err := otaprio.NewPlan(r)
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func planHasWarning(p *otaprio.Plan, code otaprio.PlanWarningCode) bool {
	for _, w := range p.Warnings() {
		if w.Code == code {
			return true
		}
	}
	return false
}

func planFirstStage(p *otaprio.Plan, stage otaprio.PlanStage) int {
	for i, w := range p.Waves() {
		if w.Stage == stage {
			return i
		}
	}
	return -1
}
