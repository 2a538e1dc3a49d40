# SPDX-License-Identifier: MIT
"""Canary sizes against the golden vectors (tests/vectors/
plan_power_vectors.h, computed with scipy)."""
from __future__ import annotations

import math

import pytest

import otaprio
from otaprio import PlanMetric, PowerSpec

from conftest import plan_power_vectors


def test_sizes_match_the_golden_vectors() -> None:
    rows = plan_power_vectors()
    assert len(rows) > 30
    for (metric, baseline, rise, alpha, power, baseline_size, exact, status,
         expected) in rows:
        spec = PowerSpec(metric=PlanMetric(metric), baseline=baseline,
                         rise=rise, alpha=alpha, power=power,
                         baseline_size=baseline_size, exact=bool(exact))
        if status != 0:
            with pytest.raises(otaprio.Error) as caught:
                otaprio.canary_size(spec)
            assert caught.value.status == status
            assert caught.value.field == "baseline_size"
            continue
        size = otaprio.canary_size(spec)
        if metric == PlanMetric.PROPORTION:
            assert size == expected  # whole devices, exactly
        else:  # the C test's tolerance (tests/unit/stats_check.h)
            assert abs(size - expected) <= 1e-9 * abs(expected)


def test_the_defaults_are_the_libraries() -> None:
    spec = PowerSpec()
    assert spec.alpha == 0.05 and spec.power == 0.8
    assert math.isinf(spec.baseline_size) and not spec.exact
    assert otaprio.canary_size(PowerSpec(baseline=0.01, rise=0.5)) == 2830


def test_unset_fields_raise_with_the_field() -> None:
    with pytest.raises(otaprio.OutOfRangeError) as caught:
        otaprio.canary_size(PowerSpec())
    assert caught.value.field == "baseline"
    with pytest.raises(otaprio.OutOfRangeError):
        otaprio.canary_size(PowerSpec(metric=PlanMetric.RATE, baseline=0.1,
                                      rise=0.5, exact=True))
