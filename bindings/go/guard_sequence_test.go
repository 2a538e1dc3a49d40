// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"bytes"
	"errors"
	"testing"

	"otaprio"
)

// guardSequenceSet is test_guardrail_sequence.c's set: a sequential rate
// (margin 0.2), a sequential proportion, and a fixed-sample rate.
func guardSequenceSet(t *testing.T) *otaprio.GuardSet {
	t.Helper()
	rules := []otaprio.GuardRule{
		guardRuleOf("crashes", otaprio.GuardKindRate),
		guardRuleOf("install-failures", otaprio.GuardKindProportion),
		guardRuleOf("fixed", otaprio.GuardKindRate),
	}
	rules[0].Sequential, rules[0].Margin = true, 0.2
	rules[1].Sequential = true
	set, err := otaprio.NewGuardSet(nil, rules)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { set.Close() })
	return set
}

// guardLook evaluates rule 0 on cumulative rate counts with sequence.
func guardLook(set *otaprio.GuardSet, sequence *otaprio.GuardSequence, cx uint64, ct float64, bx uint64, bt float64) (otaprio.GuardResult, error) {
	data := guardRate(cx, ct, bx, bt)
	data.Sequence = sequence
	report, err := set.Evaluate([]otaprio.GuardData{data})
	if err != nil {
		return otaprio.GuardResult{}, err
	}
	defer report.Close()
	return report.Results[0], nil
}

func guardSave(t *testing.T, sequence *otaprio.GuardSequence) []byte {
	t.Helper()
	saved, err := sequence.Save()
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

// Hourly looks at a canary crashing at three times the baseline's rate
// (1.2 allowed): the always-valid p-value never rises, and once the rule
// fails it keeps failing. Counts going backwards are refused and leave the
// state alone.
func TestGuardSequenceLooksAdvanceTheState(t *testing.T) {
	set := guardSequenceSet(t)
	sequence, err := set.NewSequence(0)
	if err != nil {
		t.Fatal(err)
	}
	defer sequence.Close()
	if looks, p, err := sequence.Status(); looks != 0 || p != 1 || err != nil || sequence.Rule() != 0 {
		t.Fatalf("fresh: %d looks, p %v, %v", looks, p, err)
	}
	previous, firstFailure := 1.0, 0
	for hour := 1; hour <= 24; hour++ {
		h := uint64(hour)
		r, err := guardLook(set, sequence, 3*h, 100*float64(h), 10*h, 1000*float64(h))
		if err != nil {
			t.Fatal(err)
		}
		if r.Test != otaprio.GuardTestSequential || r.PValue > previous {
			t.Errorf("hour %d: %v p %v after %v", hour, r.Test, r.PValue, previous)
		}
		previous = r.PValue
		if r.Verdict == otaprio.GuardVerdictFail && firstFailure == 0 {
			firstFailure = hour
		}
		if firstFailure > 0 && r.Verdict != otaprio.GuardVerdictFail {
			t.Errorf("hour %d: %v after failing at hour %d", hour, r.Verdict, firstFailure)
		}
	}
	if firstFailure == 0 {
		t.Error("a threefold crash rate never failed")
	}
	looks, p, _ := sequence.Status()
	if looks != 24 || p != previous {
		t.Errorf("status %d looks, p %v; want 24, %v", looks, p, previous)
	}
	before := guardSave(t, sequence)
	_, err = guardLook(set, sequence, 10, 100, 10, 1000)
	guardWantError(t, "counts backwards", err, otaprio.ErrRange, "canary_events", 0)
	if !bytes.Equal(before, guardSave(t, sequence)) {
		t.Error("a refused look moved the state")
	}
}

func TestGuardSequenceSoundCanaryIsNotStopped(t *testing.T) {
	set := guardSequenceSet(t)
	sequence, err := set.NewSequence(0)
	if err != nil {
		t.Fatal(err)
	}
	defer sequence.Close()
	for hour := 1; hour <= 48; hour++ {
		h := uint64(hour)
		r, err := guardLook(set, sequence, h, 100*float64(h), 10*h, 1000*float64(h))
		if err != nil || r.Verdict != otaprio.GuardVerdictPass {
			t.Fatalf("hour %d: %v, %v", hour, r.Verdict, err)
		}
	}
}

// Saved as bytes and read back, a state goes on exactly as the original.
func TestGuardSequenceBytesRoundTrip(t *testing.T) {
	set := guardSequenceSet(t)
	sequence, err := set.NewSequence(0)
	if err != nil {
		t.Fatal(err)
	}
	defer sequence.Close()
	if _, err := guardLook(set, sequence, 7, 300, 20, 3000); err != nil {
		t.Fatal(err)
	}
	saved := guardSave(t, sequence)
	if len(saved) != otaprio.GuardSequenceBytes || string(saved[:8]) != "otaprioG" {
		t.Fatalf("saved %d bytes: %q...", len(saved), saved[:8])
	}
	if m, err := sequence.MarshalBinary(); err != nil || !bytes.Equal(m, saved) {
		t.Errorf("MarshalBinary differs from Save: %v", err)
	}
	copied, err := set.LoadSequence(0, saved)
	if err != nil {
		t.Fatal(err)
	}
	defer copied.Close()
	l1, p1, _ := sequence.Status()
	l2, p2, _ := copied.Status()
	if l1 != l2 || p1 != p2 || l1 != 1 {
		t.Errorf("status %d %v, copy %d %v", l1, p1, l2, p2)
	}
	a, err := guardLook(set, sequence, 15, 600, 41, 6000)
	if err != nil {
		t.Fatal(err)
	}
	b, err := guardLook(set, copied, 15, 600, 41, 6000)
	if err != nil {
		t.Fatal(err)
	}
	if a.PValue != b.PValue || !bytes.Equal(guardSave(t, sequence), guardSave(t, copied)) {
		t.Errorf("the copy diverged: p %v and %v", a.PValue, b.PValue)
	}
}

func TestGuardSequenceForeignAndDamagedStatesAreRefused(t *testing.T) {
	set := guardSequenceSet(t)
	sequence, err := set.NewSequence(0)
	if err != nil {
		t.Fatal(err)
	}
	defer sequence.Close()
	other, err := set.NewSequence(1)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	saved := guardSave(t, sequence)

	_, err = set.LoadSequence(1, saved) // saved for rule 0
	guardWantError(t, "foreign", err, otaprio.ErrRange, "bytes", -2)
	_, err = set.LoadSequence(2, saved) // not sequential
	guardWantError(t, "load non-sequential", err, otaprio.ErrInvalid, "rule", 2)
	_, err = set.NewSequence(2)
	guardWantError(t, "create non-sequential", err, otaprio.ErrInvalid, "rule", 2)
	_, err = set.NewSequence(3)
	guardWantError(t, "create out of range", err, otaprio.ErrRange, "rule", -2)
	_, err = set.NewSequence(-1)
	guardWantError(t, "create negative", err, otaprio.ErrRange, "rule", -1)
	_, err = set.LoadSequence(-1, saved)
	guardWantError(t, "load negative", err, otaprio.ErrRange, "rule", -1)

	// Rule 1's state handed in for rule 0, and a state for a rule that is
	// not sequential.
	_, err = guardLook(set, other, 1, 10, 1, 10)
	guardWantError(t, "another rule's sequence", err, otaprio.ErrInvalid, "sequence", -2)
	fixed := guardRate(1, 10, 1, 10)
	fixed.Rule, fixed.Sequence = 2, sequence
	_, err = set.Evaluate([]otaprio.GuardData{fixed})
	guardWantError(t, "sequence for a fixed rule", err, otaprio.ErrInvalid, "sequence", 0)

	// Every damaged byte is refused, as no state or as a foreign one.
	for i := range saved {
		damaged := append([]byte(nil), saved...)
		damaged[i] ^= 0x20
		q, err := set.LoadSequence(0, damaged)
		if q != nil || !(errors.Is(err, otaprio.ErrSyntax) || errors.Is(err, otaprio.ErrRange)) {
			t.Fatalf("byte %d damaged: %v", i, err)
		}
	}
	for _, b := range [][]byte{saved[:len(saved)-1], append(append([]byte(nil), saved...), 0), nil, {}} {
		if _, err := set.LoadSequence(0, b); !errors.Is(err, otaprio.ErrSyntax) {
			t.Errorf("%d bytes: %v", len(b), err)
		}
	}

	// A closed sequence is refused; Close is idempotent.
	other.Close()
	other.Close()
	if _, err := other.Save(); !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("Save after Close: %v", err)
	}
	if _, _, err := other.Status(); !errors.Is(err, otaprio.ErrInvalid) {
		t.Errorf("Status after Close: %v", err)
	}
	_, err = guardLook(set, other, 1, 10, 1, 10)
	guardWantError(t, "closed sequence", err, otaprio.ErrInvalid, "sequence", 0)
}

// A proportion rides on the rate test with devices as exposure: eight
// per cent against two is caught within a few looks.
func TestGuardSequenceProportionsAreSequentialToo(t *testing.T) {
	set := guardSequenceSet(t)
	sequence, err := set.NewSequence(1)
	if err != nil {
		t.Fatal(err)
	}
	defer sequence.Close()
	failedAt := 0
	for look := uint64(1); look <= 12 && failedAt == 0; look++ {
		data := guardProportion(8*look, 100*look, 20*look, 1000*look)
		data.Rule, data.Sequence = 1, sequence
		report, err := set.Evaluate([]otaprio.GuardData{data})
		if err != nil {
			t.Fatal(err)
		}
		r := report.Results[1]
		report.Close()
		if r.Test != otaprio.GuardTestSequential {
			t.Fatalf("test %v", r.Test)
		}
		if r.Verdict == otaprio.GuardVerdictFail {
			failedAt = int(look)
		}
	}
	if failedAt == 0 || failedAt > 4 {
		t.Errorf("failed at look %d", failedAt)
	}
}
