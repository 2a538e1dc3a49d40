// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"testing"

	"otaprio"
)

type powerVector struct {
	spec   otaprio.PowerSpec
	status otaprio.Status
	canary float64
}

func powerVectors(t *testing.T) []powerVector {
	num := `(\S+?)`
	rows := regexp.MustCompile(`\{(\d+), `+num+`, `+num+`, `+num+`, `+num+`, `+num+
		`, (\d+), (-?\d+), `+num+`\}`).FindAllStringSubmatch(readVectors(t, "plan_power_vectors.h"), -1)
	if len(rows) == 0 {
		t.Fatal("no power vectors")
	}
	var out []powerVector
	for _, r := range rows {
		status, err := strconv.Atoi(r[8])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, powerVector{
			spec: otaprio.PowerSpec{
				Metric: otaprio.PlanMetric(parseUint(t, r[1])), Baseline: parseFloat(t, r[2]),
				Rise: parseFloat(t, r[3]), Alpha: parseFloat(t, r[4]), Power: parseFloat(t, r[5]),
				BaselineSize: parseFloat(t, r[6]), Exact: r[7] == "1",
			},
			status: otaprio.Status(status),
			canary: parseFloat(t, r[9]),
		})
	}
	return out
}

func TestCanarySizeMatchesTheGoldenVectors(t *testing.T) {
	vectors := powerVectors(t)
	for i, v := range vectors {
		got, err := otaprio.CanarySize(v.spec)
		if v.status != otaprio.StatusOK {
			var e *otaprio.Error
			if !errors.Is(err, &otaprio.Error{Status: v.status}) || !errors.As(err, &e) || e.Field != "baseline_size" {
				t.Errorf("vector %d %+v: got %v, %v; want status %v", i, v.spec, got, err, v.status)
			}
			continue
		}
		// Whole devices exactly; a rate's exposure within the C test's
		// relative 1e-9 (the reference is an independent computation).
		close := got == v.canary
		if v.spec.Metric == otaprio.PlanMetricRate {
			close = math.Abs(got-v.canary) <= 1e-9*math.Abs(v.canary)
		}
		if err != nil || !close {
			t.Errorf("vector %d %+v: got %v, %v; want %v", i, v.spec, got, err, v.canary)
		}
	}
	t.Logf("%d vectors", len(vectors))
}

func TestDefaultPowerSpecIsTheLibrarys(t *testing.T) {
	s := otaprio.DefaultPowerSpec()
	want := otaprio.PowerSpec{Metric: otaprio.PlanMetricProportion, Alpha: 0.05, Power: 0.8,
		BaselineSize: math.Inf(1)}
	if s != want {
		t.Fatalf("DefaultPowerSpec() = %+v, want %+v", s, want)
	}
	// Unset baseline and rise are refused, not guessed.
	if _, err := otaprio.CanarySize(s); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("unset spec: %v", err)
	}
}

func TestCanarySizeRefusesBadSpecs(t *testing.T) {
	base := otaprio.DefaultPowerSpec()
	base.Baseline, base.Rise = 0.01, 0.5
	for name, c := range map[string]struct {
		mutate   func(*otaprio.PowerSpec)
		sentinel error
	}{
		"NaN baseline":     {func(s *otaprio.PowerSpec) { s.Baseline = math.NaN() }, otaprio.ErrRange},
		"alpha above 0.5":  {func(s *otaprio.PowerSpec) { s.Alpha = 0.7 }, otaprio.ErrRange},
		"unknown metric":   {func(s *otaprio.PowerSpec) { s.Metric = 7 }, otaprio.ErrRange},
		"exact for a rate": {func(s *otaprio.PowerSpec) { s.Metric = otaprio.PlanMetricRate; s.Exact = true }, otaprio.ErrRange},
		"no canary suffices": {func(s *otaprio.PowerSpec) { s.BaselineSize = 10; s.Power = 0.99 },
			otaprio.ErrLimit},
	} {
		s := base
		c.mutate(&s)
		if _, err := otaprio.CanarySize(s); !errors.Is(err, c.sentinel) {
			t.Errorf("%s: got %v, want %v", name, err, c.sentinel)
		}
	}
}
