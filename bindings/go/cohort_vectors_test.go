// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"otaprio"
)

// The cohort golden vectors (tests/vectors/cohort_vectors.h and
// cohort_report_vectors.h) are C initialisers; this reads them as a tree
// of braces, atoms and strings, and resolves the names of the static
// arrays they refer to.

type cohortNode struct {
	list  []cohortNode
	atom  string
	str   string
	isStr bool
}

var cohortComments = regexp.MustCompile(`(?s)/\*.*?\*/|//[^\n]*`)
var cohortArrayDecl = regexp.MustCompile(`static const [A-Za-z_0-9 ]+?\s\**(\w+)\[\]\s*=\s*`)

// cohortHeader maps each static array's name to its initialiser.
type cohortHeader map[string]cohortNode

func cohortParseHeader(t testing.TB, name string) cohortHeader {
	t.Helper()
	text := cohortComments.ReplaceAllString(readVectors(t, name), "")
	out := cohortHeader{}
	for _, m := range cohortArrayDecl.FindAllStringSubmatchIndex(text, -1) {
		name := text[m[2]:m[3]]
		rest := text[m[1]:]
		node, _ := cohortParseNode(t, rest)
		out[name] = node
	}
	return out
}

// cohortParseNode parses one initialiser from the start of text and
// returns it with the text after it.
func cohortParseNode(t testing.TB, text string) (cohortNode, string) {
	text = strings.TrimLeft(text, " \t\r\n")
	switch {
	case strings.HasPrefix(text, "{"):
		var node cohortNode
		text = text[1:]
		for {
			text = strings.TrimLeft(text, " \t\r\n")
			if strings.HasPrefix(text, "}") {
				return node, text[1:]
			}
			var item cohortNode
			item, text = cohortParseNode(t, text)
			node.list = append(node.list, item)
			text = strings.TrimLeft(text, " \t\r\n")
			text = strings.TrimPrefix(text, ",")
		}
	case strings.HasPrefix(text, `"`):
		// Adjacent literals concatenate.
		var b strings.Builder
		for strings.HasPrefix(text, `"`) {
			end := 1
			for text[end] != '"' {
				if text[end] == '\\' {
					end++
				}
				end++
			}
			b.Write(cString(text[1:end]))
			text = strings.TrimLeft(text[end+1:], " \t\r\n")
		}
		return cohortNode{str: b.String(), isStr: true}, text
	default:
		end := strings.IndexAny(text, ",}")
		if end < 0 {
			t.Fatalf("golden vectors: unterminated atom %.40q", text)
		}
		semi := strings.Index(text, ";")
		if semi >= 0 && semi < end {
			end = semi
		}
		return cohortNode{atom: strings.TrimSpace(text[:end])}, text[end:]
	}
}

var cohortMethods = map[string]otaprio.CohortMethod{
	"OTAPRIO_COHORT_HASH_THRESHOLD":   otaprio.CohortMethodHashThreshold,
	"OTAPRIO_COHORT_PROPORTIONAL":     otaprio.CohortMethodProportional,
	"OTAPRIO_COHORT_MINIMUM_COVERAGE": otaprio.CohortMethodMinimumCoverage,
	"OTAPRIO_COHORT_NEYMAN":           otaprio.CohortMethodNeyman,
}

func cohortAtom(n cohortNode) string {
	a := strings.TrimSpace(n.atom)
	if strings.HasPrefix(a, "UINT64_C(") {
		a = strings.TrimSuffix(strings.TrimPrefix(a, "UINT64_C("), ")")
	}
	return a
}

func cohortInt(t testing.TB, n cohortNode) int64 {
	t.Helper()
	if m, ok := cohortMethods[cohortAtom(n)]; ok {
		return int64(m)
	}
	a := strings.TrimRight(cohortAtom(n), "uUlL")
	v, err := strconv.ParseInt(a, 0, 64)
	if err != nil {
		t.Fatalf("golden vectors: %v", err)
	}
	return v
}

func cohortUint(t testing.TB, n cohortNode) uint64 {
	t.Helper()
	return parseUint(t, strings.TrimRight(cohortAtom(n), "uUlL"))
}

func cohortFloat(t testing.TB, n cohortNode) float64 {
	t.Helper()
	a := cohortAtom(n)
	if strings.Contains(a, "p") {
		a = strings.TrimSuffix(a, "f") // a float's suffix, after the exponent
	}
	return parseFloat(t, a)
}

// array resolves a name (or NULL) to its initialiser's items.
func (h cohortHeader) array(t testing.TB, n cohortNode) []cohortNode {
	t.Helper()
	a := cohortAtom(n)
	if a == "NULL" {
		return nil
	}
	node, ok := h[a]
	if !ok {
		t.Fatalf("golden vectors: no array %s", a)
	}
	return node.list
}

func (h cohortHeader) str(t testing.TB, n cohortNode) string {
	t.Helper()
	node, ok := h[cohortAtom(n)]
	if !ok || !node.isStr {
		t.Fatalf("golden vectors: no string %s", cohortAtom(n))
	}
	return node.str
}

func (h cohortHeader) uints(t testing.TB, n cohortNode) []uint64 {
	var out []uint64
	for _, item := range h.array(t, n) {
		out = append(out, cohortUint(t, item))
	}
	return out
}

func (h cohortHeader) uint32s(t testing.TB, n cohortNode) []uint32 {
	var out []uint32
	for _, v := range h.uints(t, n) {
		out = append(out, uint32(v))
	}
	return out
}

func (h cohortHeader) floats(t testing.TB, n cohortNode) []float64 {
	var out []float64
	for _, item := range h.array(t, n) {
		out = append(out, cohortFloat(t, item))
	}
	return out
}

// ---- the cohort vectors ---------------------------------------------------

type cohortVectorFleet struct {
	seed                                                                uint64
	n                                                                   int
	cardinalities, codeWeights, firstWaveWeights                        []uint32
	criticalPermille, chargingPermille, meteredPermille, excludedPermil int64
	battery                                                             bool
	clusterCount                                                        uint64
	fingerprint                                                         uint64
}

type cohortVector struct {
	name            string
	fleet           cohortVectorFleet
	spec            otaprio.CohortSpec
	waves           []otaprio.CohortWave
	strataIDs       []uint64
	strataFleet     []uint64
	strataEligible  []uint64 // [stratum*waves + wave]
	strataSelected  []uint64
	listedDevice    []uint64
	listedWave      string
	listedStratum   []uint64
	assign          string
	reports         []otaprio.Representativeness
	reportTolerance float64
}

func cohortReportOf(t testing.TB, h cohortHeader, r []cohortNode) otaprio.Representativeness {
	t.Helper()
	out := otaprio.Representativeness{
		Fleet: cohortUint(t, r[0]), Cohort: cohortUint(t, r[1]), Strata: cohortUint(t, r[2]),
		StrataCovered: cohortUint(t, r[3]), StrataCoverage: cohortFloat(t, r[4]),
		MassCoverage: cohortFloat(t, r[5]), TVD: cohortFloat(t, r[6]),
		TVDDimension: []float64{}, Worst: []otaprio.UnderCoveredStratum{},
	}
	dims := int(cohortUint(t, r[7]))
	for i := 0; i < dims; i++ {
		out.TVDDimension = append(out.TVDDimension, cohortFloat(t, r[8].list[i]))
	}
	worst := int(cohortUint(t, r[9]))
	for i := 0; i < worst; i++ {
		out.Worst = append(out.Worst, otaprio.UnderCoveredStratum{Stratum: cohortUint(t, r[10].list[i]),
			FleetShare: cohortFloat(t, r[11].list[i]), CohortShare: cohortFloat(t, r[12].list[i])})
	}
	return out
}

func cohortVectors(t testing.TB) []cohortVector {
	t.Helper()
	h := cohortParseHeader(t, "cohort_vectors.h")
	var out []cohortVector
	for _, c := range h["cohort_vectors"].list {
		f, s := c.list[1].list, c.list[2].list
		v := cohortVector{name: c.list[0].str}
		v.fleet = cohortVectorFleet{
			seed: cohortUint(t, f[0]), n: int(cohortUint(t, f[1])),
			cardinalities: h.uint32s(t, f[3]), codeWeights: h.uint32s(t, f[4]),
			criticalPermille: cohortInt(t, f[5]), battery: cohortInt(t, f[6]) != 0,
			chargingPermille: cohortInt(t, f[7]), meteredPermille: cohortInt(t, f[8]),
			clusterCount: cohortUint(t, f[9]), excludedPermil: cohortInt(t, f[10]),
			fingerprint: cohortUint(t, f[13]),
		}
		if int(cohortUint(t, f[2])) != len(v.fleet.cardinalities) && cohortUint(t, f[2]) != 0 {
			t.Fatalf("%s: dimension count", v.name)
		}
		v.fleet.cardinalities = v.fleet.cardinalities[:cohortUint(t, f[2])]
		if n := cohortUint(t, f[11]); n > 0 {
			v.fleet.firstWaveWeights = h.uint32s(t, f[12])[:n]
		}
		spec := otaprio.DefaultCohortSpec()
		spec.Salt = cohortUint(t, s[0])
		spec.Method = otaprio.CohortMethod(cohortInt(t, s[1]))
		spec.Waves = h.floats(t, s[3])[:cohortUint(t, s[2])]
		spec.MinimumPerStratum = uint32(cohortUint(t, s[4]))
		spec.StratumSD = h.floats(t, s[5])
		if uint64(len(spec.StratumSD)) != cohortUint(t, s[6]) {
			t.Fatalf("%s: stratum_sd_count", v.name)
		}
		spec.RetainFraction = cohortFloat(t, s[7])
		spec.CriticalFirstWave = uint32(cohortUint(t, s[8]))
		spec.MinimumBattery = float32(cohortFloat(t, s[9]))
		spec.ExcludeMetered = cohortInt(t, s[10]) != 0
		if n := cohortUint(t, s[12]); n > 0 {
			spec.ExcludedClusters = h.uint32s(t, s[11])[:n]
		}
		spec.CapDimension = int32(cohortInt(t, s[13]))
		spec.Caps = h.uints(t, s[14])
		spec.Cardinalities = v.fleet.cardinalities
		v.spec = spec

		for _, w := range h.array(t, c.list[3]) {
			x := w.list
			v.waves = append(v.waves, otaprio.CohortWave{
				Fraction: cohortFloat(t, x[0]), Fleet: cohortUint(t, x[1]), Eligible: cohortUint(t, x[2]),
				Target: cohortUint(t, x[3]), Selected: cohortUint(t, x[4]), Shortfall: cohortUint(t, x[5]),
				Strata: cohortUint(t, x[6]), StrataCovered: cohortUint(t, x[7]),
				StrataShortOfMinimum: cohortUint(t, x[8]), Listed: cohortInt(t, x[9]) != 0,
			})
		}
		strata := int(cohortUint(t, c.list[4]))
		v.strataIDs = h.uints(t, c.list[5])[:strata]
		v.strataFleet = h.uints(t, c.list[6])[:strata]
		v.strataEligible = h.uints(t, c.list[7])
		v.strataSelected = h.uints(t, c.list[8])
		listed := int(cohortUint(t, c.list[9]))
		v.listedDevice = h.uints(t, c.list[10])
		v.listedWave = h.str(t, c.list[11])
		v.listedStratum = h.uints(t, c.list[12])
		if listed == 0 {
			v.listedDevice, v.listedStratum = nil, nil
		}
		v.listedDevice, v.listedStratum = v.listedDevice[:listed], v.listedStratum[:listed]
		v.assign = h.str(t, c.list[13])
		for _, r := range h.array(t, c.list[14]) {
			v.reports = append(v.reports, cohortReportOf(t, h, r.list))
		}
		if len(v.waves) != len(spec.Waves) || len(v.reports) != len(spec.Waves) ||
			len(v.assign) != v.fleet.n || len(v.listedWave) != listed ||
			len(v.strataSelected) != strata*len(spec.Waves) {
			t.Fatalf("%s: the vectors are inconsistent", v.name)
		}
		out = append(out, v)
	}
	if len(out) < 15 {
		t.Fatalf("read %d cohort vectors: the parser lost some", len(out))
	}
	return out
}

// ---- the fleet, redrawn as tests/unit/test_cohort_vectors.c does -----------

type cohortSplitmix uint64

func (s *cohortSplitmix) next() uint64 {
	*s += 0x9E3779B97F4A7C15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func cohortWeighted(draw uint64, weights []uint32) uint32 {
	var total, sum uint64
	for _, w := range weights {
		total += uint64(w)
	}
	r := draw % total
	for i, w := range weights {
		sum += uint64(w)
		if r < sum {
			return uint32(i)
		}
	}
	panic("weights sum to nothing")
}

func cohortFlag(draw uint64, permille int64) uint8 {
	if draw%1000 < uint64(permille) {
		return 1
	}
	return 0
}

// cohortDraw redraws a vector's fleet and checks the generator's
// fingerprint. The chunk holds the whole fleet; a dimension whose codes are
// all 0 is a nil column, as the C replay gives the library.
func cohortDraw(t testing.TB, f cohortVectorFleet) otaprio.CohortChunk {
	t.Helper()
	n := f.n
	d := otaprio.CohortChunk{Keys: make([]uint64, n), Codes: make([][]uint32, len(f.cardinalities))}
	for k := range d.Codes {
		d.Codes[k] = make([]uint32, n)
	}
	if f.criticalPermille >= 0 {
		d.Critical = make([]uint8, n)
	}
	if f.battery {
		d.Battery = make([]float32, n)
	}
	if f.chargingPermille >= 0 {
		d.Charging = make([]uint8, n)
	}
	if f.meteredPermille >= 0 {
		d.Metered = make([]uint8, n)
	}
	if f.clusterCount > 0 {
		d.Cluster = make([]uint32, n)
	}
	if f.excludedPermil >= 0 {
		d.Excluded = make([]uint8, n)
	}
	if len(f.firstWaveWeights) > 0 {
		d.FirstWave = make([]uint8, n)
	}
	s := cohortSplitmix(f.seed)
	h := uint64(0xCBF29CE484222325)
	fnv := func(word uint64) { h = (h ^ word) * 0x100000001B3 }
	for i := 0; i < n; i++ {
		d.Keys[i] = s.next()
		fnv(d.Keys[i])
		weights := f.codeWeights
		for k, card := range f.cardinalities {
			d.Codes[k][i] = cohortWeighted(s.next(), weights[:card])
			weights = weights[card:]
			fnv(uint64(d.Codes[k][i]))
		}
		if d.Critical != nil {
			d.Critical[i] = cohortFlag(s.next(), f.criticalPermille)
			fnv(uint64(d.Critical[i]))
		}
		if d.Battery != nil {
			d.Battery[i] = float32(float64(s.next()%101) / 100.0)
			fnv(uint64(math.Float32bits(d.Battery[i])))
		}
		if d.Charging != nil {
			d.Charging[i] = cohortFlag(s.next(), f.chargingPermille)
			fnv(uint64(d.Charging[i]))
		}
		if d.Metered != nil {
			d.Metered[i] = cohortFlag(s.next(), f.meteredPermille)
			fnv(uint64(d.Metered[i]))
		}
		if d.Cluster != nil {
			d.Cluster[i] = uint32(s.next() % f.clusterCount)
			fnv(uint64(d.Cluster[i]))
		}
		if d.Excluded != nil {
			d.Excluded[i] = cohortFlag(s.next(), f.excludedPermil)
			fnv(uint64(d.Excluded[i]))
		}
		if d.FirstWave != nil {
			d.FirstWave[i] = uint8(cohortWeighted(s.next(), f.firstWaveWeights))
			fnv(uint64(d.FirstWave[i]))
		}
	}
	if h != f.fingerprint {
		t.Fatalf("the redrawn fleet's fingerprint is %#x, want %#x", h, f.fingerprint)
	}
	for k, codes := range d.Codes {
		zeros := true
		for _, c := range codes {
			zeros = zeros && c == 0
		}
		if zeros {
			d.Codes[k] = nil
		}
	}
	return d
}

// cohortSlice is devices first .. first+count-1 of a chunk, sharing its
// memory (the columns go to C without copying).
func cohortSlice(d otaprio.CohortChunk, first, count int) otaprio.CohortChunk {
	cut8 := func(s []uint8) []uint8 {
		if s == nil {
			return nil
		}
		return s[first : first+count]
	}
	out := otaprio.CohortChunk{Keys: d.Keys[first : first+count], Critical: cut8(d.Critical),
		Charging: cut8(d.Charging), Metered: cut8(d.Metered), Excluded: cut8(d.Excluded),
		FirstWave: cut8(d.FirstWave)}
	if d.Codes != nil {
		out.Codes = make([][]uint32, len(d.Codes))
		for k, c := range d.Codes {
			if c != nil {
				out.Codes[k] = c[first : first+count]
			}
		}
	}
	if d.Battery != nil {
		out.Battery = d.Battery[first : first+count]
	}
	if d.Cluster != nil {
		out.Cluster = d.Cluster[first : first+count]
	}
	return out
}

// Uneven chunk sizes, an empty chunk among them, repeated to the end.
var cohortUneven = []int{1, 0, 17, 250, 3, 1000, 64, 2, 511, 129}

// cohortChunks cuts the fleet into uneven chunks, starting at the given
// place in cohortUneven.
func cohortChunks(d otaprio.CohortChunk, start int) []otaprio.CohortChunk {
	var out []otaprio.CohortChunk
	for i, first := 0, 0; first < len(d.Keys); i++ {
		count := min(cohortUneven[(i+start)%len(cohortUneven)], len(d.Keys)-first)
		out = append(out, cohortSlice(d, first, count))
		first += count
	}
	return out
}

func cohortMust(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func cohortNewSampler(t testing.TB, spec otaprio.CohortSpec) *otaprio.CohortSampler {
	t.Helper()
	s, err := otaprio.NewCohortSampler(spec)
	cohortMust(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// The three runs of the C replay: one chunk; uneven chunks; three shards,
// one merged as a sampler and one through its bytes.
func cohortRuns(t *testing.T, spec otaprio.CohortSpec, d otaprio.CohortChunk) map[string]*otaprio.CohortSampler {
	one := cohortNewSampler(t, spec)
	cohortMust(t, one.Observe(d))
	uneven := cohortNewSampler(t, spec)
	for _, c := range cohortChunks(d, 0) {
		cohortMust(t, uneven.Observe(c))
	}
	var shards [3]*otaprio.CohortSampler
	for k := range shards {
		shards[k] = cohortNewSampler(t, spec)
	}
	for i, c := range cohortChunks(d, 3) {
		cohortMust(t, shards[i%3].Observe(c))
	}
	cohortMust(t, shards[0].Merge(shards[1]))
	state, err := shards[2].MarshalBinary()
	cohortMust(t, err)
	cohortMust(t, shards[0].MergeBinary(state))
	return map[string]*otaprio.CohortSampler{"one chunk": one, "uneven chunks": uneven, "three shards": shards[0]}
}

// cohortSameReport compares reports: counts and shares exactly, distances
// (sums in an order the text does not fix) to a relative or absolute
// tolerance.
func cohortSameReport(t *testing.T, where string, got, want otaprio.Representativeness, relative bool) {
	t.Helper()
	near := func(a, b float64) bool {
		if relative {
			return math.Abs(a-b) <= 1e-12*math.Abs(b)
		}
		return math.Abs(a-b) <= 1e-12
	}
	if got.Fleet != want.Fleet || got.Cohort != want.Cohort || got.Strata != want.Strata ||
		got.StrataCovered != want.StrataCovered || got.StrataCoverage != want.StrataCoverage ||
		got.MassCoverage != want.MassCoverage || !near(got.TVD, want.TVD) ||
		len(got.TVDDimension) != len(want.TVDDimension) || len(got.Worst) != len(want.Worst) {
		t.Errorf("%s: report %+v, want %+v", where, got, want)
		return
	}
	for i := range want.TVDDimension {
		if !near(got.TVDDimension[i], want.TVDDimension[i]) {
			t.Errorf("%s: tvd_dimension[%d] = %v, want %v", where, i, got.TVDDimension[i], want.TVDDimension[i])
		}
	}
	for i := range want.Worst {
		if got.Worst[i] != want.Worst[i] {
			t.Errorf("%s: worst[%d] = %+v, want %+v", where, i, got.Worst[i], want.Worst[i])
		}
	}
}

func cohortWaveOf(ch byte) uint8 {
	if ch == '.' {
		return otaprio.CohortNone
	}
	return ch - '0'
}

func cohortCheck(t *testing.T, v cohortVector, d otaprio.CohortChunk, c *otaprio.Cohort) {
	waves, err := c.Waves()
	cohortMust(t, err)
	if len(waves) != len(v.waves) {
		t.Fatalf("%d waves, want %d", len(waves), len(v.waves))
	}
	for k := range waves {
		if waves[k] != v.waves[k] {
			t.Errorf("wave %d: %+v, want %+v", k, waves[k], v.waves[k])
		}
	}
	if c.StratumCount() != uint64(len(v.strataIDs)) {
		t.Fatalf("%d strata, want %d", c.StratumCount(), len(v.strataIDs))
	}
	for k := range v.waves {
		s, err := c.Strata(k)
		cohortMust(t, err)
		for h, id := range v.strataIDs {
			if s.IDs[h] != id || s.Fleet[h] != v.strataFleet[h] ||
				s.Eligible[h] != v.strataEligible[h*len(v.waves)+k] ||
				s.Selected[h] != v.strataSelected[h*len(v.waves)+k] {
				t.Errorf("wave %d stratum #%d: id %d fleet %d eligible %d selected %d", k, h,
					s.IDs[h], s.Fleet[h], s.Eligible[h], s.Selected[h])
			}
		}
	}
	devices, err := c.Devices()
	cohortMust(t, err)
	if len(devices.Keys) != len(v.listedDevice) {
		t.Fatalf("%d devices listed, want %d", len(devices.Keys), len(v.listedDevice))
	}
	for i, dev := range v.listedDevice {
		if devices.Keys[i] != d.Keys[dev] || devices.Waves[i] != cohortWaveOf(v.listedWave[i]) ||
			devices.Strata[i] != v.listedStratum[i] {
			t.Errorf("listed #%d: key %#x wave %d stratum %d, want device %d wave %c stratum %d", i,
				devices.Keys[i], devices.Waves[i], devices.Strata[i], dev, v.listedWave[i], v.listedStratum[i])
		}
	}
	if _, err := c.DeviceRange(0, uint64(len(v.listedDevice))+1); err == nil {
		t.Error("devices past the last listed: no error")
	}
	if n := uint64(len(v.listedDevice)); n >= 3 {
		window, err := c.DeviceRange(n/3, n/3)
		cohortMust(t, err)
		for i, key := range window.Keys {
			if key != devices.Keys[n/3+uint64(i)] {
				t.Errorf("window #%d: %#x", i, key)
			}
		}
	}
	assigned, err := c.Assign(d)
	cohortMust(t, err)
	byChunks := make([]uint8, 0, len(d.Keys))
	for _, chunk := range cohortChunks(d, 5) {
		w, err := c.Assign(chunk)
		cohortMust(t, err)
		byChunks = append(byChunks, w...)
	}
	for i := range d.Keys {
		if want := cohortWaveOf(v.assign[i]); assigned[i] != want || byChunks[i] != want {
			t.Errorf("assign device %d: %d (in chunks %d), want %d", i, assigned[i], byChunks[i], want)
		}
	}
	for k, want := range v.reports {
		got, err := c.Representativeness(k)
		cohortMust(t, err)
		cohortSameReport(t, fmt.Sprintf("wave %d", k), got, want, true)
	}
}

// Every case of the golden vectors, observed three ways as the C replay
// does: wave sizes, strata, listed devices, assign and reports exactly.
func TestCohortMatchesTheGoldenVectors(t *testing.T) {
	for _, v := range cohortVectors(t) {
		v := v
		t.Run(v.name, func(t *testing.T) {
			d := cohortDraw(t, v.fleet)
			for run, s := range cohortRuns(t, v.spec, d) {
				c, err := s.Finish()
				cohortMust(t, err)
				t.Run(strings.ReplaceAll(run, " ", "_"), func(t *testing.T) { cohortCheck(t, v, d, c) })
				c.Close()
			}
		})
	}
}

// ---- the report vectors, through a tally ----------------------------------

type cohortReportVector struct {
	name                string
	cardinalities       []uint32
	ids, fleet, members []uint64
	want                otaprio.Representativeness
}

func cohortReportVectors(t testing.TB) []cohortReportVector {
	h := cohortParseHeader(t, "cohort_report_vectors.h")
	var out []cohortReportVector
	for _, c := range h["report_vectors"].list {
		x := c.list
		v := cohortReportVector{name: x[0].str}
		dims := int(cohortUint(t, x[1]))
		v.cardinalities = h.uint32s(t, x[2])[:dims]
		n := int(cohortUint(t, x[3]))
		v.ids, v.fleet, v.members = h.uints(t, x[4]), h.uints(t, x[5]), h.uints(t, x[6])
		if n == 0 {
			v.ids, v.fleet, v.members = nil, nil, nil
		} else {
			v.ids, v.fleet, v.members = v.ids[:n], v.fleet[:n], v.members[:n]
		}
		v.want = otaprio.Representativeness{Fleet: cohortUint(t, x[7]), Cohort: cohortUint(t, x[8]),
			Strata: cohortUint(t, x[9]), StrataCovered: cohortUint(t, x[10]),
			StrataCoverage: cohortFloat(t, x[11]), MassCoverage: cohortFloat(t, x[12]),
			TVD: cohortFloat(t, x[13]), TVDDimension: []float64{}, Worst: []otaprio.UnderCoveredStratum{}}
		if dims > 0 {
			v.want.TVDDimension = h.floats(t, x[14])[:dims]
		}
		worst := int(cohortUint(t, x[15]))
		if worst > 0 {
			ws, fs, cs := h.uints(t, x[16]), h.floats(t, x[17]), h.floats(t, x[18])
			for i := 0; i < worst; i++ {
				v.want.Worst = append(v.want.Worst, otaprio.UnderCoveredStratum{Stratum: ws[i], FleetShare: fs[i], CohortShare: cs[i]})
			}
		}
		out = append(out, v)
	}
	if len(out) < 10 {
		t.Fatalf("read %d report vectors: the parser lost some", len(out))
	}
	return out
}

// The devices behind a report vector's counts, shuffled and tallied in
// chunks, give the reference's report, as in test_cohort_report.c.
func TestTallyMatchesTheReportVectors(t *testing.T) {
	for i, v := range cohortReportVectors(t) {
		// Each stratum id back to its codes (mixed radix, dimension 0
		// fastest), one row per device.
		var codes [][]uint32
		var flags []uint8
		for h, id := range v.ids {
			row := make([]uint32, len(v.cardinalities))
			rest := id
			for d, card := range v.cardinalities {
				row[d] = uint32(rest % uint64(card))
				rest /= uint64(card)
			}
			for k := uint64(0); k < v.fleet[h]; k++ {
				codes = append(codes, row)
				flags = append(flags, map[bool]uint8{true: 1, false: 0}[k < v.members[h]])
			}
		}
		s := cohortSplitmix(uint64(200 + i))
		for j := len(codes) - 1; j > 0; j-- { // Fisher-Yates
			r := int(s.next() % uint64(j+1))
			codes[j], codes[r] = codes[r], codes[j]
			flags[j], flags[r] = flags[r], flags[j]
		}
		n := len(codes)
		columns := make([][]uint32, len(v.cardinalities))
		for d := range columns {
			columns[d] = make([]uint32, n)
			for j, row := range codes {
				columns[d][j] = row[d]
			}
		}
		for _, chunk := range []int{n + 1, 997, 7} {
			tally, err := otaprio.NewTally(v.cardinalities)
			cohortMust(t, err)
			for first := 0; first < n; first += chunk {
				count := min(chunk, n-first)
				cut := make([][]uint32, len(columns))
				for d := range columns {
					cut[d] = columns[d][first : first+count]
				}
				cohortMust(t, tally.Add(count, cut, flags[first:first+count]))
			}
			got, err := tally.Representativeness()
			cohortMust(t, err)
			cohortSameReport(t, fmt.Sprintf("%s in chunks of %d", v.name, chunk), got, v.want, false)
			tally.Close()
		}
	}
}
