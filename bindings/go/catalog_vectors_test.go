// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"otaprio"
)

// catalogVectorBuild makes one catalog of catalog_vectors.h through the
// public API, as test_catalog_vectors.c does.
func catalogVectorBuild(t *testing.T, v *graphInit) (*otaprio.Catalog, int) {
	t.Helper()
	b, err := otaprio.NewCatalogBuilder()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	components := int(v.at(0).u32(t))
	for c := 0; c < components; c++ {
		if id, err := b.AddComponent(fmt.Sprintf("component-%d", c)); err != nil || id != uint32(c) {
			t.Fatalf("component %d: %d, %v", c, id, err)
		}
		for k := 0; k < int(v.at(2).at(c).u32(t)); k++ {
			if id, err := b.AddVersion(uint32(c), v.at(1).at(c).at(k).text); err != nil || id != uint32(k) {
				t.Fatalf("version %q: %d, %v", v.at(1).at(c).at(k).text, id, err)
			}
		}
	}
	packages := int(v.at(3).u32(t))
	for p := 0; p < packages; p++ {
		f := v.at(4).at(p)
		pkg := otaprio.DefaultPackage()
		pkg.Name = f.at(0).text
		pkg.DownloadBytes, pkg.InstallBytes = f.at(1).u64(t), f.at(2).u64(t)
		pkg.MinBattery = f.at(3).f32(t)
		pkg.AllowMetered = f.at(4).u32(t) == 1
		pkg.Carriers = f.at(5).u32s(t, int(f.at(6).u32(t)))
		pkg.Regions = f.at(7).u32s(t, int(f.at(8).u32(t)))
		pkg.DeniedRegions = f.at(9).u32s(t, int(f.at(10).u32(t)))
		pkg.Enrollments = f.at(11).u32s(t, int(f.at(12).u32(t)))
		if id, err := b.AddPackage(pkg); err != nil || id != uint32(p) {
			t.Fatalf("package %s: %d, %v", pkg.Name, id, err)
		}
		for r := 0; r < int(f.at(14).u32(t)); r++ {
			rel := f.at(13).at(r)
			if err := b.AddRelation(uint32(p), otaprio.Relation(rel.at(0).u32(t)), rel.at(1).u32(t), rel.at(2).text); err != nil {
				t.Fatalf("relation %q: %v", rel.at(2).text, err)
			}
		}
	}
	c, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return c, packages
}

// catalogVectorDevices is a catalog vector's devices as Go columns.
func catalogVectorDevices(t *testing.T, v *graphInit) *otaprio.DeviceState {
	n := int(v.at(5).u32(t))
	s := &otaprio.DeviceState{
		Carrier: v.at(7).u32s(t, n), Region: v.at(8).u32s(t, n), Enrollment: v.at(9).u32s(t, n),
		Battery: make([]float32, n), Charging: make([]uint8, n), FreeBytes: make([]uint64, n),
		Metered: make([]uint8, n),
	}
	for c := 0; c < int(v.at(0).u32(t)); c++ {
		s.Versions = append(s.Versions, v.at(6).at(c).u32s(t, n))
	}
	for d := 0; d < n; d++ {
		s.Battery[d] = v.at(10).at(d).f32(t)
		s.Charging[d] = uint8(v.at(11).at(d).u32(t))
		s.FreeBytes[d] = v.at(12).at(d).u64(t)
		s.Metered[d] = uint8(v.at(13).at(d).u32(t))
	}
	return s
}

// Parity with the brute-force reference of gen_catalog_vectors.py: the
// package graph, release order, impact marks, eligibility masks, first
// failing relations and update paths, NOT_FOUND cases included.
func TestCatalogMatchesTheGoldenVectors(t *testing.T) {
	table := graphDecls(t, "catalog_vectors.h")["catalog_vectors"]
	if table == nil || len(table.list) < 100 {
		t.Fatal("no catalog vectors")
	}
	paths, multiStep := 0, 0
	for i, v := range table.list {
		c, n := catalogVectorBuild(t, v)
		devices := catalogVectorDevices(t, v)
		where := fmt.Sprintf("catalog %d", i)

		var edges [][2]uint32
		for p := 0; p < n; p++ {
			out, err := c.Graph().Neighbours(uint32(p), otaprio.DirectionForward)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range out {
				edges = append(edges, [2]uint32{uint32(p), q})
			}
		}
		var want [][2]uint32
		for e := 0; e < int(v.at(14).u32(t)); e++ {
			want = append(want, [2]uint32{v.at(15).at(e).at(0).u32(t), v.at(15).at(e).at(1).u32(t)})
		}
		if !reflect.DeepEqual(edges, want) || c.Graph().EdgeCount() != uint64(len(want)) {
			t.Fatalf("%s: edges %v, want %v", where, edges, want)
		}

		order, err := c.ReleaseOrder()
		if v.at(16).u32(t) == 1 {
			if err != nil || !reflect.DeepEqual(order, v.at(17).u32s(t, n)) {
				t.Fatalf("%s: order %v %v", where, order, err)
			}
		} else {
			var cycle *otaprio.CycleError
			if !errors.As(err, &cycle) || !strings.Contains(err.Error(), "cycle: pkg-") || len(cycle.Cycle) < 2 {
				t.Fatalf("%s: order of a cycle: %v", where, err)
			}
		}

		marks, count, err := c.Impact(v.at(18).u32(t), v.at(19).text)
		if err != nil {
			t.Fatalf("%s: impact %q: %v", where, v.at(19).text, err)
		}
		hit := uint64(0)
		for p := 0; p < n; p++ {
			if uint32(marks[p]) != v.at(20).at(p).u32(t) {
				t.Fatalf("%s: impact marks %v", where, marks)
			}
			if marks[p] != 0 {
				hit++
			}
		}
		if count != hit {
			t.Fatalf("%s: %d hit, want %d", where, count, hit)
		}

		for p := 0; p < n; p++ {
			got, err := c.CheckDevices(uint32(p), devices)
			if err != nil {
				t.Fatal(err)
			}
			eligible := uint64(0)
			for d := range got.Blocks {
				wantBlocks := otaprio.Block(v.at(21).at(p).at(d).u32(t))
				if got.Blocks[d] != wantBlocks || got.FirstFailed[d] != v.at(22).at(p).at(d).u32(t) {
					t.Fatalf("%s package %d device %d: %v first %d, want %v first %d", where, p, d,
						got.Blocks[d], got.FirstFailed[d], wantBlocks, v.at(22).at(p).at(d).u32(t))
				}
				if wantBlocks == 0 {
					eligible++
				}
			}
			if got.Eligible != eligible {
				t.Fatalf("%s package %d: %d eligible, want %d", where, p, got.Eligible, eligible)
			}
		}

		for k := 0; k < int(v.at(23).u32(t)); k++ {
			w := v.at(24).at(k)
			pkg, device, found := w.at(0).u32(t), int(w.at(1).u32(t)), w.at(2).u32(t) == 1
			got, err := c.UpdatePath(pkg, devices, device, 0)
			paths++
			if !found {
				if !errors.Is(err, otaprio.ErrNotFound) {
					t.Fatalf("%s package %d device %d: %v, want ErrNotFound", where, pkg, device, err)
				}
				continue
			}
			length := int(w.at(3).u32(t))
			if err != nil || !reflect.DeepEqual(got.Packages, w.at(4).u32s(t, length)) || got.DownloadBytes != w.at(5).u64(t) {
				t.Fatalf("%s package %d device %d: %+v %v, want %v (%d bytes)", where, pkg, device, got, err,
					w.at(4).u32s(t, length), w.at(5).u64(t))
			}
			if length >= 2 {
				multiStep++
			}
		}
		c.Close()
	}
	// The vectors exercise real searches, not only trivial ones.
	if paths <= 500 || multiStep < 20 {
		t.Errorf("%d paths, %d of several steps", paths, multiStep)
	}
}
