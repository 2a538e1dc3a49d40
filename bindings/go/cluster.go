// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import "runtime"

// MaxClusterAttributes is the most attribute columns a Clusterer groups
// by.
const MaxClusterAttributes = C.OTAPRIO_CLUSTER_MAX_ATTRIBUTES

// NoCluster is the cluster id of a device the include column skipped.
const NoCluster uint32 = ^uint32(0)

// Clusterer groups devices that share the values of chosen attribute
// columns (build, hardware revision, the components of a dependency
// chain...), chunk after chunk, and reports each cluster's size and canary
// coverage. Cluster ids are dense from 0 in order of first appearance
// across all chunks.
//
// Add is not safe for concurrent use; Count and Report may run
// concurrently with each other, not with Add or Close.
type Clusterer struct {
	c          *C.otaprio_clusterer
	attributes int
}

// NewClusterer starts a clusterer over attributes columns, 1 to
// MaxClusterAttributes.
func NewClusterer(attributes int) (*Clusterer, error) {
	const op = "NewClusterer"
	if attributes < 0 {
		return nil, argError(op, StatusRange, "attribute_count", -1, "attribute_count is %d", attributes)
	}
	var c *C.otaprio_clusterer
	d := newDiag()
	if err := check(op, C.otaprio_clusterer_create(C.size_t(attributes), nil, &c, d), d); err != nil {
		return nil, err
	}
	cl := &Clusterer{c: c, attributes: attributes}
	runtime.SetFinalizer(cl, (*Clusterer).Close)
	return cl, nil
}

// Close frees the clusterer; it is idempotent.
func (c *Clusterer) Close() error {
	if c.c != nil {
		C.otaprio_clusterer_free(c.c)
		c.c = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

// Attributes returns the number of attribute columns.
func (c *Clusterer) Attributes() int { return c.attributes }

// Add adds a chunk of devices and returns each one's cluster id
// (NoCluster for a device include skips). columns holds one column per
// attribute, a nil column counting as all zeros; include (1 to count the
// device, 0 to skip it) and cohort (1 for devices in the canary cohort)
// may be nil: every device counts, none is in the cohort. Every non-nil
// slice must have the same length, the chunk's device count (so a chunk
// of nil slices only has no devices). On error nothing changes.
func (c *Clusterer) Add(columns [][]uint32, include, cohort []uint8) ([]uint32, error) {
	n := clusterChunkLen(columns, include, cohort)
	cluster := make([]uint32, n)
	if err := c.AddInto(columns, include, cohort, cluster); err != nil {
		return nil, err
	}
	return cluster, nil
}

// clusterChunkLen is the length of the first non-nil slice of a chunk.
func clusterChunkLen(columns [][]uint32, include, cohort []uint8) int {
	for _, col := range columns {
		if col != nil {
			return len(col)
		}
	}
	if include != nil {
		return len(include)
	}
	return len(cohort)
}

// AddInto is Add writing the cluster ids into the caller's slice (nil, or
// as long as the chunk), so that a stream of chunks allocates nothing.
func (c *Clusterer) AddInto(columns [][]uint32, include, cohort []uint8, cluster []uint32) error {
	const op = "Clusterer.Add"
	if c.c == nil {
		return closedError(op, "clusterer")
	}
	if len(columns) != c.attributes {
		return argError(op, StatusInvalid, "columns", -1, "%d columns for %d attributes", len(columns), c.attributes)
	}
	n := clusterChunkLen(columns, include, cohort)
	for i, col := range columns {
		if col != nil && len(col) != n {
			return argError(op, StatusInvalid, "columns", int64(i), "%d values for %d devices", len(col), n)
		}
	}
	for _, f := range []struct {
		name  string
		slice []uint8
	}{{"include", include}, {"cohort", cohort}} {
		if f.slice != nil && len(f.slice) != n {
			return argError(op, StatusInvalid, f.name, -1, "%d flags for %d devices", len(f.slice), n)
		}
	}
	if cluster != nil && len(cluster) != n {
		return argError(op, StatusInvalid, "cluster", -1, "%d slots for %d devices", len(cluster), n)
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	table := make([]*C.uint32_t, len(columns))
	for i, col := range columns {
		table[i] = column[C.uint32_t](&pins, col)
	}
	d := newDiag()
	status := C.otaprio_clusterer_add(c.c, graphOut[*C.uint32_t](table), C.size_t(n),
		graphIn[C.uint8_t](include), graphIn[C.uint8_t](cohort), graphIn[C.uint32_t](cluster), d)
	runtime.KeepAlive(c)
	return check(op, status, d)
}

// Count returns the number of clusters so far (0 once closed).
func (c *Clusterer) Count() uint32 {
	if c.c == nil {
		return 0
	}
	n := uint32(C.otaprio_clusterer_count(c.c))
	runtime.KeepAlive(c)
	return n
}

// ClusterReport holds the sizes, canary coverage and defining values of
// a run of clusters, row i being cluster First+i.
type ClusterReport struct {
	// First is the id of the first cluster reported.
	First uint32
	// Members is each cluster's device count.
	Members []uint64
	// CohortMembers is each cluster's count of cohort devices; 0 means
	// the canary cohort does not cover it.
	CohortMembers []uint64
	// Values is each cluster's tuple of attribute values, the one that
	// defines it (rows share one backing array).
	Values [][]uint32
}

// Report returns clusters first .. first+number-1; ErrRange when they
// run past Count.
func (c *Clusterer) Report(first, number uint32) (*ClusterReport, error) {
	const op = "Clusterer.Report"
	if c.c == nil {
		return nil, closedError(op, "clusterer")
	}
	members := make([]uint64, number)
	cohort := make([]uint64, number)
	flat := make([]uint32, int(number)*c.attributes)
	d := newDiag()
	status := C.otaprio_clusterer_report(c.c, C.uint32_t(first), C.uint32_t(number),
		graphOut[C.uint64_t](members), graphOut[C.uint64_t](cohort), graphOut[C.uint32_t](flat), d)
	runtime.KeepAlive(c)
	if err := check(op, status, d); err != nil {
		return nil, err
	}
	values := make([][]uint32, number)
	for i := range values {
		values[i] = flat[i*c.attributes : (i+1)*c.attributes : (i+1)*c.attributes]
	}
	return &ClusterReport{First: first, Members: members, CohortMembers: cohort, Values: values}, nil
}

// ReportAll returns every cluster so far.
func (c *Clusterer) ReportAll() (*ClusterReport, error) {
	return c.Report(0, c.Count())
}
