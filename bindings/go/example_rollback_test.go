// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"fmt"

	"otaprio"
)

// A login flow broke everywhere in the canary; a feature flag guards it.
// The decision is the lightest tier that undoes it, with its steps.
func ExampleDecideRollback() {
	in := otaprio.DefaultRollbackInput()
	in.Part = otaprio.RollbackPartAuthFlow
	in.CanaryShare, in.FleetShare = 0.3, 0.05
	in.StrataAffected, in.StrataTotal = 10, 10
	in.Levers = otaprio.RollbackLeverFeatureFlag | otaprio.RollbackLeverServerConfig
	in.Observe = otaprio.RollbackObserveBuild | otaprio.RollbackObserveRegion
	d, err := otaprio.DecideRollback(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Tier.Name(), d.Confidence, d.Weak)
	for _, step := range d.Steps.Steps() {
		fmt.Println("-", step.Name())
	}
	for _, why := range d.Reasons {
		fmt.Println("because:", why.Name())
	}
	// Output:
	// feature flag 1 true
	// - feature flag off
	// - service re-registration
	// - cache invalidation
	// because: feature flag covers it
}

// Which device classes have no tested way back: class 2 was drilled
// only on good links, and its flaky-link variant failed.
func ExampleCheckRollbackDrills() {
	const flaky = uint8(otaprio.RollbackConditionIntermittent)
	check, err := otaprio.CheckRollbackDrills(
		otaprio.RollbackClasses{ClassID: []uint64{1, 2, 2}, Conditions: []uint8{0, 0, flaky}},
		otaprio.RollbackDrills{
			ClassID:    []uint64{1, 2, 2},
			Conditions: []uint8{flaky, 0, flaky},
			Succeeded:  []uint8{1, 1, 0},
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(check.Status, check.Uncovered)
	// Output:
	// [covered covered failed] 1
}
