// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"fmt"
	"testing"

	"otaprio"
)

func TestErrorsMatchTheirStatusOnly(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &otaprio.Error{Op: "NewRiskModel",
		Status: otaprio.StatusRange, Field: "policy.tier_thresholds", Index: 2,
		Message: "thresholds must increase"})
	if !errors.Is(err, otaprio.ErrRange) {
		t.Error("errors.Is does not match the status")
	}
	if errors.Is(err, otaprio.ErrInvalid) {
		t.Error("errors.Is matches another status")
	}
	var e *otaprio.Error
	if !errors.As(err, &e) || e.Field != "policy.tier_thresholds" || e.Index != 2 {
		t.Errorf("errors.As gave %+v", e)
	}
	want := "otaprio: NewRiskModel: policy.tier_thresholds[2]: thresholds must increase"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
}

func TestErrorTextFallsBackOnTheLibrary(t *testing.T) {
	sentinels := []*otaprio.Error{otaprio.ErrInvalid, otaprio.ErrNoMem,
		otaprio.ErrStructSize, otaprio.ErrRange, otaprio.ErrOverflow,
		otaprio.ErrSyntax, otaprio.ErrCycle, otaprio.ErrNotFound,
		otaprio.ErrDuplicate, otaprio.ErrLimit}
	seen := map[string]bool{}
	for _, s := range sentinels {
		text := s.Error()
		if text != "otaprio: "+otaprio.Strerror(int(s.Status)) || seen[text] {
			t.Errorf("%v: %q", s.Status, text)
		}
		seen[text] = true
		for _, other := range sentinels {
			if errors.Is(s, other) != (s == other) {
				t.Errorf("errors.Is(%v, %v) = %v", s.Status, other.Status, !(s == other))
			}
		}
	}
	if callback := otaprio.Strerror(5); callback == "" || seen["otaprio: "+callback] {
		t.Errorf("Strerror(5) = %q, want a callback's own name", callback)
	}
}
