// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"otaprio"
	"otaprio/internal/enumgen"
)

// A header change must not leave the binding behind: regenerate the
// enumerations and the init-macro list from the repository's headers and
// compare with what is committed.
func TestEnumsAreGeneratedFromTheHeaders(t *testing.T) {
	enums, macros, err := enumgen.Parse(filepath.Join("..", "..", "include", "otaprio"))
	if err != nil {
		t.Fatal(err)
	}
	source, err := enumgen.Generate(enums)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{
		"enums.go":  source,
		"binding.h": enumgen.GenerateHeader(macros),
	} {
		have, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(have, want) {
			t.Errorf("%s is stale: run go generate", name)
		}
	}
	if len(enums) < 50 || len(macros) < 20 {
		t.Errorf("read %d enums and %d init macros: the parser lost some", len(enums), len(macros))
	}
}

func TestEnumNames(t *testing.T) {
	cases := []struct {
		value interface{ String() string }
		want  string
	}{
		{otaprio.TierT0, "t0"},
		{otaprio.StatusNotFound, "not_found"},
		{otaprio.GuardVerdictInconclusive, "inconclusive"},
		{otaprio.Tier(42), "Tier(42)"},
		{otaprio.ReasonLowBattery | otaprio.ReasonPolicy, "low_battery|policy"},
		{otaprio.Reason(0), ""},
		{otaprio.WorkflowAuth | otaprio.Workflow(1<<30), "auth|0x40000000"},
	}
	for _, c := range cases {
		if got := c.value.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}
}
