// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"otaprio"
)

// The statistics' golden vectors (tests/vectors/stats_*_vectors.h, from
// scipy and mpmath) reached through the public guardrail API: each
// vector becomes a one-rule set whose only check runs the vector's test.

// guardVectorRows returns the rows of the C array of structs named array
// in a vectors header, each row's fields as tokens (nested braces
// flattened).
func guardVectorRows(t *testing.T, file, array string) [][]string {
	t.Helper()
	text := readVectors(t, file)
	marker := " " + array + "[] = {"
	start := strings.Index(text, marker)
	if start < 0 {
		t.Fatalf("%s: no array %s", file, array)
	}
	body := text[start+len(marker):]
	body = body[:strings.Index(body, "\n};")]
	var rows [][]string
	var row []string
	var token strings.Builder
	flush := func() {
		if s := strings.TrimSpace(token.String()); s != "" {
			row = append(row, s)
		}
		token.Reset()
	}
	depth := 0
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '{':
			depth++
			if depth == 1 {
				row = nil
				token.Reset()
			}
		case '}':
			flush()
			depth--
			if depth == 0 {
				rows = append(rows, row)
			}
		case ',':
			if depth >= 1 {
				flush()
			}
		default:
			if depth >= 1 {
				token.WriteByte(c)
			}
		}
	}
	if len(rows) == 0 {
		t.Fatalf("%s: array %s is empty", file, array)
	}
	return rows
}

// guardVectorFloats returns a flat C array of doubles.
func guardVectorFloats(t *testing.T, file, array string) []float64 {
	t.Helper()
	text := readVectors(t, file)
	marker := " " + array + "[] = {"
	start := strings.Index(text, marker)
	if start < 0 {
		t.Fatalf("%s: no array %s", file, array)
	}
	body := text[start+len(marker):]
	body = body[:strings.Index(body, "};")]
	var out []float64
	for _, tok := range strings.Split(body, ",") {
		if tok = strings.TrimSpace(tok); tok != "" {
			out = append(out, guardFloat(t, tok))
		}
	}
	return out
}

func guardFloat(t *testing.T, tok string) float64 {
	t.Helper()
	switch tok {
	case "(double)NAN":
		return math.NaN()
	case "HUGE_VAL":
		return math.Inf(1)
	case "-HUGE_VAL":
		return math.Inf(-1)
	}
	v, err := strconv.ParseFloat(tok, 64)
	if err != nil {
		t.Fatalf("golden vectors: %v", err)
	}
	return v
}

func guardUint(t *testing.T, tok string) uint64 {
	t.Helper()
	tok = strings.TrimSuffix(strings.TrimPrefix(tok, "UINT64_C("), ")")
	tok = strings.TrimRight(tok, "ul")
	return parseUint(t, tok)
}

// guardClose reports whether got matches want to a relative rel (equal
// infinities and NaNs match).
func guardClose(got, want, rel float64) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsInf(want, 0):
		return got == want
	case want == 0:
		return math.Abs(got) <= rel
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

const guardRel = 1e-9

// guardCloseLog compares logs of p-values: relatively, or absolutely near
// 0, where the log of a p-value close to 1 is only as precise as the
// p-value itself (about 1e-16).
func guardCloseLog(got, want float64) bool {
	return guardClose(got, want, guardRel) || math.Abs(got-want) <= 1e-14
}

// guardOne evaluates one rule on one entry and returns its result.
func guardOne(t *testing.T, options *otaprio.GuardOptions, rule otaprio.GuardRule, data otaprio.GuardData) otaprio.GuardResult {
	t.Helper()
	set, err := otaprio.NewGuardSet(options, []otaprio.GuardRule{rule})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	report, err := set.Evaluate([]otaprio.GuardData{data})
	if err != nil {
		t.Fatal(err)
	}
	defer report.Close()
	return report.Results[0]
}

// guardRuleOf is a rule of the library's defaults without a soak window.
func guardRuleOf(name string, kind otaprio.GuardKind) otaprio.GuardRule {
	r := otaprio.DefaultGuardRule(name)
	r.Kind = kind
	r.WindowHours = 0
	return r
}

// guardProportion is one row of proportion counts over 24 hours.
func guardProportion(cx, cn, bx, bn uint64) otaprio.GuardData {
	return otaprio.GuardData{WindowEndHours: 24,
		CanaryEvents: []uint64{cx}, CanaryTrials: []uint64{cn},
		BaselineEvents: []uint64{bx}, BaselineTrials: []uint64{bn}}
}

// guardRate is one row of rate counts over 24 hours.
func guardRate(cx uint64, ct float64, bx uint64, bt float64) otaprio.GuardData {
	return otaprio.GuardData{WindowEndHours: 24,
		CanaryEvents: []uint64{cx}, CanaryExposure: []float64{ct},
		BaselineEvents: []uint64{bx}, BaselineExposure: []float64{bt}}
}

// guardFixed serves fixed samples per group for one row.
func guardFixed(canary, baseline []float64) otaprio.GuardSamplesFunc {
	return func(row int, group otaprio.GuardGroup) ([]float64, error) {
		if group == otaprio.GuardGroupCanary {
			return canary, nil
		}
		return baseline, nil
	}
}

// Fisher's exact test, one-sided (the canary's failures greater): the
// p-value, its log and the odds ratio. The exact limit is raised so that
// every vector, however many events, goes to Fisher's test.
func TestGuardFisherMatchesTheGoldenVectors(t *testing.T) {
	options := otaprio.DefaultGuardOptions()
	options.ExactLimit = math.MaxUint64
	rule := guardRuleOf("failures", otaprio.GuardKindProportion)
	for _, v := range guardVectorRows(t, "stats_tests_vectors.h", "fisher_vectors") {
		x1, n1, x2, n2 := guardUint(t, v[0]), guardUint(t, v[1]), guardUint(t, v[2]), guardUint(t, v[3])
		odds, p, logP := guardFloat(t, v[4]), guardFloat(t, v[6]), guardFloat(t, v[9])
		r := guardOne(t, &options, rule, guardProportion(x1, n1, x2, n2))
		if r.Test != otaprio.GuardTestFisher {
			t.Errorf("%v: test %v", v[:4], r.Test)
			continue
		}
		if !guardClose(r.PValue, p, guardRel) || !guardCloseLog(r.LogPValue, logP) {
			t.Errorf("%v: p %v (log %v), want %v (log %v)", v[:4], r.PValue, r.LogPValue, p, logP)
		}
		if !math.IsNaN(odds) && !guardClose(r.Statistic, odds, guardRel) {
			t.Errorf("%v: odds ratio %v, want %v", v[:4], r.Statistic, odds)
		}
		if want := p <= 0.05; (r.Verdict == otaprio.GuardVerdictFail) != want {
			t.Errorf("%v: verdict %v at p %v", v[:4], r.Verdict, p)
		}
	}
}

// The pooled score test (an exact limit of 0 sends every table with an
// event to it) and, with a margin, the Farrington-Manning test of the
// risk ratio; the effect is the difference of proportions with Newcombe's
// interval.
func TestGuardScoreTestsMatchTheGoldenVectors(t *testing.T) {
	options := otaprio.DefaultGuardOptions()
	options.ExactLimit = 0
	checked := 0
	for _, v := range guardVectorRows(t, "stats_tests_vectors.h", "two_proportion_vectors") {
		x1, n1, x2, n2 := guardUint(t, v[0]), guardUint(t, v[1]), guardUint(t, v[2]), guardUint(t, v[3])
		z, scoreP := guardFloat(t, v[4]), guardFloat(t, v[6])
		low, high := guardFloat(t, v[10]), guardFloat(t, v[11])
		ratio0, rrZ, rrP := guardFloat(t, v[12]), guardFloat(t, v[13]), guardFloat(t, v[15])
		rule := guardRuleOf("failures", otaprio.GuardKindProportion)
		rule.Margin = ratio0 - 1
		if x1+x2 == 0 && rule.Margin == 0 {
			continue // no event: Fisher's test, whatever the limit
		}
		r := guardOne(t, &options, rule, guardProportion(x1, n1, x2, n2))
		wantTest, wantZ, wantP := otaprio.GuardTestScore, z, scoreP
		if rule.Margin > 0 {
			wantTest, wantZ, wantP = otaprio.GuardTestRiskRatio, rrZ, rrP
		}
		if r.Test != wantTest {
			t.Errorf("%v margin %v: test %v, want %v", v[:4], rule.Margin, r.Test, wantTest)
			continue
		}
		if !guardClose(r.Statistic, wantZ, guardRel) || !guardClose(r.PValue, wantP, guardRel) {
			t.Errorf("%v margin %v: z %v p %v, want %v %v", v[:4], rule.Margin, r.Statistic, r.PValue, wantZ, wantP)
		}
		if !guardClose(r.EffectLow, low, guardRel) || !guardClose(r.EffectHigh, high, guardRel) {
			t.Errorf("%v: interval [%v, %v], want [%v, %v]", v[:4], r.EffectLow, r.EffectHigh, low, high)
		}
		checked++
	}
	if checked < 20 {
		t.Errorf("only %d vectors checked", checked)
	}
}

// The conditional exact test of the rate ratio against the allowed ratio
// (1 + margin), with its exact interval.
func TestGuardRateRatioMatchesTheGoldenVectors(t *testing.T) {
	for _, v := range guardVectorRows(t, "stats_tests_vectors.h", "rate_vectors") {
		x1, t1, x2, t2 := guardUint(t, v[0]), guardFloat(t, v[1]), guardUint(t, v[2]), guardFloat(t, v[3])
		ratio0, statistic, p := guardFloat(t, v[4]), guardFloat(t, v[5]), guardFloat(t, v[7])
		low, high := guardFloat(t, v[9]), guardFloat(t, v[10])
		rule := guardRuleOf("crashes", otaprio.GuardKindRate)
		rule.Margin = ratio0 - 1
		r := guardOne(t, nil, rule, guardRate(x1, t1, x2, t2))
		if r.Test != otaprio.GuardTestRateRatio {
			t.Errorf("%v: test %v", v[:5], r.Test)
			continue
		}
		if !guardClose(r.PValue, p, guardRel) {
			t.Errorf("%v: p %v, want %v", v[:5], r.PValue, p)
		}
		if !guardClose(r.Statistic, statistic, guardRel) && !(math.IsNaN(statistic) && x1 == 0) {
			t.Errorf("%v: ratio %v, want %v", v[:5], r.Statistic, statistic)
		}
		// Without any event the engine reports no interval (NaN) where
		// the statistics give the whole line [0, inf].
		if x1+x2 > 0 && (!guardClose(r.EffectLow, low, guardRel) || !guardClose(r.EffectHigh, high, guardRel)) {
			t.Errorf("%v: interval [%v, %v], want [%v, %v]", v[:5], r.EffectLow, r.EffectHigh, low, high)
		}
	}
}

// The exact binomial test of a proportion against its ceiling.
func TestGuardBinomialCeilingMatchesTheGoldenVectors(t *testing.T) {
	for _, v := range guardVectorRows(t, "stats_special_vectors.h", "binomtest_vectors") {
		k, n, ceiling, p := guardUint(t, v[0]), guardUint(t, v[1]), guardFloat(t, v[2]), guardFloat(t, v[4])
		rule := guardRuleOf("boot-failures", otaprio.GuardKindProportion)
		rule.Checks = otaprio.GuardCheckCeiling
		rule.Ceiling = ceiling
		// The kind's columns are all required, even those a
		// ceiling-only rule does not judge.
		r := guardOne(t, nil, rule, guardProportion(k, n, 0, 0))
		if r.Test != otaprio.GuardTestBinomial || !guardClose(r.PValue, p, guardRel) {
			t.Errorf("%d of %d against %v: %v p %v, want p %v", k, n, ceiling, r.Test, r.PValue, p)
		}
		if r.Limit != ceiling {
			t.Errorf("limit %v, want %v", r.Limit, ceiling)
		}
	}
}

// The exact Poisson test of a rate against its ceiling: with an exposure
// of 1 the mean is the ceiling, and the p-value is P(X >= k).
func TestGuardPoissonCeilingMatchesTheGoldenVectors(t *testing.T) {
	checked := 0
	for _, v := range guardVectorRows(t, "stats_poisson_vectors.h", "poisson_vectors") {
		k, mean, logSF := guardUint(t, v[0]), guardFloat(t, v[1]), guardFloat(t, v[2])
		if mean == 0 {
			continue // a zero ceiling: any event is infinitely unlikely
		}
		rule := guardRuleOf("panics", otaprio.GuardKindRate)
		rule.Checks = otaprio.GuardCheckCeiling
		rule.Ceiling = mean
		r := guardOne(t, nil, rule, guardRate(k, 1, 0, 0))
		if r.Test != otaprio.GuardTestPoisson || !guardCloseLog(r.LogPValue, logSF) {
			t.Errorf("%d events, mean %v: %v log p %v, want %v", k, mean, r.Test, r.LogPValue, logSF)
		}
		checked++
	}
	if checked < 50 {
		t.Errorf("only %d vectors checked", checked)
	}
}

// Brown-Forsythe on spread: W as scipy's levene(center="median"), the
// p-value one-sided, half the two-sided one when the canary is the wider.
func TestGuardSpreadMatchesTheGoldenVectors(t *testing.T) {
	for _, v := range guardVectorRows(t, "stats_tests_vectors.h", "spread_vectors") {
		x := guardVectorFloats(t, "stats_tests_vectors.h", v[0])
		y := guardVectorFloats(t, "stats_tests_vectors.h", v[2])
		w, p := guardFloat(t, v[4]), guardFloat(t, v[5])
		rule := guardRuleOf("drain", otaprio.GuardKindContinuous)
		rule.Checks = otaprio.GuardCheckSpread
		// Each way round: one side is the wider and gets half the
		// two-sided p-value, the other the rest.
		a := guardOne(t, nil, rule, otaprio.GuardData{Rows: 1, WindowEndHours: 24, Samples: guardFixed(x, y)})
		b := guardOne(t, nil, rule, otaprio.GuardData{Rows: 1, WindowEndHours: 24, Samples: guardFixed(y, x)})
		for _, r := range []otaprio.GuardResult{a, b} {
			if r.Test != otaprio.GuardTestBrownForsythe || !guardClose(r.Statistic, w, guardRel) {
				t.Errorf("%s: %v W %v, want %v", v[0], r.Test, r.Statistic, w)
			}
		}
		wider, narrower := a, b
		if b.PValue < a.PValue {
			wider, narrower = b, a
		}
		if !guardClose(wider.PValue, p/2, guardRel) || !guardClose(narrower.PValue, 1-p/2, guardRel) {
			t.Errorf("%s: p %v and %v, want %v and %v", v[0], wider.PValue, narrower.PValue, p/2, 1-p/2)
		}
	}
}

// The Mann-Whitney U test of the canary against the baseline (one-sided,
// greater, scipy's automatic method), with no allowed shift.
func TestGuardMannWhitneyMatchesTheGoldenVectors(t *testing.T) {
	data := guardVectorFloats(t, "stats_rank_vectors.h", "rank_data")
	rule := guardRuleOf("latency", otaprio.GuardKindContinuous)
	rule.Checks = otaprio.GuardCheckBaseline
	checked := 0
	for _, v := range guardVectorRows(t, "stats_rank_vectors.h", "mwu_vectors") {
		xAt, nx, yAt, ny := guardUint(t, v[0]), guardUint(t, v[1]), guardUint(t, v[2]), guardUint(t, v[3])
		shift, alternative, method := guardFloat(t, v[4]), v[5], v[6]
		if shift != 0 || alternative != "1" || method != "0" {
			continue
		}
		u, p, logP := guardFloat(t, v[7]), guardFloat(t, v[8]), guardFloat(t, v[9])
		x, y := data[xAt:xAt+nx], data[yAt:yAt+ny]
		r := guardOne(t, nil, rule, otaprio.GuardData{Rows: 1, WindowEndHours: 24, Samples: guardFixed(x, y)})
		if r.Test != otaprio.GuardTestMannWhitney || !guardClose(r.Statistic, u, guardRel) ||
			!guardClose(r.PValue, p, guardRel) || !guardCloseLog(r.LogPValue, logP) {
			t.Errorf("x[%d:+%d] y[%d:+%d]: %v U %v p %v (log %v), want %v %v (%v)",
				xAt, nx, yAt, ny, r.Test, r.Statistic, r.PValue, r.LogPValue, u, p, logP)
		}
		checked++
	}
	if checked < 20 {
		t.Errorf("only %d vectors checked", checked)
	}
}

// The Hodges-Lehmann shift and Moses' interval at 1 - alpha.
func TestGuardHodgesLehmannMatchesTheGoldenVectors(t *testing.T) {
	data := guardVectorFloats(t, "stats_rank_vectors.h", "rank_data")
	rule := guardRuleOf("latency", otaprio.GuardKindContinuous)
	rule.Checks = otaprio.GuardCheckBaseline
	checked := 0
	for _, v := range guardVectorRows(t, "stats_rank_vectors.h", "hl_vectors") {
		xAt, nx, yAt, ny := guardUint(t, v[0]), guardUint(t, v[1]), guardUint(t, v[2]), guardUint(t, v[3])
		confidence := guardFloat(t, v[4])
		estimate, low, high := guardFloat(t, v[5]), guardFloat(t, v[6]), guardFloat(t, v[7])
		if confidence < 0.5 {
			continue // alpha is at most 0.5
		}
		options := otaprio.DefaultGuardOptions()
		options.Alpha = 1 - confidence
		x, y := data[xAt:xAt+nx], data[yAt:yAt+ny]
		r := guardOne(t, &options, rule, otaprio.GuardData{Rows: 1, WindowEndHours: 24, Samples: guardFixed(x, y)})
		if !guardClose(r.Effect, estimate, guardRel) || !guardClose(r.EffectLow, low, guardRel) ||
			!guardClose(r.EffectHigh, high, guardRel) {
			t.Errorf("x[%d:+%d] y[%d:+%d] at %v: %v [%v, %v], want %v [%v, %v]",
				xAt, nx, yAt, ny, confidence, r.Effect, r.EffectLow, r.EffectHigh, estimate, low, high)
		}
		checked++
	}
	if checked < 20 {
		t.Errorf("only %d vectors checked", checked)
	}
}

// The sequential mixture test through a GuardSequence: looks at
// cumulative counts, each sequence started afresh, the always-valid
// p-value's log as the vectors have it.
func TestGuardSequentialMatchesTheGoldenVectors(t *testing.T) {
	var set *otaprio.GuardSet
	var sequence *otaprio.GuardSequence
	defer func() {
		if sequence != nil {
			sequence.Close()
		}
		if set != nil {
			set.Close()
		}
	}()
	checked := 0
	for _, v := range guardVectorRows(t, "stats_sequential_vectors.h", "sequence_look_vectors") {
		name, ratio0, first := v[0], guardFloat(t, v[1]), v[2] == "1"
		cx, ct, bx, bt := guardUint(t, v[3]), guardFloat(t, v[4]), guardUint(t, v[5]), guardFloat(t, v[6])
		logP := guardFloat(t, v[len(v)-1])
		if ratio0 < 1 {
			// An allowed ratio below 1 is no rule's: a higher-is-worse
			// margin is at least 0.
			continue
		}
		if first {
			if sequence != nil {
				sequence.Close()
				set.Close()
			}
			rule := guardRuleOf("crashes", otaprio.GuardKindRate)
			rule.Sequential = true
			rule.Margin = ratio0 - 1
			var err error
			if set, err = otaprio.NewGuardSet(nil, []otaprio.GuardRule{rule}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if sequence, err = set.NewSequence(0); err != nil {
				t.Fatal(err)
			}
		}
		data := guardRate(cx, ct, bx, bt)
		data.Sequence = sequence
		report, err := set.Evaluate([]otaprio.GuardData{data})
		if err != nil {
			t.Fatalf("%s %v: %v", name, v[3:7], err)
		}
		r := report.Results[0]
		report.Close()
		_, p, err := sequence.Status()
		if err != nil {
			t.Fatal(err)
		}
		if !guardClose(p, math.Exp(logP), guardRel) {
			t.Errorf("%s %v: status p %v, want %v", name, v[3:7], p, math.Exp(logP))
		}
		if ct > 0 {
			if r.Test != otaprio.GuardTestSequential || !guardCloseLog(r.LogPValue, logP) {
				t.Errorf("%s %v: %v log p %v, want %v", name, v[3:7], r.Test, r.LogPValue, logP)
			}
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("only %d looks checked", checked)
	}
}
