// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// The repository's golden vectors (tests/vectors/*.h), computed offline
// by independent references and shared with the C and Python tests.
var vectorDir = filepath.Join("..", "..", "tests", "vectors")

// readVectors returns a vectors header's text.
func readVectors(t testing.TB, name string) string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(vectorDir, name))
	if err != nil {
		t.Fatalf("golden vectors: %v", err)
	}
	return string(text)
}

var octal = regexp.MustCompile(`\\([0-7]{3})`)

// cString decodes a C string literal's body (the vectors use octal
// escapes only).
func cString(literal string) []byte {
	var out []byte
	for i := 0; i < len(literal); {
		if m := octal.FindStringSubmatchIndex(literal[i:]); m != nil && m[0] == 0 {
			v, _ := strconv.ParseUint(literal[i+1:i+4], 8, 8)
			out = append(out, byte(v))
			i += 4
			continue
		}
		out = append(out, literal[i])
		i++
	}
	return out
}

func parseUint(t testing.TB, text string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(text, 0, 64)
	if err != nil {
		t.Fatalf("golden vectors: %v", err)
	}
	return v
}

func parseFloat(t testing.TB, text string) float64 {
	t.Helper()
	if text == "HUGE_VAL" {
		return posInf
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		t.Fatalf("golden vectors: %v", err)
	}
	return v
}
