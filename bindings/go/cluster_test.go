// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"otaprio"
)

type clusterVector struct {
	name                   string
	attributes, n          int
	columns                [][]uint32 // nil for an absent column
	include, cohort        []uint8
	cluster                []uint32
	count                  uint32
	members, cohortMembers []uint64
	values                 []uint32
}

func clusterVectors(t *testing.T) []clusterVector {
	decls := graphDecls(t, "cluster_vectors.h")
	var out []clusterVector
	for _, row := range decls["cluster_vectors"].list {
		v := clusterVector{name: row.at(0).text, attributes: int(row.at(1).u32(t)), n: int(row.at(2).u32(t))}
		flat := graphU32(graphArray(t, decls, row.at(3)))
		present := graphArray(t, decls, row.at(4))
		for a := 0; a < v.attributes; a++ {
			var col []uint32
			if present[a] == 1 {
				col = flat[a*v.n : (a+1)*v.n]
			}
			v.columns = append(v.columns, col)
		}
		v.include = graphU8(graphArray(t, decls, row.at(5)))
		v.cohort = graphU8(graphArray(t, decls, row.at(6)))
		v.cluster = graphU32(graphArray(t, decls, row.at(7)))
		v.count = row.at(8).u32(t)
		v.members = graphArray(t, decls, row.at(9))
		v.cohortMembers = graphArray(t, decls, row.at(10))
		v.values = graphU32(graphArray(t, decls, row.at(11)))
		out = append(out, v)
	}
	if len(out) != 5 {
		t.Fatalf("read %d cluster vectors", len(out))
	}
	return out
}

// sliceOf returns s[first:end], keeping nil as nil.
func clusterSlice[T any](s []T, first, end int) []T {
	if s == nil {
		return nil
	}
	return s[first:end]
}

// Parity with NumPy's unique over rows (gen_cluster_vectors.py), whole
// and in chunks of every shape down to one device, as test_cluster.c.
func TestClustersMatchTheGoldenVectors(t *testing.T) {
	for _, v := range clusterVectors(t) {
		for _, chunk := range []int{v.n, 97, 8, 1} {
			t.Run(fmt.Sprintf("%s/%d", v.name, chunk), func(t *testing.T) {
				c, err := otaprio.NewClusterer(v.attributes)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				var cluster []uint32
				for first := 0; first < v.n; first += chunk {
					end := first + chunk
					if end > v.n {
						end = v.n
					}
					columns := make([][]uint32, v.attributes)
					for a, col := range v.columns {
						columns[a] = clusterSlice(col, first, end)
					}
					ids, err := c.Add(columns, clusterSlice(v.include, first, end), clusterSlice(v.cohort, first, end))
					if err != nil {
						t.Fatal(err)
					}
					cluster = append(cluster, ids...)
				}
				if !reflect.DeepEqual(cluster, v.cluster) {
					t.Fatal("cluster ids differ")
				}
				if c.Count() != v.count {
					t.Fatalf("Count = %d, want %d", c.Count(), v.count)
				}
				r, err := c.ReportAll()
				if err != nil {
					t.Fatal(err)
				}
				var values []uint32
				for _, row := range r.Values {
					values = append(values, row...)
				}
				if !reflect.DeepEqual(r.Members, v.members) || !reflect.DeepEqual(r.CohortMembers, v.cohortMembers) ||
					!reflect.DeepEqual(values, v.values) {
					t.Fatal("report differs")
				}
			})
		}
	}
}

func TestClustererByHand(t *testing.T) {
	c, err := otaprio.NewClusterer(2)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	build := []uint32{5, 5, 6, 5, 6}
	// The second attribute unknown (nil): all zeros.
	ids := make([]uint32, 5)
	if err := c.AddInto([][]uint32{build, nil}, []uint8{1, 1, 1, 0, 1}, []uint8{0, 1, 0, 0, 0}, ids); err != nil {
		t.Fatal(err)
	}
	if want := []uint32{0, 0, 1, otaprio.NoCluster, 1}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ids %v, want %v", ids, want)
	}
	r, err := c.Report(1, 1)
	if err != nil || r.First != 1 || !reflect.DeepEqual(r.Members, []uint64{2}) ||
		!reflect.DeepEqual(r.CohortMembers, []uint64{0}) || !reflect.DeepEqual(r.Values, [][]uint32{{6, 0}}) {
		t.Errorf("Report(1, 1) = %+v, %v", r, err)
	}
	if c.Attributes() != 2 {
		t.Errorf("Attributes = %d", c.Attributes())
	}
}

func TestClustererRefusesBadInput(t *testing.T) {
	c, err := otaprio.NewClusterer(1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Add([][]uint32{{1, 2}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	expect := func(name string, err, status error, field string, index int64) {
		t.Helper()
		var e *otaprio.Error
		if !errors.As(err, &e) || !errors.Is(err, status) || e.Field != field || e.Index != index {
			t.Errorf("%s: %v, want %v at %s[%d]", name, err, status, field, index)
		}
	}
	expect("include 2", second(c.Add([][]uint32{{1, 3}}, []uint8{1, 2}, nil)), otaprio.ErrRange, "include", 1)
	expect("cohort 7", second(c.Add([][]uint32{{1, 3}}, nil, []uint8{7, 0})), otaprio.ErrRange, "cohort", 0)
	expect("two columns", second(c.Add([][]uint32{{1}, {2}}, nil, nil)), otaprio.ErrInvalid, "columns", -1)
	expect("short include", second(c.Add([][]uint32{{1, 2}}, []uint8{1}, nil)), otaprio.ErrInvalid, "include", -1)
	expect("short cluster", c.AddInto([][]uint32{{1, 2}}, nil, nil, make([]uint32, 1)), otaprio.ErrInvalid, "cluster", -1)
	expect("past the count", second(c.Report(1, 2)), otaprio.ErrRange, "number", -1)
	// Nothing changed.
	if r, err := c.ReportAll(); err != nil || c.Count() != 2 || !reflect.DeepEqual(r.Members, []uint64{1, 1}) {
		t.Errorf("after refusals: %d clusters, %+v, %v", c.Count(), r, err)
	}
	for _, n := range []int{0, otaprio.MaxClusterAttributes + 1, -1} {
		if _, err := otaprio.NewClusterer(n); !errors.Is(err, otaprio.ErrRange) {
			t.Errorf("NewClusterer(%d): %v", n, err)
		}
	}
	c.Close()
	c.Close()
	if _, err := c.Add([][]uint32{{1}}, nil, nil); !errors.Is(err, otaprio.ErrInvalid) || c.Count() != 0 {
		t.Errorf("closed clusterer: %v", err)
	}
	if _, err := c.ReportAll(); !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("closed clusterer report: %v", err)
	}
}

// Readers of one clusterer may run at once (run under -race).
func TestClustererReportsAcrossGoroutines(t *testing.T) {
	v := clusterVectors(t)[2]
	c, err := otaprio.NewClusterer(v.attributes)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Add(v.columns, v.include, v.cohort); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				r, err := c.ReportAll()
				if err != nil || !reflect.DeepEqual(r.Members, v.members) {
					errs <- fmt.Errorf("report: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
