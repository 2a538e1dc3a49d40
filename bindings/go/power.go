// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import "unsafe"

// PowerSpec is what a canary must detect, and how surely: a relative
// rise over a baseline failure proportion or event rate, at a one-sided
// significance level and power. Start from DefaultPowerSpec: Baseline and
// Rise have no default and must be set.
type PowerSpec struct {
	// Metric says whether the canary measures a proportion (sized in
	// devices) or a rate (sized in exposure).
	Metric PlanMetric
	// Baseline is the baseline proportion, in (0, 1), or rate, above 0.
	Baseline float64
	// Rise is the relative rise to detect: 0.5 for 1.5 times the
	// baseline.
	Rise float64
	// Alpha is the one-sided significance level, in (0, 0.5].
	Alpha float64
	// Power is the probability of detecting the rise, in [0.5, 1).
	Power float64
	// BaselineSize is the size of the baseline the canary is compared
	// with; +Inf for one known without error.
	BaselineSize float64
	// Exact refines a proportion's size against a known baseline with
	// the exact one-sided binomial test.
	Exact bool
}

// DefaultPowerSpec returns the library's defaults
// (otaprio_plan_power_init): a proportion, alpha 0.05, power 0.8, an
// infinite baseline, the normal approximation.
func DefaultPowerSpec() PowerSpec {
	var c C.otaprio_plan_power
	C.otaprio_plan_power_init(&c, C.size_t(unsafe.Sizeof(c)))
	return PowerSpec{
		Metric:       PlanMetric(c.metric),
		Baseline:     float64(c.baseline),
		Rise:         float64(c.rise),
		Alpha:        float64(c.alpha),
		Power:        float64(c.power),
		BaselineSize: float64(c.baseline_size),
		Exact:        c.exact != 0,
	}
}

// powerToC fills an initialised C spec.
func powerToC(s *PowerSpec, c *C.otaprio_plan_power) {
	C.otaprio_plan_power_init(c, C.size_t(unsafe.Sizeof(*c)))
	c.metric = C.int32_t(s.Metric)
	c.baseline = C.double(s.Baseline)
	c.rise = C.double(s.Rise)
	c.alpha = C.double(s.Alpha)
	c.power = C.double(s.Power)
	c.baseline_size = C.double(s.BaselineSize)
	c.exact = cFlag(s.Exact)
}

// CanarySize returns the smallest canary whose one-sided test detects the
// rise with the power asked: whole devices for a proportion, an exposure
// (not rounded) for a rate. ErrRange for a value outside its range (NaN
// included) or Exact where it does not apply; ErrLimit when no canary
// suffices or the size would pass 2^53. Safe for concurrent use.
func CanarySize(spec PowerSpec) (float64, error) {
	var c C.otaprio_plan_power
	powerToC(&spec, &c)
	var canary C.double
	d := newDiag()
	if err := check("CanarySize", C.otaprio_plan_canary_size(&c, &canary, d), d); err != nil {
		return 0, err
	}
	return float64(canary), nil
}

// Name is the library's English name of the metric, or "" for an unknown
// value.
func (v PlanMetric) Name() string { return rollbackName(C.otaprio_plan_metric_name(C.int32_t(v))) }
