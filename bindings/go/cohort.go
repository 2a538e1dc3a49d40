// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"math"
	"runtime"
	"unsafe"
)

// Limits of the cohort engine, from otaprio/cohort.h.
const (
	// CohortMaxDimensions is the most strata dimensions a rollout names.
	CohortMaxDimensions = C.OTAPRIO_COHORT_MAX_DIMENSIONS
	// CohortMaxWaves is the most waves in a schedule.
	CohortMaxWaves = C.OTAPRIO_COHORT_MAX_WAVES
	// CohortMaxNeymanStrata is the most joint strata a Neyman allocation
	// takes standard deviations for.
	CohortMaxNeymanStrata = C.OTAPRIO_COHORT_MAX_NEYMAN_STRATA
	// CohortMaxDevices is the most devices one sampler counts.
	CohortMaxDevices = C.OTAPRIO_COHORT_MAX_DEVICES
	// CohortNone is the wave Cohort.Assign gives a device no wave takes.
	CohortNone uint8 = C.OTAPRIO_COHORT_NONE
	// CohortReportWorst is the most under-covered strata a report names.
	CohortReportWorst = C.OTAPRIO_COHORT_REPORT_WORST
)

// CohortSpec describes a rollout: strata, wave schedule, allocation,
// exclusions and caps. Start from DefaultCohortSpec, which holds the C
// library's defaults (proportional allocation, no caps, ...), and set
// Waves and Cardinalities. The slices are copied by the library when a
// sampler or tally is created; the spec may be reused and changed after.
//
// Strata: dimension d takes codes 0 .. Cardinalities[d]-1, and a device's
// stratum id is its codes in mixed radix, dimension 0 varying fastest.
type CohortSpec struct {
	// Salt is the rollout salt (see KeyString for turning a name into one).
	Salt uint64
	// Method shares each wave's size out among the strata.
	Method CohortMethod
	// Cardinalities has one entry per strata dimension (at most
	// CohortMaxDimensions), each at least 1; none makes the fleet one
	// stratum.
	Cardinalities []uint32
	// Waves are cumulative fractions, strictly increasing, in (0, 1]. Waves
	// below 1 are canary waves, whose devices are selected and listed; a
	// final wave of 1 is the rest of the eligible fleet.
	Waves []float64
	// MinimumPerStratum is the seats each stratum receives first while the
	// wave allows; 0 is the method's default (1 for minimum coverage).
	MinimumPerStratum uint32
	// StratumSD (Neyman only) holds a standard deviation per stratum id, as
	// many as the product of the cardinalities; nil for other methods.
	StratumSD []float64
	// RetainFraction is the share of each stratum the sampler must be able
	// to select, in (0, 1]; 0 lets the library choose.
	RetainFraction float64
	// CriticalFirstWave is the first wave a critical device may join; the
	// number of waves or more keeps critical devices out of every wave.
	CriticalFirstWave uint32
	// MinimumBattery excludes devices below this charge that are not
	// charging; in [0, 1], 0 for no battery rule.
	MinimumBattery float32
	// ExcludeMetered excludes devices on a metered link.
	ExcludeMetered bool
	// ExcludedClusters are shared-fate clusters kept out of every wave.
	ExcludedClusters []uint32
	// CapDimension is the dimension whose codes are capped, or -1 for none.
	CapDimension int32
	// Caps holds one cap per code of CapDimension: the most devices with
	// that code any canary wave may hold.
	Caps []uint64
}

// DefaultCohortSpec returns a spec with the C library's defaults
// (otaprio_cohort_spec_init), read from the library rather than copied, so
// that the Go defaults can never drift from the C ones.
func DefaultCohortSpec() CohortSpec {
	var s C.otaprio_cohort_spec
	C.otaprio_cohort_spec_init(&s, C.size_t(unsafe.Sizeof(s)))
	return CohortSpec{
		Salt:              uint64(s.salt),
		Method:            CohortMethod(s.method),
		MinimumPerStratum: uint32(s.minimum_per_stratum),
		RetainFraction:    float64(s.retain_fraction),
		CriticalFirstWave: uint32(s.critical_first_wave),
		MinimumBattery:    float32(s.minimum_battery),
		ExcludeMetered:    s.exclude_metered != 0,
		CapDimension:      int32(s.cap_dimension),
	}
}

// cohortSpecToC fills a C spec pointing at spec's slices, pinned in pins
// until the call that reads it returns.
func cohortSpecToC(op string, pins *runtime.Pinner, spec *CohortSpec, out *C.otaprio_cohort_spec) error {
	C.otaprio_cohort_spec_init(out, C.size_t(unsafe.Sizeof(*out)))
	// The library reads Caps as Cardinalities[CapDimension] values: a
	// shorter slice would be read past its end, so it is refused here.
	if d := spec.CapDimension; d >= 0 && int(d) < len(spec.Cardinalities) && spec.Caps != nil &&
		uint64(len(spec.Caps)) != uint64(spec.Cardinalities[d]) {
		return argError(op, StatusInvalid, "caps", -1, "%d caps for the %d codes of dimension %d",
			len(spec.Caps), spec.Cardinalities[d], d)
	}
	out.salt = C.uint64_t(spec.Salt)
	out.method = C.int32_t(spec.Method)
	out.dimension_count = C.uint32_t(len(spec.Cardinalities))
	out.cardinalities = column[C.uint32_t](pins, spec.Cardinalities)
	out.wave_count = C.uint32_t(len(spec.Waves))
	out.waves = column[C.double](pins, spec.Waves)
	out.minimum_per_stratum = C.uint32_t(spec.MinimumPerStratum)
	out.stratum_sd = column[C.double](pins, spec.StratumSD)
	out.stratum_sd_count = C.uint64_t(len(spec.StratumSD))
	out.retain_fraction = C.double(spec.RetainFraction)
	out.critical_first_wave = C.uint32_t(spec.CriticalFirstWave)
	out.minimum_battery = C.float(spec.MinimumBattery)
	out.exclude_metered = cFlag(spec.ExcludeMetered)
	out.excluded_clusters = column[C.uint32_t](pins, spec.ExcludedClusters)
	out.excluded_cluster_count = C.size_t(len(spec.ExcludedClusters))
	out.cap_dimension = C.int32_t(spec.CapDimension)
	out.caps = column[C.uint64_t](pins, spec.Caps)
	return nil
}

// cohortSpecFromC reads a C spec back into Go, copying its arrays.
func cohortSpecFromC(s *C.otaprio_cohort_spec) CohortSpec {
	spec := CohortSpec{
		Salt:              uint64(s.salt),
		Method:            CohortMethod(s.method),
		MinimumPerStratum: uint32(s.minimum_per_stratum),
		RetainFraction:    float64(s.retain_fraction),
		CriticalFirstWave: uint32(s.critical_first_wave),
		MinimumBattery:    float32(s.minimum_battery),
		ExcludeMetered:    s.exclude_metered != 0,
		CapDimension:      int32(s.cap_dimension),
	}
	spec.Cardinalities = cohortCopy[uint32](unsafe.Pointer(s.cardinalities), uint64(s.dimension_count))
	spec.Waves = cohortCopy[float64](unsafe.Pointer(s.waves), uint64(s.wave_count))
	spec.StratumSD = cohortCopy[float64](unsafe.Pointer(s.stratum_sd), uint64(s.stratum_sd_count))
	spec.ExcludedClusters = cohortCopy[uint32](unsafe.Pointer(s.excluded_clusters), uint64(s.excluded_cluster_count))
	if d := spec.CapDimension; d >= 0 && int(d) < len(spec.Cardinalities) {
		spec.Caps = cohortCopy[uint64](unsafe.Pointer(s.caps), uint64(spec.Cardinalities[d]))
	}
	return spec
}

// cohortCopy copies n values of type T from C memory; nil for NULL.
func cohortCopy[T any](p unsafe.Pointer, n uint64) []T {
	if p == nil {
		return nil
	}
	return append([]T(nil), unsafe.Slice((*T)(p), n)...)
}

// CohortChunk is a chunk of devices as columns, each as long as Keys or
// nil when the host has no such data (the library's default then applies
// to every device). The slices are handed to C without copying and are
// not retained after the call.
type CohortChunk struct {
	// Keys are the device keys (see Key); required, unique in the fleet.
	Keys []uint64
	// Codes holds one column of codes per strata dimension, in the spec's
	// order; nil, a nil column or missing trailing columns mean code 0.
	Codes [][]uint32
	// Critical is 1 for a critical device; default 0.
	Critical []uint8
	// Battery is the charge in [0, 1]; default 1.
	Battery []float32
	// Charging is 1 when charging; default 0.
	Charging []uint8
	// Metered is 1 on a metered link; default 0.
	Metered []uint8
	// Cluster is the shared-fate cluster id; default none.
	Cluster []uint32
	// Excluded is 1 when the host's own policy excludes the device.
	Excluded []uint8
	// FirstWave is the first wave the host allows the device in; default 0.
	FirstWave []uint8
}

// Len is the number of devices in the chunk.
func (c *CohortChunk) Len() int { return len(c.Keys) }

// cohortCheckColumn refuses a column whose length is not the chunk's.
func cohortCheckColumn(op, name string, length, n int) error {
	if length != n {
		return argError(op, StatusInvalid, name, -1, "%d values for %d keys", length, n)
	}
	return nil
}

// cohortOptional is cohortCheckColumn for a column that may be nil.
func cohortOptional[E any](op, name string, column []E, n int) error {
	if column == nil {
		return nil
	}
	return cohortCheckColumn(op, name, len(column), n)
}

// cohortChunkToC fills out with pointers to chunk's columns, pinned in
// pins, after checking the lengths in Go: C trusts count for every column.
// dims is the rollout's number of dimensions: C reads that many columns.
func cohortChunkToC(op string, pins *runtime.Pinner, chunk *CohortChunk, dims int, out *C.otaprio_cohort_chunk) error {
	n := len(chunk.Keys)
	if len(chunk.Codes) > dims {
		return argError(op, StatusInvalid, "codes", -1, "%d code columns for %d dimensions", len(chunk.Codes), dims)
	}
	for d, codes := range chunk.Codes {
		if codes != nil && len(codes) != n {
			return argError(op, StatusInvalid, "codes", int64(d), "%d codes for %d keys", len(codes), n)
		}
	}
	for _, err := range []error{
		cohortOptional(op, "critical", chunk.Critical, n),
		cohortOptional(op, "battery", chunk.Battery, n),
		cohortOptional(op, "charging", chunk.Charging, n),
		cohortOptional(op, "metered", chunk.Metered, n),
		cohortOptional(op, "cluster", chunk.Cluster, n),
		cohortOptional(op, "excluded", chunk.Excluded, n),
		cohortOptional(op, "first_wave", chunk.FirstWave, n),
	} {
		if err != nil {
			return err
		}
	}
	out.count = C.size_t(n)
	out.keys = column[C.uint64_t](pins, chunk.Keys)
	out.codes = nil
	if dims > 0 && len(chunk.Codes) > 0 && n > 0 {
		// C reads dims column pointers: missing trailing ones are NULL.
		columns := make([]*C.uint32_t, dims)
		for d, codes := range chunk.Codes {
			columns[d] = column[C.uint32_t](pins, codes)
		}
		out.codes = column[*C.uint32_t](pins, columns)
	}
	out.critical = column[C.uint8_t](pins, chunk.Critical)
	out.battery = column[C.float](pins, chunk.Battery)
	out.charging = column[C.uint8_t](pins, chunk.Charging)
	out.metered = column[C.uint8_t](pins, chunk.Metered)
	out.cluster = column[C.uint32_t](pins, chunk.Cluster)
	out.excluded = column[C.uint8_t](pins, chunk.Excluded)
	out.first_wave = column[C.uint8_t](pins, chunk.FirstWave)
	return nil
}

// cohortChunkFromC views a C chunk as Go slices over the same memory,
// valid only while C lends the chunk.
func cohortChunkFromC(c *C.otaprio_cohort_chunk, dims int) CohortChunk {
	n := uint64(c.count)
	chunk := CohortChunk{
		Keys:      cohortView[uint64](unsafe.Pointer(c.keys), n),
		Critical:  cohortView[uint8](unsafe.Pointer(c.critical), n),
		Battery:   cohortView[float32](unsafe.Pointer(c.battery), n),
		Charging:  cohortView[uint8](unsafe.Pointer(c.charging), n),
		Metered:   cohortView[uint8](unsafe.Pointer(c.metered), n),
		Cluster:   cohortView[uint32](unsafe.Pointer(c.cluster), n),
		Excluded:  cohortView[uint8](unsafe.Pointer(c.excluded), n),
		FirstWave: cohortView[uint8](unsafe.Pointer(c.first_wave), n),
	}
	if chunk.Keys == nil {
		chunk.Keys = []uint64{}
	}
	if c.codes != nil && dims > 0 {
		columns := unsafe.Slice(c.codes, dims)
		chunk.Codes = make([][]uint32, dims)
		for d, p := range columns {
			chunk.Codes[d] = cohortView[uint32](unsafe.Pointer(p), n)
		}
	}
	return chunk
}

// cohortView is a slice over n values at p, without copying; nil for NULL.
func cohortView[T any](p unsafe.Pointer, n uint64) []T {
	if p == nil {
		return nil
	}
	return unsafe.Slice((*T)(p), n)
}

// CohortSampler is the streaming state of one pass, or one shard, over a
// fleet: memory bounded by the strata and their quotas, never by the
// fleet. Samplers of shards merge, directly or through their bytes, into
// exactly the state of one pass over the union.
//
// A sampler is not safe for concurrent use: use one per goroutine and
// merge them. Only reading methods (MarshalBinary, Finish) may run at
// the same time, as in the C library.
type CohortSampler struct {
	c    *C.otaprio_cohort_sampler
	dims int
}

// NewCohortSampler starts a sampler for a rollout; the spec is validated
// and copied.
func NewCohortSampler(spec CohortSpec) (*CohortSampler, error) {
	const op = "NewCohortSampler"
	var pins runtime.Pinner
	defer pins.Unpin()
	var cs C.otaprio_cohort_spec
	if err := cohortSpecToC(op, &pins, &spec, &cs); err != nil {
		return nil, err
	}
	var p *C.otaprio_cohort_sampler
	d := newDiag()
	if err := check(op, C.otaprio_cohort_sampler_create(&cs, nil, &p, d), d); err != nil {
		return nil, err
	}
	s := &CohortSampler{c: p, dims: len(spec.Cardinalities)}
	runtime.SetFinalizer(s, (*CohortSampler).Close)
	return s, nil
}

// RestoreCohortSampler starts a sampler for spec holding a state saved by
// MarshalBinary, from this process or another.
func RestoreCohortSampler(spec CohortSpec, state []byte) (*CohortSampler, error) {
	s, err := NewCohortSampler(spec)
	if err != nil {
		return nil, err
	}
	if err := s.MergeBinary(state); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close frees the sampler; it is idempotent.
func (s *CohortSampler) Close() error {
	if s.c != nil {
		C.otaprio_cohort_sampler_free(s.c)
		s.c = nil
		runtime.SetFinalizer(s, nil)
	}
	return nil
}

func (s *CohortSampler) closed(op string) error {
	if s == nil || s.c == nil {
		return closedError(op, "sampler")
	}
	return nil
}

// Observe adds a chunk of devices. On any error the sampler is as it was.
func (s *CohortSampler) Observe(chunk CohortChunk) error {
	const op = "CohortSampler.Observe"
	if err := s.closed(op); err != nil {
		return err
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	var cc C.otaprio_cohort_chunk
	C.otaprio_cohort_chunk_init(&cc, C.size_t(unsafe.Sizeof(cc)))
	if err := cohortChunkToC(op, &pins, &chunk, s.dims, &cc); err != nil {
		return err
	}
	d := newDiag()
	status := C.otaprio_cohort_sampler_observe(s.c, &cc, d)
	runtime.KeepAlive(s)
	return check(op, status, d)
}

// Merge folds another sampler of the same rollout into s; other is only
// read. On error s is as it was.
func (s *CohortSampler) Merge(other *CohortSampler) error {
	const op = "CohortSampler.Merge"
	if err := s.closed(op); err != nil {
		return err
	}
	if err := other.closed(op); err != nil {
		return argError(op, StatusInvalid, "other", -1, "the other sampler is closed")
	}
	d := newDiag()
	status := C.otaprio_cohort_sampler_merge(s.c, other.c, d)
	runtime.KeepAlive(s)
	runtime.KeepAlive(other)
	return check(op, status, d)
}

// MarshalBinary saves the sampler's state as bytes (versioned,
// fingerprinted with the rollout, checksummed; the same state always gives
// the same bytes), for MergeBinary or RestoreCohortSampler elsewhere.
func (s *CohortSampler) MarshalBinary() ([]byte, error) {
	const op = "CohortSampler.MarshalBinary"
	if err := s.closed(op); err != nil {
		return nil, err
	}
	defer runtime.KeepAlive(s)
	var length C.size_t
	d := newDiag()
	if err := check(op, C.otaprio_cohort_sampler_serialize(s.c, nil, 0, &length, d), d); err != nil {
		return nil, err
	}
	buf := make([]byte, int(length))
	if len(buf) == 0 {
		return buf, nil
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	status := C.otaprio_cohort_sampler_serialize(s.c, unsafe.Pointer(column[C.uint8_t](&pins, buf)),
		C.size_t(len(buf)), &length, d)
	if err := check(op, status, d); err != nil {
		return nil, err
	}
	return buf[:int(length)], nil
}

// MergeBinary folds a state saved by MarshalBinary into s. The bytes are
// checked as outside data; on error s is as it was.
func (s *CohortSampler) MergeBinary(state []byte) error {
	const op = "CohortSampler.MergeBinary"
	if err := s.closed(op); err != nil {
		return err
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	p := unsafe.Pointer(column[C.uint8_t](&pins, state))
	if p == nil {
		// Empty bytes are not a state; C refuses a NULL pointer as
		// invalid, while this is a syntax matter: let C say so on a
		// non-NULL pointer to nothing.
		var empty [1]byte
		p = unsafe.Pointer(&empty[0])
	}
	d := newDiag()
	status := C.otaprio_cohort_sampler_merge_serialized(s.c, p, C.size_t(len(state)), d)
	runtime.KeepAlive(s)
	return check(op, status, d)
}

// Finish allocates every wave and selects its devices from everything
// seen so far. The sampler is only read: it may observe more afterwards,
// and finishing again gives the cohort of everything seen by then.
func (s *CohortSampler) Finish() (*Cohort, error) {
	const op = "CohortSampler.Finish"
	if err := s.closed(op); err != nil {
		return nil, err
	}
	var p *C.otaprio_cohort
	d := newDiag()
	status := C.otaprio_cohort_sampler_finish(s.c, nil, &p, d)
	runtime.KeepAlive(s)
	if err := check(op, status, d); err != nil {
		return nil, err
	}
	c := &Cohort{c: p, dims: s.dims, owned: true}
	runtime.SetFinalizer(c, (*Cohort).Close)
	return c, nil
}

// Cohort is a finished cohort: the waves chosen from a sampler's devices.
// It is immutable and safe for concurrent use by any number of
// goroutines; only Close must wait until no other goroutine uses it.
type Cohort struct {
	c     *C.otaprio_cohort
	dims  int
	owned bool // false for a cohort another object owns
	owner any  // keeps that object alive
}

// newCohortView wraps a cohort another object owns (a plan's), which
// stays alive as long as the view: Close does not free it. For the other
// engines' bindings.
func newCohortView(p unsafe.Pointer, dims int, owner any) *Cohort {
	if p == nil {
		return nil
	}
	return &Cohort{c: (*C.otaprio_cohort)(p), dims: dims, owner: owner}
}

// Close frees the cohort; it is idempotent.
func (c *Cohort) Close() error {
	if c.c != nil {
		if c.owned {
			C.otaprio_cohort_free(c.c)
		}
		c.c = nil
		c.owner = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

// waveArgument refuses a call on a closed cohort, or a wave no uint32
// names (the library refuses one past the schedule).
func (c *Cohort) waveArgument(op string, wave int) error {
	if err := c.closed(op); err != nil {
		return err
	}
	if wave < 0 || uint64(wave) > math.MaxUint32 {
		return argError(op, StatusRange, "wave", int64(wave), "no wave %d", wave)
	}
	return nil
}

func (c *Cohort) closed(op string) error {
	if c == nil || c.c == nil {
		return closedError(op, "cohort")
	}
	return nil
}

// CohortWave is one wave's sizes.
type CohortWave struct {
	// Fraction is the wave's cumulative fraction.
	Fraction float64
	// Fleet is the devices observed, eligible or not.
	Fleet uint64
	// Eligible is the devices eligible at this wave.
	Eligible uint64
	// Target is the devices the fraction asks for.
	Target uint64
	// Selected is the devices in this wave and the ones before.
	Selected uint64
	// Shortfall is the seats no eligible device could take.
	Shortfall uint64
	// Strata is the strata with at least one device in the fleet.
	Strata uint64
	// StrataCovered is the strata with at least one selected device.
	StrataCovered uint64
	// StrataShortOfMinimum is the strata with an eligible device that did
	// not receive their minimum seats because the wave was too small.
	StrataShortOfMinimum uint64
	// Listed is true for a canary wave, whose devices Devices lists; false
	// for a final wave of 1.
	Listed bool
}

// WaveCount is the number of waves in the schedule.
func (c *Cohort) WaveCount() int {
	if c == nil || c.c == nil {
		return 0
	}
	n := int(C.otaprio_cohort_wave_count(c.c))
	runtime.KeepAlive(c)
	return n
}

// Wave reports one wave's sizes, waves counted from 0.
func (c *Cohort) Wave(wave int) (CohortWave, error) {
	const op = "Cohort.Wave"
	if err := c.waveArgument(op, wave); err != nil {
		return CohortWave{}, err
	}
	var w C.otaprio_cohort_wave
	w.size = C.size_t(unsafe.Sizeof(w))
	d := newDiag()
	status := C.otaprio_cohort_wave_info(c.c, C.uint32_t(wave), &w, d)
	runtime.KeepAlive(c)
	if err := check(op, status, d); err != nil {
		return CohortWave{}, err
	}
	return CohortWave{
		Fraction: float64(w.fraction), Fleet: uint64(w.fleet), Eligible: uint64(w.eligible),
		Target: uint64(w.target), Selected: uint64(w.selected), Shortfall: uint64(w.shortfall),
		Strata: uint64(w.strata), StrataCovered: uint64(w.strata_covered),
		StrataShortOfMinimum: uint64(w.strata_short_of_minimum), Listed: w.listed != 0,
	}, nil
}

// Waves reports every wave's sizes.
func (c *Cohort) Waves() ([]CohortWave, error) {
	if err := c.closed("Cohort.Waves"); err != nil {
		return nil, err
	}
	out := make([]CohortWave, c.WaveCount())
	for k := range out {
		w, err := c.Wave(k)
		if err != nil {
			return nil, err
		}
		out[k] = w
	}
	return out, nil
}

// CohortDevices are selected devices in the order they join: by wave,
// then stratum id, then bucket position. The devices of waves 0..k are the
// first Selected of wave k.
type CohortDevices struct {
	// Keys are the devices' keys.
	Keys []uint64
	// Waves is the wave each joins.
	Waves []uint8
	// Strata is each one's stratum id.
	Strata []uint64
}

// ListedCount is the number of devices of the canary waves: those Devices
// lists.
func (c *Cohort) ListedCount() (uint64, error) {
	waves, err := c.Waves()
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, w := range waves {
		if w.Listed && w.Selected > n {
			n = w.Selected
		}
	}
	return n, nil
}

// Devices lists every device of the canary waves.
func (c *Cohort) Devices() (CohortDevices, error) {
	n, err := c.ListedCount()
	if err != nil {
		return CohortDevices{}, err
	}
	return c.DeviceRange(0, n)
}

// DeviceRange lists count devices of the canary waves from index first,
// in the order of Devices.
func (c *Cohort) DeviceRange(first, count uint64) (CohortDevices, error) {
	const op = "Cohort.DeviceRange"
	if err := c.closed(op); err != nil {
		return CohortDevices{}, err
	}
	if count > uint64(math.MaxInt)/8 { // what Go can allocate
		return CohortDevices{}, argError(op, StatusRange, "count", -1, "%d devices is past any cohort", count)
	}
	out := CohortDevices{Keys: make([]uint64, count), Waves: make([]uint8, count), Strata: make([]uint64, count)}
	var pins runtime.Pinner
	defer pins.Unpin()
	d := newDiag()
	status := C.otaprio_cohort_devices(c.c, C.uint64_t(first), C.uint64_t(count),
		column[C.uint64_t](&pins, out.Keys), column[C.uint8_t](&pins, out.Waves),
		column[C.uint64_t](&pins, out.Strata), d)
	runtime.KeepAlive(c)
	if err := check(op, status, d); err != nil {
		return CohortDevices{}, err
	}
	return out, nil
}

// Assign says which wave each device of a chunk joins, or CohortNone;
// give the same columns as to the sampler.
func (c *Cohort) Assign(chunk CohortChunk) ([]uint8, error) {
	waves := make([]uint8, len(chunk.Keys))
	if err := c.AssignTo(chunk, waves); err != nil {
		return nil, err
	}
	return waves, nil
}

// AssignTo is Assign writing into waves, as long as the chunk: it
// allocates nothing, for a host assigning a fleet chunk after chunk. On
// error waves is untouched.
func (c *Cohort) AssignTo(chunk CohortChunk, waves []uint8) error {
	const op = "Cohort.Assign"
	if err := c.closed(op); err != nil {
		return err
	}
	if err := cohortCheckColumn(op, "waves", len(waves), len(chunk.Keys)); err != nil {
		return err
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	var cc C.otaprio_cohort_chunk
	C.otaprio_cohort_chunk_init(&cc, C.size_t(unsafe.Sizeof(cc)))
	if err := cohortChunkToC(op, &pins, &chunk, c.dims, &cc); err != nil {
		return err
	}
	d := newDiag()
	status := C.otaprio_cohort_assign(c.c, &cc, column[C.uint8_t](&pins, waves), d)
	runtime.KeepAlive(c)
	return check(op, status, d)
}

// StratumCount is the number of strata with at least one device.
func (c *Cohort) StratumCount() uint64 {
	if c == nil || c.c == nil {
		return 0
	}
	n := uint64(C.otaprio_cohort_stratum_count(c.c))
	runtime.KeepAlive(c)
	return n
}

// CohortStrata are the strata of a wave in increasing id, with the
// fleet's, the eligible and the selected devices of each.
type CohortStrata struct {
	// IDs are the stratum ids.
	IDs []uint64
	// Fleet is each stratum's devices, eligible or not.
	Fleet []uint64
	// Eligible is each stratum's devices eligible at the wave.
	Eligible []uint64
	// Selected is each stratum's devices in the wave and those before it
	// (its quota).
	Selected []uint64
}

// Strata reports every stratum of a wave.
func (c *Cohort) Strata(wave int) (CohortStrata, error) {
	const op = "Cohort.Strata"
	if err := c.waveArgument(op, wave); err != nil {
		return CohortStrata{}, err
	}
	n := c.StratumCount()
	out := CohortStrata{IDs: make([]uint64, n), Fleet: make([]uint64, n),
		Eligible: make([]uint64, n), Selected: make([]uint64, n)}
	var pins runtime.Pinner
	defer pins.Unpin()
	d := newDiag()
	status := C.otaprio_cohort_strata(c.c, C.uint32_t(wave), 0, C.uint64_t(n),
		column[C.uint64_t](&pins, out.IDs), column[C.uint64_t](&pins, out.Fleet),
		column[C.uint64_t](&pins, out.Eligible), column[C.uint64_t](&pins, out.Selected), d)
	runtime.KeepAlive(c)
	if err := check(op, status, d); err != nil {
		return CohortStrata{}, err
	}
	return out, nil
}

// Representativeness is how well a cohort mirrors the fleet: total
// variation distances between the cohort's and the fleet's strata shares,
// joint and per dimension (0 is a perfect mirror, 1 as far as can be),
// coverage, and the most under-covered strata.
type Representativeness struct {
	// Fleet is the fleet's devices, N.
	Fleet uint64
	// Cohort is the cohort's devices, C.
	Cohort uint64
	// Strata is the strata with fleet devices.
	Strata uint64
	// StrataCovered is, of those, the strata with cohort devices.
	StrataCovered uint64
	// StrataCoverage is StrataCovered / Strata; 0 for an empty fleet.
	StrataCoverage float64
	// MassCoverage is the share of the fleet's devices in covered strata.
	MassCoverage float64
	// TVD is the joint total variation distance.
	TVD float64
	// TVDDimension is the distance of each dimension's marginal.
	TVDDimension []float64
	// Worst are the most under-covered strata, worst first.
	Worst []UnderCoveredStratum
}

// UnderCoveredStratum is a stratum whose share of the cohort falls short
// of its share of the fleet.
type UnderCoveredStratum struct {
	// Stratum is the stratum id.
	Stratum uint64
	// FleetShare is its share of the fleet, N_h / N.
	FleetShare float64
	// CohortShare is its share of the cohort, c_h / C.
	CohortShare float64
}

// cohortReportFromC converts a C report.
func cohortReportFromC(r *C.otaprio_representativeness) Representativeness {
	out := Representativeness{
		Fleet: uint64(r.fleet), Cohort: uint64(r.cohort), Strata: uint64(r.strata),
		StrataCovered: uint64(r.strata_covered), StrataCoverage: float64(r.strata_coverage),
		MassCoverage: float64(r.mass_coverage), TVD: float64(r.tvd),
		TVDDimension: make([]float64, 0, int(r.dimension_count)),
		Worst:        make([]UnderCoveredStratum, 0, int(r.worst_count)),
	}
	for i := 0; i < int(r.dimension_count) && i < len(r.tvd_dimension); i++ {
		out.TVDDimension = append(out.TVDDimension, float64(r.tvd_dimension[i]))
	}
	for i := 0; i < int(r.worst_count) && i < len(r.worst_stratum); i++ {
		out.Worst = append(out.Worst, UnderCoveredStratum{uint64(r.worst_stratum[i]),
			float64(r.worst_fleet_share[i]), float64(r.worst_cohort_share[i])})
	}
	return out
}

// Representativeness scores a wave, with the waves before it, against the
// whole fleet observed.
func (c *Cohort) Representativeness(wave int) (Representativeness, error) {
	const op = "Cohort.Representativeness"
	if err := c.waveArgument(op, wave); err != nil {
		return Representativeness{}, err
	}
	var r C.otaprio_representativeness
	r.size = C.size_t(unsafe.Sizeof(r))
	d := newDiag()
	status := C.otaprio_cohort_representativeness(c.c, C.uint32_t(wave), &r, d)
	runtime.KeepAlive(c)
	if err := check(op, status, d); err != nil {
		return Representativeness{}, err
	}
	return cohortReportFromC(&r), nil
}
