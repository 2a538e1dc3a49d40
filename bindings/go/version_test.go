// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"fmt"
	"testing"

	"otaprio"
)

func TestVersionsAgree(t *testing.T) {
	major, minor, patch := otaprio.Version()
	text := fmt.Sprintf("%d.%d.%d", major, minor, patch)
	if text != otaprio.VersionString() {
		t.Errorf("Version() = %s, VersionString() = %s", text, otaprio.VersionString())
	}
	var hMajor, hMinor, hPatch int
	if _, err := fmt.Sscanf(otaprio.HeaderVersion, "%d.%d.%d", &hMajor, &hMinor, &hPatch); err != nil {
		t.Fatal(err)
	}
	if major != hMajor || minor*100+patch < hMinor*100+hPatch {
		t.Errorf("library %s does not serve headers %s", text, otaprio.HeaderVersion)
	}
}
