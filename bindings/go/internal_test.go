// SPDX-License-Identifier: MIT

package otaprio

import "testing"

// The load-time check refuses a library of another major version or older
// than the headers, and accepts a newer minor or patch.
func TestCheckVersion(t *testing.T) {
	for _, c := range []struct {
		library uint32
		ok      bool
	}{
		{headerNumber, true},
		{headerNumber + 1, true},
		{headerNumber + 100, true},
		{headerNumber + 10000, false},
		{headerNumber - 1, false},
	} {
		if err := checkVersion(c.library); (err == nil) != c.ok {
			t.Errorf("checkVersion(%d) = %v", c.library, err)
		}
	}
}

func TestFlagStringShowsUnknownBits(t *testing.T) {
	if got := flagString(0x30, []flagName{{0x10, "a"}}); got != "a|0x20" {
		t.Errorf("flagString = %q", got)
	}
}
