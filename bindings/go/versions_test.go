// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"strings"
	"testing"

	"otaprio"
)

func versionVectors(t *testing.T) []string {
	v := graphDecls(t, "version_vectors.h")["version_vectors"]
	if v == nil || len(v.list) < 100 {
		t.Fatal("no version vectors")
	}
	out := make([]string, len(v.list))
	for i, item := range v.list {
		out[i] = item.text
	}
	return out
}

// Parity with the semver package, pair by pair, as test_version.c.
func TestVersionOrderMatchesTheGoldenVectors(t *testing.T) {
	versions := versionVectors(t)
	for i, a := range versions {
		for j, b := range versions {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			got, err := otaprio.CompareVersions(a, b)
			if err != nil || got != want {
				t.Fatalf("CompareVersions(%q, %q) = %d, %v; want %d", a, b, got, err, want)
			}
		}
	}
}

// Hand-worked answers beyond semver, from test_version.c.
func TestVersionOrderBeyondSemver(t *testing.T) {
	for _, c := range []struct {
		a, b  string
		order int
	}{
		{"1", "1.0.0", 0}, {"1.2", "1.2.1", -1}, {"1.02", "1.2", 0}, {"1.010", "1.9", 1},
		{"18446744073709551616", "18446744073709551615", 1}, {"1.a", "1.999999999999999999999", 1},
		{"1.1.1", "1.1.1w", -1}, {"TQ3A.230901.001", "UP1A.231005.007", -1},
		{"1.0-alpha", "1.0-alpha.1", -1}, {"1.0-beta", "1.0", -1}, {"1.0+build", "1.0", 1},
		{"1.0+001", "1.0+1", 0}, {"1.0-rc.1+zzz", "1.0", -1}, {"v1.02", "1.2", 0},
		{"vendor", "9", 1}, {"v-1", "v", -1},
	} {
		got, err := otaprio.CompareVersions(c.a, c.b)
		if err != nil || got != c.order {
			t.Errorf("CompareVersions(%q, %q) = %d, %v; want %d", c.a, c.b, got, err, c.order)
		}
		if back, _ := otaprio.CompareVersions(c.b, c.a); back != -c.order {
			t.Errorf("CompareVersions(%q, %q) = %d; want %d", c.b, c.a, back, -c.order)
		}
	}
}

func TestConstraintMatches(t *testing.T) {
	for _, c := range []struct {
		constraint, version string
		want                bool
	}{
		{"*", "v99999999999999999999999.a-rc+b", true}, {"1.2", "v1.02", true}, {"1.2", "1.2+b", false},
		{">= 2.3.1, < 3", "3-rc.1", true}, {">= 2.3.1, < 3", "3.0.0", false},
		{"< 1.1.1w", "1.1.1v", true}, {"< 1.1.1w", "1.1.1w", false}, {"<= 1.0", "1.0+b", false},
		{"  >=  1.0  ,  <  2  ", "1.5", true}, {">=1, >1", "1", false},
		{">= TP1A.221005.002, < UP1A", "TQ3A.230901.001", true},
	} {
		got, err := otaprio.ConstraintMatches(c.constraint, c.version)
		if err != nil || got != c.want {
			t.Errorf("ConstraintMatches(%q, %q) = %v, %v; want %v", c.constraint, c.version, got, err, c.want)
		}
	}
	// A constraint cuts the golden order where it says.
	versions := versionVectors(t)
	middle := len(versions) / 2
	for i, v := range versions {
		below, err := otaprio.ConstraintMatches("< "+versions[middle], v)
		if err != nil || below != (i < middle) {
			t.Fatalf("%q < %q: %v, %v", v, versions[middle], below, err)
		}
	}
}

func TestVersionErrorsNameTheTextAndOffset(t *testing.T) {
	cases := []struct {
		err    error
		status error
		field  string
		index  int64
	}{
		{second(otaprio.CompareVersions("1.2", "1..2")), otaprio.ErrSyntax, "b", 2},
		{second(otaprio.CompareVersions("", "1")), otaprio.ErrSyntax, "a", 0},
		{second(otaprio.CompareVersions("1.0\x00", "1")), otaprio.ErrSyntax, "a", 3},
		{second(otaprio.CompareVersions(strings.Repeat("1.", 200)+"1", "1")), otaprio.ErrRange, "a", -2},
		{second(otaprio.ConstraintMatches(">= 1, <", "1.0")), otaprio.ErrSyntax, "constraint", -2},
		{second(otaprio.ConstraintMatches("> 2, < 1", "1.5")), otaprio.ErrRange, "", -2},
		{second(otaprio.ConstraintMatches("*", "1_0")), otaprio.ErrSyntax, "version", 1},
	}
	for i, c := range cases {
		var e *otaprio.Error
		if !errors.As(c.err, &e) || !errors.Is(c.err, c.status) {
			t.Errorf("case %d: %v, want %v", i, c.err, c.status)
			continue
		}
		if (c.field != "" && e.Field != c.field) || (c.index != -2 && e.Index != c.index) {
			t.Errorf("case %d: field %q index %d, want %q %d", i, e.Field, e.Index, c.field, c.index)
		}
	}
}

// second returns the error of a two-valued call.
func second[T any](_ T, err error) error { return err }
