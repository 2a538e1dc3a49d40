// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
// extern int otaprioGraphSuccessors(void *user, uint32_t node, uint32_t *buffer, size_t capacity, size_t *count);
// extern int otaprioGraphPredecessors(void *user, uint32_t node, uint32_t *buffer, size_t capacity, size_t *count);
import "C"

import (
	"runtime"
	"sort"
	"unsafe"
)

// Limits of a graph.
const (
	// MaxGraphNodes is the largest node count of a graph; id 2^32-1 is
	// never a node.
	MaxGraphNodes uint32 = C.OTAPRIO_GRAPH_MAX_NODES
	// MaxGraphEdges is the largest edge count of a built graph.
	MaxGraphEdges uint32 = C.OTAPRIO_GRAPH_MAX_EDGES
)

// graphOut returns a C pointer to the first element of an output slice
// handed to C as a call argument (read and written during the call only,
// so it needs no pinning). An empty slice still gets a valid pointer,
// since the library refuses NULL outputs even when there is nothing to
// write.
func graphOut[P, E any](s []E) *P {
	if len(s) == 0 {
		s = make([]E, 1)
	}
	return (*P)(unsafe.Pointer(&s[0]))
}

// graphIn returns a C pointer to the first element of an input slice
// handed to C as a call argument, or nil for an empty one.
func graphIn[P, E any](s []E) *P {
	if len(s) == 0 {
		return nil
	}
	return (*P)(unsafe.Pointer(&s[0]))
}

// A CycleError is the ErrCycle failure of Graph.Order or
// Catalog.ReleaseOrder, with the cycle that prevents an order. The
// library's message may shorten a long cycle; Cycle holds it whole.
//
// errors.Is(err, ErrCycle) holds, and errors.As finds the *Error.
type CycleError struct {
	// Err is the library's error, naming the cycle in its message.
	Err *Error
	// Cycle lists the cycle's nodes (package ids for a catalog),
	// c[0] -> c[1] -> ... -> c[len-1] -> c[0].
	Cycle []uint32
}

// Error returns the library's error text, which names the cycle.
func (e *CycleError) Error() string { return e.Err.Error() }

// Unwrap returns the library's error, so that errors.Is and errors.As
// see through a CycleError.
func (e *CycleError) Unwrap() error { return e.Err }

// A NeighbourFunc lists a node's successors (or predecessors) in a host's
// graph, for WrapGraph. Every id must be below the graph's node count;
// repeated ids and self-loops are allowed. The returned slice is copied
// before the next call and never kept. A non-nil error stops the
// traversal, which returns that error unchanged; a panic stops it too and
// is raised again in the goroutine that started the traversal.
type NeighbourFunc func(node uint32) ([]uint32, error)

// graphHost is a wrapped graph's Go side: its node count and callbacks.
type graphHost struct {
	nodes                    uint32
	successors, predecessors NeighbourFunc
}

// graphVisit is what the trampolines see of one traversal of a wrapped
// graph: the host, and the list a callback gave that did not fit the
// library's buffer, kept for the library's immediate second request for
// the same node so that the host is asked once.
type graphVisit struct {
	host     *graphHost
	held     bool
	heldNode C.uint32_t
	heldDir  Direction
	heldList []uint32
}

// graphNeighboursFor serves a trampoline: asks the host, copies the list
// into the library's buffer, or reports its length when it does not fit.
func graphNeighboursFor(user unsafe.Pointer, dir Direction, node C.uint32_t,
	buffer *C.uint32_t, capacity C.size_t, count *C.size_t) C.int {
	c := callOf(user)
	v := c.callback.(*graphVisit)
	return c.run(func(*runtime.Pinner) error {
		var list []uint32
		if v.held && v.heldNode == node && v.heldDir == dir {
			list = v.heldList
		} else {
			fn := v.host.successors
			if dir == DirectionBackward {
				fn = v.host.predecessors
			}
			var err error
			if list, err = fn(uint32(node)); err != nil {
				return err
			}
		}
		v.held, v.heldList = false, nil
		*count = C.size_t(len(list))
		if uint64(len(list)) > uint64(capacity) {
			v.held, v.heldNode, v.heldDir, v.heldList = true, node, dir, list
			return nil
		}
		if len(list) > 0 {
			copy(unsafe.Slice((*uint32)(unsafe.Pointer(buffer)), len(list)), list)
		}
		return nil
	})
}

// wrap runs one library call on a fresh C handle over the host's
// callbacks. Each traversal gets its own handle and call state, so a
// callback's error or panic is carried to the goroutine whose traversal
// it stopped, and concurrent traversals do not share anything but the
// host's functions.
func (h *graphHost) wrap(op string, d *C.otaprio_diag,
	fn func(*C.otaprio_graph, *C.otaprio_diag) C.int) error {
	c := newCall(&graphVisit{host: h})
	// C keeps the user pointer in the handle until it is freed.
	var keep runtime.Pinner
	keep.Pin(c.handle)
	defer keep.Unpin()
	var cb C.otaprio_graph_callbacks
	C.otaprio_graph_callbacks_init(&cb, C.size_t(unsafe.Sizeof(cb)))
	cb.node_count = C.uint32_t(h.nodes)
	cb.successors = C.otaprio_neighbours_fn(C.otaprioGraphSuccessors)
	if h.predecessors != nil {
		cb.predecessors = C.otaprio_neighbours_fn(C.otaprioGraphPredecessors)
	}
	cb.user = c.user()
	var g *C.otaprio_graph
	status := C.otaprio_graph_wrap(&cb, nil, &g, d)
	if status == C.OTAPRIO_OK && fn != nil {
		status = fn(g, d)
	}
	C.otaprio_graph_free(g)
	return c.finish(op, status, d)
}

// Graph is an immutable directed graph over nodes 0 .. NodeCount()-1:
// built from edges (NewGraph, GraphBuilder), a host's graph seen through
// Go callbacks (WrapGraph), or a catalog's package graph (Catalog.Graph).
// All kinds answer the same traversals.
//
// A built graph and a catalog's graph are safe for concurrent use; a
// wrapped graph is as safe as its callbacks are. Close must not run
// concurrently with other calls.
type Graph struct {
	c       *C.otaprio_graph // a built graph, owned
	catalog *Catalog         // the owner of a catalog's graph
	host    *graphHost       // a wrapped graph
}

// NewGraph builds a graph of nodeCount nodes with edges from[i] -> to[i].
// A self-loop, an id that is not a node or an edge given twice is an
// error naming its position.
func NewGraph(nodeCount uint32, from, to []uint32) (*Graph, error) {
	b, err := NewGraphBuilder(nodeCount)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	if err := b.AddEdges(from, to); err != nil {
		return nil, err
	}
	return b.Build()
}

// WrapGraph makes a graph that walks a host's graph of nodeCount nodes
// through callbacks, copying nothing: each traversal asks successors (and
// predecessors, for backward traversals; nil makes those fail with
// ErrInvalid) as it goes. With callbacks that list neighbours in
// ascending order, every answer is the same as a built graph's.
//
// A wrapped graph holds no C memory: Close is a no-op kept for symmetry.
func WrapGraph(nodeCount uint32, successors, predecessors NeighbourFunc) (*Graph, error) {
	const op = "WrapGraph"
	if successors == nil {
		return nil, argError(op, StatusInvalid, "successors", -1, "the successors callback is required")
	}
	h := &graphHost{nodes: nodeCount, successors: successors, predecessors: predecessors}
	// One handle made and freed here, so that the library checks the
	// node count now rather than at the first traversal.
	if err := h.wrap(op, newDiag(), nil); err != nil {
		return nil, err
	}
	return &Graph{host: h}, nil
}

// Close frees a built graph; it is idempotent, and a no-op on a
// catalog's graph (the catalog owns it) and a wrapped one.
func (g *Graph) Close() error {
	if g.c != nil {
		C.otaprio_graph_free(g.c)
		g.c = nil
		runtime.SetFinalizer(g, nil)
	}
	return nil
}

// handle returns the C graph of a built or catalog graph.
func (g *Graph) handle(op string) (*C.otaprio_graph, error) {
	if g.catalog != nil {
		if g.catalog.c == nil {
			return nil, closedError(op, "catalog")
		}
		return C.otaprio_catalog_graph(g.catalog.c), nil
	}
	if g.c == nil {
		return nil, closedError(op, "graph")
	}
	return g.c, nil
}

// call runs one library call on the graph, whatever its kind.
func (g *Graph) call(op string, fn func(*C.otaprio_graph, *C.otaprio_diag) C.int) error {
	d := newDiag()
	if g.host != nil {
		return g.host.wrap(op, d, fn)
	}
	h, err := g.handle(op)
	if err != nil {
		return err
	}
	status := fn(h, d)
	runtime.KeepAlive(g)
	return check(op, status, d)
}

// NodeCount returns the number of nodes (0 once closed).
func (g *Graph) NodeCount() uint32 {
	if g.host != nil {
		return g.host.nodes
	}
	h, err := g.handle("")
	if err != nil {
		return 0
	}
	n := uint32(C.otaprio_graph_node_count(h))
	runtime.KeepAlive(g)
	return n
}

// EdgeCount returns the number of edges of a built or catalog graph; 0
// for a wrapped graph, whose edges are not counted, and once closed.
func (g *Graph) EdgeCount() uint64 {
	if g.host != nil {
		return 0
	}
	h, err := g.handle("")
	if err != nil {
		return 0
	}
	n := uint64(C.otaprio_graph_edge_count(h))
	runtime.KeepAlive(g)
	return n
}

// Neighbours returns a node's successors (DirectionForward) or
// predecessors (DirectionBackward): in ascending order for a built graph,
// in the callback's order for a wrapped one.
func (g *Graph) Neighbours(node uint32, dir Direction) ([]uint32, error) {
	const op = "Graph.Neighbours"
	out := make([]uint32, 8)
	for {
		var count C.size_t
		err := g.call(op, func(h *C.otaprio_graph, d *C.otaprio_diag) C.int {
			return C.otaprio_graph_neighbours(h, C.uint32_t(node), C.int32_t(dir),
				graphOut[C.uint32_t](out), C.size_t(len(out)), &count, d)
		})
		if err != nil {
			// A buffer too small is told by a count past it; retry
			// once with room for all.
			if e, ok := err.(*Error); ok && e.Status == StatusRange && uint64(count) > uint64(len(out)) {
				out = make([]uint32, int(count))
				continue
			}
			return nil, err
		}
		return out[:int(count)], nil
	}
}

// Order returns a topological order: every edge u -> v has u before v.
// Kahn's algorithm with a first-in first-out queue seeded with the
// sources in ascending id order, so the order is the same on every run.
//
// On a cycle the error is a *CycleError holding the cycle
// (errors.Is(err, ErrCycle)).
func (g *Graph) Order() ([]uint32, error) {
	const op = "Graph.Order"
	order := make([]uint32, g.NodeCount())
	err := g.call(op, func(h *C.otaprio_graph, d *C.otaprio_diag) C.int {
		return C.otaprio_graph_order(h, graphOut[C.uint32_t](order), d)
	})
	if err != nil {
		return nil, g.withCycle(err)
	}
	return order, nil
}

// withCycle turns the library's ErrCycle into a *CycleError holding the
// cycle; other errors pass unchanged.
func (g *Graph) withCycle(err error) error {
	e, ok := err.(*Error)
	if !ok || e.Status != StatusCycle {
		return err
	}
	cycle, findErr := g.FindCycle()
	if findErr != nil {
		return err
	}
	return &CycleError{Err: e, Cycle: cycle}
}

// FindCycle returns one directed cycle, c[0] -> ... -> c[len-1] -> c[0]
// (the one Order reports), or nil for an acyclic graph. A self-loop of a
// wrapped graph is a cycle of one node.
func (g *Graph) FindCycle() ([]uint32, error) {
	const op = "Graph.FindCycle"
	cycle := make([]uint32, g.NodeCount())
	var length C.size_t
	err := g.call(op, func(h *C.otaprio_graph, d *C.otaprio_diag) C.int {
		return C.otaprio_graph_find_cycle(h, graphOut[C.uint32_t](cycle),
			C.size_t(len(cycle)), &length, d)
	})
	if err != nil || length == 0 {
		return nil, err
	}
	return cycle[:int(length)], nil
}

// Reach marks every node reachable from sources, the sources included:
// forward finds what the sources lead to (what inherits a flaw), backward
// what leads to them (what they depend on). It returns one flag per node
// and the number of nodes reached. Sources may repeat.
func (g *Graph) Reach(dir Direction, sources []uint32) ([]bool, uint64, error) {
	const op = "Graph.Reach"
	reached := make([]bool, g.NodeCount())
	var count C.uint64_t
	err := g.call(op, func(h *C.otaprio_graph, d *C.otaprio_diag) C.int {
		return C.otaprio_graph_reach(h, C.int32_t(dir), graphIn[C.uint32_t](sources),
			C.size_t(len(sources)), graphOut[C.uint8_t](reached), &count, d)
	})
	if err != nil {
		return nil, 0, err
	}
	return reached, uint64(count), nil
}

// ReachList lists the nodes reachable from sources, the sources included,
// in breadth-first order: the same search as Reach, answered as ids, so
// that a small reach in a large graph costs only what it finds.
func (g *Graph) ReachList(dir Direction, sources []uint32) ([]uint32, error) {
	const op = "Graph.ReachList"
	size := len(sources) + 64
	if n := int(g.NodeCount()); size > n {
		size = n
	}
	for {
		out := make([]uint32, size)
		var count C.size_t
		err := g.call(op, func(h *C.otaprio_graph, d *C.otaprio_diag) C.int {
			return C.otaprio_graph_reach_list(h, C.int32_t(dir), graphIn[C.uint32_t](sources),
				C.size_t(len(sources)), graphOut[C.uint32_t](out), C.size_t(len(out)), &count, d)
		})
		if err != nil {
			if e, ok := err.(*Error); ok && e.Status == StatusRange && uint64(count) > uint64(len(out)) {
				size = int(count)
				continue
			}
			return nil, err
		}
		return out[:int(count)], nil
	}
}

// StrongComponents are a graph's strongly connected components.
type StrongComponents struct {
	// Component is each node's component number. Components are
	// numbered in a topological order of the condensation: an edge
	// u -> v between two components has Component[u] < Component[v].
	Component []uint32
	// Count is the number of components.
	Count uint32
}

// Groups returns the nodes of each component, by component number, each
// in ascending order. A group of more than one node is a set of mutually
// dependent nodes.
func (s StrongComponents) Groups() [][]uint32 {
	groups := make([][]uint32, s.Count)
	for node, c := range s.Component {
		groups[c] = append(groups[c], uint32(node))
	}
	for _, g := range groups {
		sort.Slice(g, func(i, j int) bool { return g[i] < g[j] })
	}
	return groups
}

// StrongComponents returns the graph's strongly connected components.
func (g *Graph) StrongComponents() (StrongComponents, error) {
	const op = "Graph.StrongComponents"
	component := make([]uint32, g.NodeCount())
	var count C.uint32_t
	err := g.call(op, func(h *C.otaprio_graph, d *C.otaprio_diag) C.int {
		return C.otaprio_graph_scc(h, graphOut[C.uint32_t](component), &count, d)
	})
	if err != nil {
		return StrongComponents{}, err
	}
	return StrongComponents{Component: component, Count: uint32(count)}, nil
}

// GraphBuilder collects edges for a graph. It is not safe for concurrent
// use. Close frees it; graphs it built live on.
type GraphBuilder struct {
	c *C.otaprio_graph_builder
}

// NewGraphBuilder starts a graph of nodeCount nodes, ids 0 .. nodeCount-1
// (at most MaxGraphNodes).
func NewGraphBuilder(nodeCount uint32) (*GraphBuilder, error) {
	var c *C.otaprio_graph_builder
	d := newDiag()
	if err := check("NewGraphBuilder", C.otaprio_graph_builder_create(C.uint32_t(nodeCount), nil, &c, d), d); err != nil {
		return nil, err
	}
	b := &GraphBuilder{c: c}
	runtime.SetFinalizer(b, (*GraphBuilder).Close)
	return b, nil
}

// Close frees the builder; it is idempotent.
func (b *GraphBuilder) Close() error {
	if b.c != nil {
		C.otaprio_graph_builder_free(b.c)
		b.c = nil
		runtime.SetFinalizer(b, nil)
	}
	return nil
}

// AddEdges adds the edges from[i] -> to[i]. The batch is checked whole
// before any edge is kept: on error the builder is unchanged and the
// error's Index is the offending position. Duplicates are found by Build.
func (b *GraphBuilder) AddEdges(from, to []uint32) error {
	const op = "GraphBuilder.AddEdges"
	if b.c == nil {
		return closedError(op, "builder")
	}
	if len(from) != len(to) {
		return argError(op, StatusInvalid, "to", -1, "%d targets for %d sources", len(to), len(from))
	}
	if len(from) == 0 {
		return nil
	}
	d := newDiag()
	status := C.otaprio_graph_builder_add_edges(b.c, graphIn[C.uint32_t](from),
		graphIn[C.uint32_t](to), C.size_t(len(from)), d)
	runtime.KeepAlive(b)
	return check(op, status, d)
}

// AddEdge adds the edge from -> to.
func (b *GraphBuilder) AddEdge(from, to uint32) error {
	return b.AddEdges([]uint32{from}, []uint32{to})
}

// Build builds the graph from the edges added so far. Rows are sorted,
// so no answer depends on the order edges were added in. The builder
// stays usable: more edges may be added and built again.
func (b *GraphBuilder) Build() (*Graph, error) {
	const op = "GraphBuilder.Build"
	if b.c == nil {
		return nil, closedError(op, "builder")
	}
	var c *C.otaprio_graph
	d := newDiag()
	status := C.otaprio_graph_builder_build(b.c, &c, d)
	runtime.KeepAlive(b)
	if err := check(op, status, d); err != nil {
		return nil, err
	}
	g := &Graph{c: c}
	runtime.SetFinalizer(g, (*Graph).Close)
	return g, nil
}
