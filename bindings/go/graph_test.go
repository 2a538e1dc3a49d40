// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"

	"otaprio"
)

type graphQuery struct {
	dir              otaprio.Direction
	sources, reached []uint32
}

type graphVector struct {
	name       string
	nodes      uint32
	from, to   []uint32
	dag        bool
	components uint32
	sccMin     []uint32
	queries    []graphQuery
}

func graphVectors(t *testing.T) []graphVector {
	decls := graphDecls(t, "graph_vectors.h")
	table := decls["graph_vectors"]
	var out []graphVector
	for _, row := range table.list {
		v := graphVector{
			name: row.at(0).text, nodes: row.at(1).u32(t),
			from: graphU32(graphArray(t, decls, row.at(3))), to: graphU32(graphArray(t, decls, row.at(4))),
			dag: row.at(5).u32(t) == 1, components: row.at(6).u32(t),
			sccMin: graphU32(graphArray(t, decls, row.at(7))),
		}
		if uint64(len(v.from)) != row.at(2).u64(t) || len(v.to) != len(v.from) {
			t.Fatalf("vector %s: edges", v.name)
		}
		for _, q := range decls[row.at(9).word].list {
			v.queries = append(v.queries, graphQuery{otaprio.Direction(q.at(0).u32(t)),
				graphU32(graphArray(t, decls, q.at(2))), graphU32(graphArray(t, decls, q.at(4)))})
		}
		if uint64(len(v.queries)) != row.at(8).u64(t) {
			t.Fatalf("vector %s: queries", v.name)
		}
		out = append(out, v)
	}
	if len(out) != 10 {
		t.Fatalf("read %d graph vectors", len(out))
	}
	return out
}

// graphHost is a host's adjacency lists, with the callbacks WrapGraph
// asks, listing neighbours in ascending order as a built graph does.
type graphHost struct {
	succ, pred [][]uint32
}

func newGraphHost(nodes uint32, from, to []uint32) *graphHost {
	h := &graphHost{succ: make([][]uint32, nodes), pred: make([][]uint32, nodes)}
	for i := range from {
		h.succ[from[i]] = append(h.succ[from[i]], to[i])
		h.pred[to[i]] = append(h.pred[to[i]], from[i])
	}
	for u := range h.succ {
		sort.Slice(h.succ[u], func(i, j int) bool { return h.succ[u][i] < h.succ[u][j] })
		sort.Slice(h.pred[u], func(i, j int) bool { return h.pred[u][i] < h.pred[u][j] })
	}
	return h
}

func (h *graphHost) successors(node uint32) ([]uint32, error)   { return h.succ[node], nil }
func (h *graphHost) predecessors(node uint32) ([]uint32, error) { return h.pred[node], nil }

func (h *graphHost) wrap(t *testing.T) *otaprio.Graph {
	t.Helper()
	g, err := otaprio.WrapGraph(uint32(len(h.succ)), h.successors, h.predecessors)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

type graphAnswers struct {
	order      []uint32
	cycle      []uint32
	components otaprio.StrongComponents
}

// checkGraphVector checks one handle against networkx's answers, as
// test_graph_vectors.c does: reach and components exactly; orders and
// cycles, which have many right answers, for validity.
func checkGraphVector(t *testing.T, v graphVector, g *otaprio.Graph) graphAnswers {
	t.Helper()
	var a graphAnswers
	if g.NodeCount() != v.nodes {
		t.Fatalf("NodeCount = %d, want %d", g.NodeCount(), v.nodes)
	}
	edges := map[[2]uint32]bool{}
	for i := range v.from {
		edges[[2]uint32{v.from[i], v.to[i]}] = true
	}
	var err error
	if a.cycle, err = g.FindCycle(); err != nil {
		t.Fatal(err)
	}
	order, err := g.Order()
	if v.dag {
		if err != nil || a.cycle != nil {
			t.Fatalf("a DAG: order error %v, cycle %v", err, a.cycle)
		}
		position := make([]int, v.nodes)
		seen := make([]bool, v.nodes)
		for i, n := range order {
			if seen[n] {
				t.Fatalf("node %d twice in the order", n)
			}
			seen[n], position[n] = true, i
		}
		for e := range edges {
			if position[e[0]] >= position[e[1]] {
				t.Fatalf("edge %v against the order", e)
			}
		}
		a.order = order
	} else {
		var cycleErr *otaprio.CycleError
		if !errors.Is(err, otaprio.ErrCycle) || !errors.As(err, &cycleErr) || order != nil {
			t.Fatalf("a cyclic graph: %v", err)
		}
		var e *otaprio.Error
		if !errors.As(err, &e) || e.Index != int64(a.cycle[0]) {
			t.Fatalf("the error %v does not name the cycle %v", err, a.cycle)
		}
		if !reflect.DeepEqual(cycleErr.Cycle, a.cycle) || len(a.cycle) < 2 {
			t.Fatalf("CycleError.Cycle = %v, FindCycle = %v", cycleErr.Cycle, a.cycle)
		}
		for i := range a.cycle {
			if !edges[[2]uint32{a.cycle[i], a.cycle[(i+1)%len(a.cycle)]}] {
				t.Fatalf("cycle %v is not in the graph", a.cycle)
			}
		}
	}
	if a.components, err = g.StrongComponents(); err != nil {
		t.Fatal(err)
	}
	if a.components.Count != v.components {
		t.Fatalf("%d components, want %d", a.components.Count, v.components)
	}
	groups := a.components.Groups()
	for u, c := range a.components.Component {
		if groups[c][0] != v.sccMin[u] {
			t.Fatalf("node %d: component's smallest node %d, want %d", u, groups[c][0], v.sccMin[u])
		}
	}
	for e := range edges {
		cu, cv := a.components.Component[e[0]], a.components.Component[e[1]]
		if (v.sccMin[e[0]] == v.sccMin[e[1]]) != (cu == cv) || cu > cv {
			t.Fatalf("edge %v: components %d, %d", e, cu, cv)
		}
	}
	for qi, q := range v.queries {
		reached, count, err := g.Reach(q.dir, q.sources)
		if err != nil {
			t.Fatal(err)
		}
		var got []uint32
		for n, r := range reached {
			if r {
				got = append(got, uint32(n))
			}
		}
		if !reflect.DeepEqual(got, q.reached) || count != uint64(len(q.reached)) {
			t.Fatalf("query %d: reached %v (%d), want %v", qi, got, count, q.reached)
		}
		list, err := g.ReachList(q.dir, q.sources)
		if err != nil {
			t.Fatal(err)
		}
		sorted := append([]uint32(nil), list...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
		if len(q.reached) == 0 && len(sorted) == 0 {
			continue
		}
		if !reflect.DeepEqual(sorted, q.reached) {
			t.Fatalf("query %d: listed %v, want %v", qi, list, q.reached)
		}
	}
	return a
}

func TestGraphMatchesTheGoldenVectors(t *testing.T) {
	for _, v := range graphVectors(t) {
		t.Run(v.name, func(t *testing.T) {
			built, err := otaprio.NewGraph(v.nodes, v.from, v.to)
			if err != nil {
				t.Fatal(err)
			}
			defer built.Close()
			if built.EdgeCount() != uint64(len(v.from)) {
				t.Fatalf("EdgeCount = %d", built.EdgeCount())
			}
			wrapped := newGraphHost(v.nodes, v.from, v.to).wrap(t)
			a := checkGraphVector(t, v, built)
			b := checkGraphVector(t, v, wrapped)
			// A host listing neighbours in ascending order sees the
			// same answers as a built graph.
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("built %+v, wrapped %+v", a, b)
			}
		})
	}
}

func TestGraphNeighboursBothWays(t *testing.T) {
	g, err := otaprio.NewGraph(4, []uint32{0, 0, 2}, []uint32{3, 1, 3})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, c := range []struct {
		node uint32
		dir  otaprio.Direction
		want []uint32
	}{
		{0, otaprio.DirectionForward, []uint32{1, 3}},
		{3, otaprio.DirectionBackward, []uint32{0, 2}},
		{1, otaprio.DirectionForward, []uint32{}},
	} {
		got, err := g.Neighbours(c.node, c.dir)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Neighbours(%d, %v) = %v, %v; want %v", c.node, c.dir, got, err, c.want)
		}
	}
	if _, err := g.Neighbours(4, otaprio.DirectionForward); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("node 4: %v", err)
	}
	if _, err := g.Neighbours(0, otaprio.Direction(7)); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("direction 7: %v", err)
	}
	// More neighbours than the first buffer holds.
	var from, to []uint32
	for i := uint32(1); i < 40; i++ {
		from, to = append(from, 0), append(to, i)
	}
	star, err := otaprio.NewGraph(40, from, to)
	if err != nil {
		t.Fatal(err)
	}
	defer star.Close()
	if got, err := star.Neighbours(0, otaprio.DirectionForward); err != nil || !reflect.DeepEqual(got, to) {
		t.Errorf("star: %v, %v", got, err)
	}
	hub := newGraphHost(40, from, to).wrap(t)
	if got, err := hub.Neighbours(0, otaprio.DirectionForward); err != nil || !reflect.DeepEqual(got, to) {
		t.Errorf("wrapped star: %v, %v", got, err)
	}
	if got, err := hub.ReachList(otaprio.DirectionForward, []uint32{0}); err != nil || len(got) != 40 || got[0] != 0 {
		t.Errorf("wrapped star reach: %v, %v", got, err)
	}
}

func TestGraphKahnOrderAndCycleByHand(t *testing.T) {
	// 3 -> 1 -> 0, 2 -> 0: sources 2 and 3 first, in id order.
	g, err := otaprio.NewGraph(4, []uint32{3, 1, 2}, []uint32{1, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if order, err := g.Order(); err != nil || !reflect.DeepEqual(order, []uint32{2, 3, 1, 0}) {
		t.Errorf("Order = %v, %v", order, err)
	}
	// 4 -> 9 -> 4 named whole.
	c, err := otaprio.NewGraph(10, []uint32{4, 9, 0}, []uint32{9, 4, 4})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Order()
	var cycleErr *otaprio.CycleError
	if !errors.As(err, &cycleErr) || !reflect.DeepEqual(cycleErr.Cycle, []uint32{4, 9}) {
		t.Fatalf("Order on a cycle: %v", err)
	}
	if err.Error() != "otaprio: Graph.Order: cycle: 4 -> 9 -> 4" {
		t.Errorf("message %q", err.Error())
	}
}

func TestGraphBuilderErrorsNameThePosition(t *testing.T) {
	check := func(name string, err, status error, field string, index int64) {
		t.Helper()
		var e *otaprio.Error
		if !errors.As(err, &e) || !errors.Is(err, status) || e.Field != field || e.Index != index {
			t.Errorf("%s: %v (%+v), want %v at %s[%d]", name, err, e, status, field, index)
		}
	}
	_, err := otaprio.NewGraph(3, []uint32{0, 1}, []uint32{1, 5})
	check("out of range", err, otaprio.ErrRange, "to", 1)
	_, err = otaprio.NewGraph(3, []uint32{1}, []uint32{1})
	check("self-loop", err, otaprio.ErrInvalid, "to", 0)
	_, err = otaprio.NewGraph(3, []uint32{0, 1}, []uint32{1})
	check("short to", err, otaprio.ErrInvalid, "to", -1)
	_, err = otaprio.NewGraph(3, []uint32{0, 0}, []uint32{1, 1})
	if !errors.Is(err, otaprio.ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}
	_, err = otaprio.NewGraphBuilder(otaprio.MaxGraphNodes + 1)
	if !errors.Is(err, otaprio.ErrOverflow) {
		t.Errorf("too many nodes: %v", err)
	}

	// A failed batch leaves the builder unchanged; it builds again.
	b, err := otaprio.NewGraphBuilder(3)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.AddEdge(0, 1); err != nil {
		t.Fatal(err)
	}
	if err := b.AddEdges([]uint32{1, 2}, []uint32{2, 3}); !errors.Is(err, otaprio.ErrRange) {
		t.Fatalf("bad batch: %v", err)
	}
	g1, err := b.Build()
	if err != nil || g1.EdgeCount() != 1 {
		t.Fatalf("first build: %v", err)
	}
	if err := b.AddEdge(1, 2); err != nil {
		t.Fatal(err)
	}
	g2, err := b.Build()
	if err != nil || g2.EdgeCount() != 2 || g1.EdgeCount() != 1 {
		t.Fatalf("second build: %v", err)
	}
	b.Close()
	b.Close()
	if err := b.AddEdge(0, 2); !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("closed builder: %v", err)
	}
	if _, err := b.Build(); !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("closed builder: %v", err)
	}
	// Graphs outlive their builder; a closed graph refuses politely.
	if got, _ := g2.ReachList(otaprio.DirectionForward, []uint32{0}); !reflect.DeepEqual(got, []uint32{0, 1, 2}) {
		t.Errorf("after the builder closed: %v", got)
	}
	g2.Close()
	g2.Close()
	if _, err := g2.Order(); !errors.Is(err, otaprio.ErrInvalid) || g2.NodeCount() != 0 {
		t.Errorf("closed graph: %v", err)
	}
	g1.Close()

	// Bad sources and directions come back from C.
	g, _ := otaprio.NewGraph(3, []uint32{0}, []uint32{1})
	defer g.Close()
	_, _, err = g.Reach(otaprio.DirectionForward, []uint32{3})
	check("bad source", err, otaprio.ErrRange, "sources", 0)
	if _, err := g.ReachList(otaprio.Direction(-1), []uint32{0}); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("bad direction: %v", err)
	}
	if r, n, err := g.Reach(otaprio.DirectionBackward, nil); err != nil || n != 0 || len(r) != 3 {
		t.Errorf("no sources: %v %d %v", r, n, err)
	}
	empty, err := otaprio.NewGraph(0, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if order, err := empty.Order(); err != nil || len(order) != 0 {
		t.Errorf("empty graph: %v %v", order, err)
	}
}

var errGraphHost = errors.New("host graph unavailable")

func TestWrappedGraphCallbackErrorsAndPanics(t *testing.T) {
	h := newGraphHost(5, []uint32{0, 1, 2, 3}, []uint32{1, 2, 3, 4})
	fail := -1
	panicking := false
	succ := func(node uint32) ([]uint32, error) {
		if int(node) == fail {
			if panicking {
				panic(fmt.Sprintf("host lost node %d", node))
			}
			return nil, fmt.Errorf("node %d: %w", node, errGraphHost)
		}
		return h.succ[node], nil
	}
	g, err := otaprio.WrapGraph(5, succ, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()

	fail = 2
	if _, err := g.Order(); !errors.Is(err, errGraphHost) || err.Error() != "node 2: host graph unavailable" {
		t.Errorf("Order: %v, want the callback's error unchanged", err)
	}
	if _, _, err := g.Reach(otaprio.DirectionForward, []uint32{0}); !errors.Is(err, errGraphHost) {
		t.Errorf("Reach: %v", err)
	}
	if _, err := g.StrongComponents(); !errors.Is(err, errGraphHost) {
		t.Errorf("StrongComponents: %v", err)
	}

	panicking = true
	func() {
		defer func() {
			if r := recover(); r != "host lost node 2" {
				t.Errorf("recovered %v, want the callback's panic value", r)
			}
		}()
		_, _ = g.ReachList(otaprio.DirectionForward, []uint32{1})
		t.Error("no panic")
	}()

	// The graph is still usable afterwards.
	fail = -1
	if order, err := g.Order(); err != nil || !reflect.DeepEqual(order, []uint32{0, 1, 2, 3, 4}) {
		t.Errorf("after the panic: %v, %v", order, err)
	}
	// Without predecessors, backward walks are refused.
	if _, _, err := g.Reach(otaprio.DirectionBackward, []uint32{4}); !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("backward without predecessors: %v", err)
	}
	// A neighbour that is not a node is the library's range error,
	// naming the callback and the node.
	bad, err := otaprio.WrapGraph(2, func(node uint32) ([]uint32, error) { return []uint32{7}, nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Order()
	var e *otaprio.Error
	if !errors.As(err, &e) || !errors.Is(err, otaprio.ErrRange) || e.Field != "successors" || e.Index != 0 {
		t.Errorf("bad neighbour: %v", err)
	}
	// A self-loop of a host's graph is a cycle of one node.
	loop, _ := otaprio.WrapGraph(1, func(uint32) ([]uint32, error) { return []uint32{0}, nil }, nil)
	if c, err := loop.FindCycle(); err != nil || !reflect.DeepEqual(c, []uint32{0}) {
		t.Errorf("self-loop: %v %v", c, err)
	}
	if _, err := otaprio.WrapGraph(3, nil, nil); !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("no successors: %v", err)
	}
	if _, err := otaprio.WrapGraph(otaprio.MaxGraphNodes+1, h.successors, nil); !errors.Is(err, otaprio.ErrOverflow) {
		t.Errorf("too many nodes: %v", err)
	}
}

// A host asked for more neighbours than the library's buffer holds is
// asked once per node all the same.
func TestWrappedGraphAsksOncePerNode(t *testing.T) {
	const n = 300
	var mu sync.Mutex
	calls := map[uint32]int{}
	succ := func(node uint32) ([]uint32, error) {
		mu.Lock()
		calls[node]++
		mu.Unlock()
		if node != 0 {
			return nil, nil
		}
		out := make([]uint32, n-1)
		for i := range out {
			out[i] = uint32(i + 1)
		}
		return out, nil
	}
	g, err := otaprio.WrapGraph(n, succ, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, count, err := g.Reach(otaprio.DirectionForward, []uint32{0}); err != nil || count != n {
		t.Fatalf("Reach: %d, %v", count, err)
	}
	for node, c := range calls {
		if c != 1 {
			t.Errorf("node %d asked %d times", node, c)
		}
	}
}

// One built graph and one wrapped graph, shared by goroutines (run under
// -race): every goroutine gets the answers of a lone caller, and a
// callback's error stays with the traversal it stopped.
func TestGraphSharedAcrossGoroutines(t *testing.T) {
	v := graphVectors(t)[7] // cyclic_large
	built, err := otaprio.NewGraph(v.nodes, v.from, v.to)
	if err != nil {
		t.Fatal(err)
	}
	defer built.Close()
	h := newGraphHost(v.nodes, v.from, v.to)
	wantSCC, _ := built.StrongComponents()
	wantCycle, _ := built.FindCycle()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			failing := w%2 == 1
			wrapped, err := otaprio.WrapGraph(v.nodes, func(node uint32) ([]uint32, error) {
				if failing {
					return nil, errGraphHost
				}
				return h.succ[node], nil
			}, h.predecessors)
			if err != nil {
				errs <- err
				return
			}
			for i := 0; i < 20; i++ {
				q := v.queries[i%len(v.queries)]
				reached, count, err := built.Reach(q.dir, q.sources)
				if err != nil || count != uint64(len(q.reached)) {
					errs <- fmt.Errorf("worker %d: reach %d %v", w, count, err)
					return
				}
				for _, n := range q.reached {
					if !reached[n] {
						errs <- fmt.Errorf("worker %d: node %d not reached", w, n)
						return
					}
				}
				scc, err := built.StrongComponents()
				if err != nil || !reflect.DeepEqual(scc, wantSCC) {
					errs <- fmt.Errorf("worker %d: scc %v", w, err)
					return
				}
				cycle, err := wrapped.FindCycle()
				if failing {
					if !errors.Is(err, errGraphHost) {
						errs <- fmt.Errorf("worker %d: failing host gave %v", w, err)
						return
					}
				} else if err != nil || !reflect.DeepEqual(cycle, wantCycle) {
					errs <- fmt.Errorf("worker %d: cycle %v %v", w, cycle, err)
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
