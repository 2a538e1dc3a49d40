// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"

	"otaprio"
)

// ---- the fixture of tests/unit/catalog_fixture.h ------------------------

const (
	fxBootloader, fxModem, fxOS, fxApp = 0, 1, 2, 3
)

const (
	fxBootloader3 = iota
	fxBootloader4
	fxModem2
	fxModem3Full
	fxModem3
	fxOS14
	fxOS15
	fxApp2
	fxLegacyApp
	fxPackages
)

const none = otaprio.VersionNone

type fxRelation struct {
	kind      otaprio.Relation
	component uint32
	text      string
}

// fixtureCatalog builds the phone firmware catalog of the C tests.
func fixtureCatalog(t testing.TB) *otaprio.Catalog {
	t.Helper()
	b, err := otaprio.NewCatalogBuilder()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	versions := [][]string{{"2", "3", "4"}, {"1.0", "2.0", "3.0"}, {"13", "14", "15"}, {"1.0", "2.0"}}
	for c, name := range []string{"bootloader", "modem", "os", "app"} {
		id, err := b.AddComponent(name)
		if err != nil || id != uint32(c) {
			t.Fatalf("component %s: %d, %v", name, id, err)
		}
		for v, text := range versions[c] {
			if id, err := b.AddVersion(uint32(c), text); err != nil || id != uint32(v) {
				t.Fatalf("version %s: %d, %v", text, id, err)
			}
		}
	}
	R, P, C := otaprio.RelationRequires, otaprio.RelationProvides, otaprio.RelationConflicts
	pkg := func(name string, download, install uint64) otaprio.Package {
		p := otaprio.DefaultPackage()
		p.Name, p.DownloadBytes, p.InstallBytes = name, download, install
		return p
	}
	boot3 := pkg("bootloader-3", 10, 100)
	boot3.MinBattery = 0.5
	modem2 := pkg("modem-2", 50, 0)
	modem2.Carriers = []uint32{7, 8}
	full := pkg("modem-3-full", 500, 0)
	full.Carriers = []uint32{8, 7}
	modem3 := pkg("modem-3", 40, 0)
	modem3.Carriers = []uint32{7, 8}
	os14 := pkg("os-14", 300, 1000)
	os14.Regions = []uint32{1, 2}
	app2 := pkg("app-2", 20, 0)
	app2.AllowMetered = false
	app2.DeniedRegions = []uint32{9}
	app2.Enrollments = []uint32{1}
	packages := []struct {
		p         otaprio.Package
		relations []fxRelation
	}{
		{boot3, []fxRelation{{P, fxBootloader, "3"}}},
		{pkg("bootloader-4", 12, 0), []fxRelation{{R, fxBootloader, ">= 3"}, {P, fxBootloader, "4"}}},
		{modem2, []fxRelation{{R, fxBootloader, ">=3"}, {P, fxModem, "2.0"}}},
		{full, []fxRelation{{P, fxModem, "3"}}},
		{modem3, []fxRelation{{R, fxModem, ">= 2.0"}, {P, fxModem, "3.0.0"}}},
		{os14, []fxRelation{{R, fxBootloader, ">= v3"}, {P, fxOS, "14"}}},
		{pkg("os-15", 200, 0), []fxRelation{{R, fxOS, ">= 14"}, {P, fxOS, "15"}}},
		{app2, []fxRelation{{R, fxOS, ">= 14"}, {C, fxModem, "< 2.0"}, {R, fxModem, ">= 3.0"}, {P, fxApp, "2.0"}}},
		{pkg("legacy-app", 5, 0), []fxRelation{{C, fxOS, ">= 15"}, {P, fxApp, "1.0"}}},
	}
	for i, p := range packages {
		id, err := b.AddPackage(p.p)
		if err != nil || id != uint32(i) {
			t.Fatalf("package %s: %d, %v", p.p.Name, id, err)
		}
		for _, r := range p.relations {
			if err := b.AddRelation(id, r.kind, r.component, r.text); err != nil {
				t.Fatal(err)
			}
		}
	}
	c, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fixtureFleet is the fixture's six devices:
//
//	    bootloader modem os  app  carrier region enroll battery chg free
//	d0  2          1.0   13  1.0  7       1      1      0.9     0   1e6
//	d1  3          2.0   14  -    8       2      1      0.3     0   500
//	d2  4          3.0   15  2.0  9       9      0      0.2     1   1e9
//	d3  -          -     -   -    7       3      1      1.0     0   0
//	d4  3          3.0   14  1.0  7       1      1      0.5     0   5000
//	d5  3          2.0   14  1.0  7       1      1      0.9     0   1e6
func fixtureFleet() *otaprio.DeviceState {
	return &otaprio.DeviceState{
		Versions: [][]uint32{
			{0, 1, 2, none, 1, 1},
			{0, 1, 2, none, 2, 1},
			{0, 1, 2, none, 1, 1},
			{0, none, 1, none, 0, 0},
		},
		Carrier:    []uint32{7, 8, 9, 7, 7, 7},
		Region:     []uint32{1, 2, 9, 3, 1, 1},
		Enrollment: []uint32{1, 1, 0, 1, 1, 1},
		Battery:    []float32{0.9, 0.3, 0.2, 1.0, 0.5, 0.9},
		Charging:   []uint8{0, 0, 1, 0, 0, 0},
		FreeBytes:  []uint64{1000000, 500, 1000000000, 0, 5000, 1000000},
		Metered:    []uint8{0, 1, 0, 0, 0, 0},
	}
}

func TestCatalogCountsAndLookups(t *testing.T) {
	c := fixtureCatalog(t)
	defer c.Close()
	info, err := c.Info()
	want := otaprio.CatalogInfo{Components: 4, Packages: 9, Versions: 11, Relations: 18}
	if err != nil || info != want {
		t.Errorf("Info = %+v, %v; want %+v", info, err, want)
	}
	if id, err := c.ComponentID("os"); err != nil || id != fxOS {
		t.Errorf("ComponentID(os) = %d, %v", id, err)
	}
	if id, err := c.PackageID("modem-3-full"); err != nil || id != fxModem3Full {
		t.Errorf("PackageID = %d, %v", id, err)
	}
	for _, v := range []struct {
		component uint32
		text      string
		id        uint32
	}{{fxModem, "3", 2}, {fxModem, "v3.0.0", 2}, {fxModem, "03.00", 2}, {fxBootloader, "2.0", 0},
		{fxOS, "V15", 2}, {fxApp, "1", 0}, {fxBootloader, "4.0.0", 2}} {
		if id, err := c.VersionID(v.component, v.text); err != nil || id != v.id {
			t.Errorf("VersionID(%d, %q) = %d, %v; want %d", v.component, v.text, id, err, v.id)
		}
	}
	for _, err := range []error{
		second(c.VersionID(fxModem, "4.0")), second(c.VersionID(fxModem, "3.0-rc1")),
		second(c.PackageID("modem-4")), second(c.ComponentID("OS")),
	} {
		if !errors.Is(err, otaprio.ErrNotFound) {
			t.Errorf("lookup: %v, want ErrNotFound", err)
		}
	}
	var e *otaprio.Error
	if err := second(c.PackageID("modem-4")); !errors.As(err, &e) || e.Field != "name" {
		t.Errorf("PackageID error names %q", e.Field)
	}
	if _, err := c.VersionID(fxModem, "1..2"); !errors.Is(err, otaprio.ErrSyntax) {
		t.Errorf("bad version text: %v", err)
	}
	if _, err := c.VersionID(9, "1"); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("unknown component: %v", err)
	}
	for _, n := range []struct {
		got  func() (string, error)
		want string
	}{
		{func() (string, error) { return c.PackageName(fxApp2) }, "app-2"},
		{func() (string, error) { return c.Name(otaprio.NameKindComponent, 77, fxModem) }, "modem"},
		{func() (string, error) { return c.ComponentName(fxModem) }, "modem"},
		{func() (string, error) { return c.VersionText(fxModem, 2) }, "3.0"},
	} {
		if got, err := n.got(); err != nil || got != n.want {
			t.Errorf("name %q, %v; want %q", got, err, n.want)
		}
	}
	if _, err := c.Name(otaprio.NameKind(9), 0, 0); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("unknown name kind: %v", err)
	}
	if _, err := c.PackageName(fxPackages); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("unknown package: %v", err)
	}
}

func TestCatalogGraphAndReleaseOrder(t *testing.T) {
	c := fixtureCatalog(t)
	defer c.Close()
	g := c.Graph()
	successors := [][]uint32{
		{fxBootloader4, fxModem2, fxOS14}, {}, {fxModem3}, {fxApp2}, {fxApp2},
		{fxOS15, fxApp2}, {}, {}, {},
	}
	if g.NodeCount() != fxPackages || g.EdgeCount() != 8 {
		t.Errorf("package graph of %d nodes, %d edges", g.NodeCount(), g.EdgeCount())
	}
	for p, want := range successors {
		if got, err := g.Neighbours(uint32(p), otaprio.DirectionForward); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("package %d: successors %v, %v; want %v", p, got, err, want)
		}
	}
	// Kahn's FIFO order: sources 0, 3, 8 first.
	if order, err := c.ReleaseOrder(); err != nil || !reflect.DeepEqual(order, []uint32{0, 3, 8, 1, 2, 5, 4, 6, 7}) {
		t.Errorf("ReleaseOrder = %v, %v", order, err)
	}
	if chain, err := c.ChainComponents(fxApp2); err != nil || !reflect.DeepEqual(chain, []uint32{0, 1, 2, 3}) {
		t.Errorf("ChainComponents(app-2) = %v, %v", chain, err)
	}
	if chain, err := c.ChainComponents(fxOS15); err != nil || !reflect.DeepEqual(chain, []uint32{fxBootloader, fxOS}) {
		t.Errorf("ChainComponents(os-15) = %v, %v", chain, err)
	}
	if chain, err := c.ChainComponents(fxLegacyApp); err != nil || !reflect.DeepEqual(chain, []uint32{fxOS, fxApp}) {
		t.Errorf("ChainComponents(legacy-app) = %v, %v", chain, err)
	}
	if _, err := c.ChainComponents(fxPackages); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("ChainComponents of no package: %v", err)
	}

	// Mutually dependent packages build, and the release order names
	// them.
	b, _ := otaprio.NewCatalogBuilder()
	defer b.Close()
	comp, _ := b.AddComponent("fw")
	other, _ := b.AddComponent("modem")
	p0, _ := b.AddPackage(packageNamed("fw-2"))
	p1, _ := b.AddPackage(packageNamed("modem-3"))
	for _, r := range []struct {
		p, c uint32
		kind otaprio.Relation
		text string
	}{{p0, comp, otaprio.RelationProvides, "2"}, {p0, other, otaprio.RelationRequires, ">= 3"},
		{p1, other, otaprio.RelationProvides, "3"}, {p1, comp, otaprio.RelationRequires, ">= 2"}} {
		if err := b.AddRelation(r.p, r.kind, r.c, r.text); err != nil {
			t.Fatal(err)
		}
	}
	cyclic, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	defer cyclic.Close()
	_, err = cyclic.ReleaseOrder()
	var cycleErr *otaprio.CycleError
	if !errors.As(err, &cycleErr) || !errors.Is(err, otaprio.ErrCycle) || len(cycleErr.Cycle) != 2 ||
		!strings.Contains(err.Error(), "cycle: fw-2 -> modem-3 -> fw-2") && !strings.Contains(err.Error(), "cycle: modem-3 -> fw-2 -> modem-3") {
		t.Errorf("ReleaseOrder of a cycle: %v", err)
	}
}

func packageNamed(name string) otaprio.Package {
	p := otaprio.DefaultPackage()
	p.Name = name
	return p
}

func TestCatalogImpact(t *testing.T) {
	c := fixtureCatalog(t)
	defer c.Close()
	for _, k := range []struct {
		component  uint32
		constraint string
		marks      []otaprio.ImpactMark
		count      uint64
	}{
		// bootloader 3: bootloader-4 requires it but cures it.
		{fxBootloader, "== 3", []otaprio.ImpactMark{1, 0, 1, 0, 2, 1, 2, 2, 0}, 6},
		{fxModem, "<3", []otaprio.ImpactMark{0, 0, 1, 0, 0, 0, 0, 0, 0}, 1},
		{fxOS, "< 13", make([]otaprio.ImpactMark, fxPackages), 0},
	} {
		marks, count, err := c.Impact(k.component, k.constraint)
		if err != nil || !reflect.DeepEqual(marks, k.marks) || count != k.count {
			t.Errorf("Impact(%d, %q) = %v %d %v; want %v %d", k.component, k.constraint, marks, count, err, k.marks, k.count)
		}
	}
	devices := fixtureFleet()
	for _, k := range []struct {
		component  uint32
		constraint string
		marks      []otaprio.ImpactMark
		count      uint64
	}{
		{fxModem, "< 3", []otaprio.ImpactMark{1, 1, 0, 0, 0, 1}, 3},
		{fxBootloader, "3", []otaprio.ImpactMark{0, 1, 2, 0, 1, 1}, 4},
	} {
		marks, count, err := c.ImpactDevices(k.component, k.constraint, devices)
		if err != nil || !reflect.DeepEqual(marks, k.marks) || count != k.count {
			t.Errorf("ImpactDevices(%d, %q) = %v %d %v; want %v %d", k.component, k.constraint, marks, count, err, k.marks, k.count)
		}
	}
	if _, _, err := c.Impact(fxModem, "> 2, < 1"); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("crossed constraint: %v", err)
	}
	if _, _, err := c.Impact(fxModem, "<"); !errors.Is(err, otaprio.ErrSyntax) {
		t.Errorf("bad constraint: %v", err)
	}
	if _, _, err := c.ImpactDevices(9, "< 3", devices); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("unknown component: %v", err)
	}
	if got := otaprio.ImpactInherited.String() + otaprio.ImpactMark(5).String(); got != "inheritedImpactMark(5)" {
		t.Errorf("ImpactMark names: %q", got)
	}
}

const (
	bQ  = otaprio.BlockRequirement
	bX  = otaprio.BlockConflict
	bCA = otaprio.BlockCarrier
	bRG = otaprio.BlockRegion
	bLG = otaprio.BlockLegal
	bEN = otaprio.BlockEnrollment
	bBA = otaprio.BlockBattery
	bST = otaprio.BlockStorage
	bME = otaprio.BlockMetered
	bCU = otaprio.BlockCurrent
	NO  = otaprio.NoFailedRelation
)

func TestCatalogEligibilityMasksAndFirstFailures(t *testing.T) {
	c := fixtureCatalog(t)
	defer c.Close()
	blocks := [][]otaprio.Block{
		{0, bBA | bCU, bCU, bST, bCU, bCU},
		{bQ, 0, bCU, bQ, 0, 0},
		{bQ, bCU, bCA | bCU, bQ, bCU, bCU},
		{0, 0, bCA | bCU, 0, bCU, 0},
		{bQ, 0, bCA | bCU, bQ, bCU, 0},
		{bQ, bST | bCU, bRG | bCU, bQ | bRG | bST, bCU, bCU},
		{bQ, 0, bCU, bQ, 0, 0},
		{bQ | bX, bQ | bME, bEN | bLG | bCU, bQ, 0, bQ},
		{bCU, 0, bX | bCU, 0, bCU, bCU},
	}
	first := [][]uint32{
		{NO, NO, NO, NO, NO, NO}, {0, NO, NO, 0, NO, NO}, {0, NO, NO, 0, NO, NO},
		{NO, NO, NO, NO, NO, NO}, {0, NO, NO, 0, NO, NO}, {0, NO, NO, 0, NO, NO},
		{0, NO, NO, 0, NO, NO}, {0, 2, NO, 0, NO, 2}, {NO, NO, 0, NO, NO, NO},
	}
	eligible := []uint64{1, 3, 0, 4, 2, 0, 3, 1, 2}
	devices := fixtureFleet()
	into := make([]otaprio.Block, 6)
	for p := range blocks {
		got, err := c.CheckDevices(uint32(p), devices)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Blocks, blocks[p]) || !reflect.DeepEqual(got.FirstFailed, first[p]) || got.Eligible != eligible[p] {
			t.Errorf("package %d: %v %v %d; want %v %v %d", p, got.Blocks, got.FirstFailed, got.Eligible,
				blocks[p], first[p], eligible[p])
		}
		n, err := c.CheckDevicesInto(uint32(p), devices, into, nil)
		if err != nil || n != eligible[p] || !reflect.DeepEqual(into, blocks[p]) {
			t.Errorf("package %d into: %v %d %v", p, into, n, err)
		}
	}
	// Unknown predicate columns fail their rules; the others default.
	bare := &otaprio.DeviceState{Versions: devices.Versions}
	for _, k := range []struct {
		pkg    uint32
		device int
		want   otaprio.Block
	}{{fxApp2, 4, bEN | bLG}, {fxBootloader3, 0, 0}, {fxBootloader3, 3, 0}, {fxModem3Full, 0, bCA}} {
		got, err := c.CheckDevices(k.pkg, bare)
		if err != nil || got.Blocks[k.device] != k.want {
			t.Errorf("bare package %d device %d: %v, %v; want %v", k.pkg, k.device, got, err, k.want)
		}
	}
	// CodeUnknown fails a rule as a nil column does.
	unknown := fixtureFleet()
	unknown.Region[4], unknown.Enrollment[5], unknown.Carrier[0] = otaprio.CodeUnknown, otaprio.CodeUnknown, otaprio.CodeUnknown
	got, err := c.CheckDevices(fxApp2, unknown)
	if err != nil || got.Blocks[4] != bLG || got.Blocks[5] != bQ|bEN || got.Blocks[0] != bQ|bX {
		t.Errorf("unknown codes: %v, %v", got, err)
	}
	if got := otaprio.BlockName(otaprio.BlockLegal); got != "legal" {
		t.Errorf("BlockName(legal) = %q", got)
	}
	if got := otaprio.BlockName(bQ | bX); got != "unknown" {
		t.Errorf("BlockName of two bits = %q", got)
	}
	for b := otaprio.Block(1); b <= bCU; b <<= 1 {
		if otaprio.BlockName(b) != b.String() {
			t.Errorf("BlockName(%d) = %q, String() = %q", b, otaprio.BlockName(b), b.String())
		}
	}
}

func TestCatalogUpdatePaths(t *testing.T) {
	c := fixtureCatalog(t)
	defer c.Close()
	devices := fixtureFleet()
	for _, k := range []struct {
		pkg    uint32
		device int
		path   []uint32
		bytes  uint64
		err    error
	}{
		// Fewest steps first, then bytes, then ids.
		{fxApp2, 0, []uint32{0, 3, 5}, 810, nil},
		{fxApp2, 5, []uint32{fxModem3}, 40, nil},
		{fxApp2, 4, []uint32{}, 0, nil},
		{fxApp2, 1, nil, 0, otaprio.ErrNotFound}, // metered
		{fxApp2, 2, nil, 0, otaprio.ErrNotFound}, // enrollment and region
		{fxApp2, 3, nil, 0, otaprio.ErrNotFound},
		{fxOS15, 0, []uint32{fxBootloader3, fxOS14}, 310, nil},
		{fxBootloader4, 0, []uint32{fxBootloader3}, 10, nil},
		{fxModem3, 0, []uint32{fxModem3Full}, 500, nil},
		{fxOS14, 4, []uint32{}, 0, nil},
	} {
		got, err := c.UpdatePath(k.pkg, devices, k.device, 0)
		if k.err != nil {
			if !errors.Is(err, k.err) {
				t.Errorf("package %d device %d: %v, want %v", k.pkg, k.device, err, k.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got.Packages, k.path) || got.DownloadBytes != k.bytes {
			t.Errorf("package %d device %d: %+v, %v; want %v %d", k.pkg, k.device, got, err, k.path, k.bytes)
		}
	}
	_, err := c.UpdatePath(fxApp2, devices, 0, 3)
	var e *otaprio.Error
	if !errors.As(err, &e) || !errors.Is(err, otaprio.ErrLimit) || e.Field != "max_states" {
		t.Errorf("work limit: %v", err)
	}
	if _, err := c.UpdatePath(fxApp2, devices, 2, 0); !strings.Contains(fmt.Sprint(err), "legal") ||
		!strings.Contains(fmt.Sprint(err), "enrollment") {
		t.Errorf("the reason a predicate blocks: %v", err)
	}
	for _, device := range []int{-1, 6} {
		if _, err := c.UpdatePath(fxApp2, devices, device, 0); !errors.Is(err, otaprio.ErrRange) {
			t.Errorf("device %d: %v", device, err)
		}
	}
}

func TestCatalogRefusesBadInput(t *testing.T) {
	c := fixtureCatalog(t)
	defer c.Close()
	expect := func(name string, err, status error, field string, index int64) {
		t.Helper()
		var e *otaprio.Error
		if !errors.As(err, &e) || !errors.Is(err, status) || e.Field != field || (index != -2 && e.Index != index) {
			t.Errorf("%s: %v (%+v), want %v at %s[%d]", name, err, e, status, field, index)
		}
	}
	mutate := func(f func(s *otaprio.DeviceState)) *otaprio.DeviceState {
		s := fixtureFleet()
		f(s)
		return s
	}
	for _, k := range []struct {
		name   string
		state  *otaprio.DeviceState
		status error
		field  string
		index  int64
	}{
		{"short version column", mutate(func(s *otaprio.DeviceState) { s.Versions[2] = s.Versions[2][:5] }), otaprio.ErrInvalid, "versions", 2},
		{"short battery", mutate(func(s *otaprio.DeviceState) { s.Battery = s.Battery[:2] }), otaprio.ErrInvalid, "battery", -1},
		{"long metered", mutate(func(s *otaprio.DeviceState) { s.Metered = append(s.Metered, 0) }), otaprio.ErrInvalid, "metered", -1},
		{"empty region", mutate(func(s *otaprio.DeviceState) { s.Region = []uint32{} }), otaprio.ErrInvalid, "region", -1},
		{"unknown version", mutate(func(s *otaprio.DeviceState) { s.Versions[fxModem][3] = 3 }), otaprio.ErrRange, "versions", 3},
		{"NaN battery", mutate(func(s *otaprio.DeviceState) { s.Battery[4] = float32(math.NaN()) }), otaprio.ErrRange, "battery", 4},
		{"battery above 1", mutate(func(s *otaprio.DeviceState) { s.Battery[4] = 1.5 }), otaprio.ErrRange, "battery", 4},
		{"charging 2", mutate(func(s *otaprio.DeviceState) { s.Charging[5] = 2 }), otaprio.ErrRange, "charging", 5},
		{"metered 255", mutate(func(s *otaprio.DeviceState) { s.Metered[0] = 255 }), otaprio.ErrRange, "metered", 0},
		{"too many components", mutate(func(s *otaprio.DeviceState) { s.Versions = append(s.Versions, nil) }), otaprio.ErrRange, "component_count", -1},
		{"nil state", nil, otaprio.ErrInvalid, "state", -1},
	} {
		_, err := c.CheckDevices(fxApp2, k.state)
		expect(k.name, err, k.status, k.field, k.index)
		if k.status == otaprio.ErrInvalid {
			_, err = c.UpdatePath(fxApp2, k.state, 0, 0)
			expect(k.name+" (path)", err, k.status, k.field, -2)
		}
	}
	devices := fixtureFleet()
	_, err := c.CheckDevices(fxPackages, devices)
	expect("unknown package", err, otaprio.ErrRange, "package", fxPackages)
	_, err = c.CheckDevicesInto(0, devices, make([]otaprio.Block, 5), nil)
	expect("short blocks", err, otaprio.ErrInvalid, "blocks", -1)
	_, err = c.CheckDevicesInto(0, devices, nil, make([]uint32, 7))
	expect("long first_failed", err, otaprio.ErrInvalid, "first_failed", -1)
	// Impact reads the version columns only.
	nan := fixtureFleet()
	nan.Battery[0] = float32(math.NaN())
	if _, _, err := c.ImpactDevices(fxModem, "< 3", nan); err != nil {
		t.Errorf("ImpactDevices with a NaN battery: %v", err)
	}
	// A closed catalog refuses, and so does its graph.
	graph := c.Graph()
	c.Close()
	c.Close()
	if _, err := c.CheckDevices(0, devices); !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("closed catalog: %v", err)
	}
	if _, err := graph.Order(); !errors.Is(err, otaprio.ErrInvalid) || graph.NodeCount() != 0 {
		t.Errorf("closed catalog's graph: %v", err)
	}
	if _, err := c.ReleaseOrder(); !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("closed catalog: %v", err)
	}
}

func TestCatalogBuilderRefusesBadInput(t *testing.T) {
	b, err := otaprio.NewCatalogBuilder()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	expect := func(name string, err, status error, field string) {
		t.Helper()
		var e *otaprio.Error
		if !errors.As(err, &e) || !errors.Is(err, status) || (field != "" && e.Field != field) {
			t.Errorf("%s: %v, want %v naming %q", name, err, status, field)
		}
	}
	os, _ := b.AddComponent("os")
	if again, err := b.AddComponent("os"); err != nil || again != os {
		t.Errorf("AddComponent again: %d, %v", again, err)
	}
	expect("empty component", second(b.AddComponent("")), otaprio.ErrRange, "")
	expect("long component", second(b.AddComponent(strings.Repeat("x", otaprio.VersionTextMax+1))), otaprio.ErrRange, "")
	expect("bad version", second(b.AddVersion(os, "1..2")), otaprio.ErrSyntax, "")
	expect("version of no component", second(b.AddVersion(5, "1")), otaprio.ErrRange, "")
	if a, _ := b.AddVersion(os, "1.2"); a != 0 {
		t.Errorf("first version id %d", a)
	}
	if same, _ := b.AddVersion(os, "1.2.0"); same != 0 {
		t.Errorf("equal versions share an id: %d", same)
	}
	p, err := b.AddPackage(packageNamed("os-12"))
	if err != nil {
		t.Fatal(err)
	}
	expect("duplicate", second(b.AddPackage(packageNamed("os-12"))), otaprio.ErrDuplicate, "")
	expect("empty name", second(b.AddPackage(packageNamed(""))), otaprio.ErrRange, "")
	unknown := packageNamed("x")
	unknown.Regions = []uint32{3, otaprio.CodeUnknown}
	_, err = b.AddPackage(unknown)
	var e *otaprio.Error
	if !errors.As(err, &e) || !errors.Is(err, otaprio.ErrRange) || e.Field != "regions" || e.Index != 1 {
		t.Errorf("CodeUnknown in a list: %v", err)
	}
	nan := packageNamed("y")
	nan.MinBattery = float32(math.NaN())
	expect("NaN battery", second(b.AddPackage(nan)), otaprio.ErrRange, "min_battery")
	expect("bad relation", b.AddRelation(p, otaprio.Relation(3), os, "1"), otaprio.ErrRange, "")
	expect("relation of no package", b.AddRelation(9, otaprio.RelationRequires, os, "1"), otaprio.ErrRange, "")
	expect("crossed constraint", b.AddRelation(p, otaprio.RelationRequires, os, "> 2, < 1"), otaprio.ErrRange, "")
	expect("bad constraint", b.AddRelation(p, otaprio.RelationRequires, os, ">="), otaprio.ErrSyntax, "")
	if err := b.AddRelation(p, otaprio.RelationProvides, os, "12"); err != nil {
		t.Fatal(err)
	}
	expect("second provides", b.AddRelation(p, otaprio.RelationProvides, os, "13"), otaprio.ErrDuplicate, "")

	// The defaults are the library's: metered links allowed.
	if d := otaprio.DefaultPackage(); !d.AllowMetered || d.MinBattery != 0 || d.Name != "" {
		t.Errorf("DefaultPackage = %+v", d)
	}
	c, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if info, _ := c.Info(); info.Packages != 1 || info.Components != 1 {
		t.Errorf("built %+v", info)
	}
	b.Close()
	expect("closed builder", second(b.AddComponent("app")), otaprio.ErrInvalid, "")
	expect("closed builder", second(b.Build()), otaprio.ErrInvalid, "")
}

// One built catalog shared by goroutines (run under -race): every
// goroutine, with its own device columns, gets a lone caller's answers.
func TestCatalogSharedAcrossGoroutines(t *testing.T) {
	c := fixtureCatalog(t)
	defer c.Close()
	wantOrder, _ := c.ReleaseOrder()
	want := make([]*otaprio.DeviceCheck, fxPackages)
	for p := range want {
		want[p], _ = c.CheckDevices(uint32(p), fixtureFleet())
	}
	wantPath, _ := c.UpdatePath(fxApp2, fixtureFleet(), 0, 0)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			devices := fixtureFleet()
			blocks := make([]otaprio.Block, 6)
			for i := 0; i < 30; i++ {
				p := (w + i) % fxPackages
				n, err := c.CheckDevicesInto(uint32(p), devices, blocks, nil)
				if err != nil || n != want[p].Eligible || !reflect.DeepEqual(blocks, want[p].Blocks) {
					errs <- fmt.Errorf("worker %d package %d: %v %v", w, p, blocks, err)
					return
				}
				path, err := c.UpdatePath(fxApp2, devices, 0, 0)
				if err != nil || !reflect.DeepEqual(path, wantPath) {
					errs <- fmt.Errorf("worker %d: path %v %v", w, path, err)
					return
				}
				order, err := c.ReleaseOrder()
				if err != nil || !reflect.DeepEqual(order, wantOrder) {
					errs <- fmt.Errorf("worker %d: order %v %v", w, order, err)
					return
				}
				if reached, err := c.Graph().ReachList(otaprio.DirectionBackward, []uint32{fxApp2}); err != nil || len(reached) != 6 {
					errs <- fmt.Errorf("worker %d: reach %v %v", w, reached, err)
					return
				}
				if _, err := c.PackageID("os-15"); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
