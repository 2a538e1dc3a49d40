// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"fmt"

	"otaprio"
)

// A fix is scored once: its defect score, its tier, and the scorecard that
// explains the score line by line.
func ExampleRiskModel_ScoreIssue() {
	model, err := otaprio.NewRiskModel(nil) // the default policy
	if err != nil {
		panic(err)
	}
	defer model.Close()

	issue := otaprio.DefaultIssue()
	issue.Class = otaprio.IssueClassSecurity
	issue.SecurityImpact = otaprio.LevelHigh
	issue.AttackPath = otaprio.AttackPathRemote
	issue.Exploit = otaprio.ExploitActive
	issue.AffectedShare = 0.3
	issue.PackageBytes = 100 << 20

	score, err := model.ScoreIssue(issue)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s, score %.3f, SSVC %s\n", otaprio.TierName(score.Tier), score.Score,
		otaprio.SSVCName(score.SSVC))
	for _, line := range score.Explanation {
		fmt.Printf("%+7.3f  %s\n", line.Points(), line.Label())
	}
	// Output:
	// T0 emergency push now, score 59.668, SSVC Track
	// +10.000  security fix
	// +12.000  high security impact
	// +12.000  remote attack path
	// +18.000  active exploitation
	//  +7.668  share of fleet affected
}

// Devices are scored from Go slices, read in place; a missing column
// takes the library's default for every device.
func ExampleRiskModel_ScoreDevices() {
	model, err := otaprio.NewRiskModel(nil)
	if err != nil {
		panic(err)
	}
	defer model.Close()
	issue := otaprio.DefaultIssue()
	issue.Class = otaprio.IssueClassSecurity
	issue.SecurityImpact = otaprio.LevelHigh
	issue.Exploit = otaprio.ExploitPoC
	issue.PackageBytes = 100 << 20
	score, err := model.ScoreIssue(issue)
	if err != nil {
		panic(err)
	}

	devices := &otaprio.Devices{
		DeviceClass: []uint8{uint8(otaprio.DeviceClassHandset), uint8(otaprio.DeviceClassMedical),
			uint8(otaprio.DeviceClassRouter), uint8(otaprio.DeviceClassPOS)},
		Battery:  []float32{0.1, 0.9, 1, 0.5},
		Link:     []uint8{uint8(otaprio.LinkWiFi), 0, uint8(otaprio.LinkRoaming), 0},
		Affected: []uint8{1, 1, 1, 0},
	}
	results, err := model.ScoreDevices(score, devices, nil)
	if err != nil {
		panic(err)
	}
	for i := range results.Priority {
		reasons := results.Reasons[i].String()
		if reasons == "" {
			reasons = "-"
		}
		fmt.Printf("%-8v priority %6.3f  %-8v %s\n", otaprio.DeviceClass(devices.DeviceClass[i]),
			results.Priority[i], otaprio.Disposition(results.Disposition[i]), reasons)
	}
	// Output:
	// handset  priority 29.600  defer    low_battery
	// medical  priority 42.400  eligible -
	// router   priority 36.000  defer    metered_large
	// pos      priority 39.200  excluded not_affected
}

// One device's numbers, explained factor by factor.
func ExampleRiskModel_ExplainDevice() {
	model, err := otaprio.NewRiskModel(nil)
	if err != nil {
		panic(err)
	}
	defer model.Close()
	score := otaprio.NewIssueScore(otaprio.TierT1, 55000, 0) // the host's own score
	kiosk := &otaprio.Devices{
		DeviceClass:    []uint8{uint8(otaprio.DeviceClassKiosk)},
		Busy:           []uint8{1},
		FailedAttempts: []uint32{2},
	}
	device, err := model.ExplainDevice(score, kiosk, 0)
	if err != nil {
		panic(err)
	}
	fmt.Printf("priority %.3f, %v (%v)\n", device.Priority(), device.Disposition, device.Reasons)
	for _, line := range device.Explanation {
		fmt.Printf("%-11v %+7.3f  %s\n", line.Score, line.Points(), line.Label())
	}
	// Output:
	// priority 55.400, defer (maintenance_window)
	// criticality +20.000  kiosk
	// criticality  +6.000  internal network
	// criticality +10.000  no redundant peer
	// criticality  +5.000  business-hours service
	// priority    +33.000  defect score
	// priority    +16.400  device criticality
	// priority     +6.000  failed update attempts
}

// A fleet streams through the library chunk by chunk: the callback hands
// out windows of the host's columns and of its result slices.
func ExampleRiskModel_ScoreStream() {
	model, err := otaprio.NewRiskModel(nil)
	if err != nil {
		panic(err)
	}
	defer model.Close()
	score := otaprio.NewIssueScore(otaprio.TierT2, 40000, 80<<20)

	const n, chunk = 10, 4
	battery := []float32{0.9, 0.1, 0.5, 1, 0.05, 0.7, 0.3, 0.15, 1, 0.6}
	link := []uint8{0, 1, 3, 0, 1, 2, 3, 1, 0, 4}
	priority := make([]float64, n)
	next := 0
	var totals otaprio.RiskTotals
	err = model.ScoreStream(score, &totals, func(d *otaprio.Devices, r *otaprio.DeviceResults) error {
		start, end := next, min(next+chunk, n)
		next = end
		d.Count = end - start // 0 ends the stream
		d.Battery, d.Link = battery[start:end], link[start:end]
		r.Priority = priority[start:end]
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("devices:", totals.Devices)
	for d := otaprio.DispositionEligible; d <= otaprio.DispositionExcluded; d++ {
		fmt.Printf("%s: %d\n", otaprio.DispositionName(d), totals.ByDisposition[d])
	}
	fmt.Println("low battery:", totals.WithReason(otaprio.ReasonLowBattery))
	fmt.Println("metered and large:", totals.WithReason(otaprio.ReasonMeteredLarge))
	// Output:
	// devices: 10
	// eligible: 5
	// defer: 5
	// blocked: 0
	// excluded: 0
	// low battery: 3
	// metered and large: 2
}

// A policy starts from the library's defaults; a bad one is refused with
// the field at fault.
func ExampleNewRiskModel() {
	policy := otaprio.DefaultRiskPolicy()
	fmt.Println("tier thresholds:", policy.TierThresholds)
	policy.Model = otaprio.RiskModelKindSSVC
	policy.ExcludedClasses = 1 << otaprio.DeviceClassMedical
	model, err := otaprio.NewRiskModel(&policy)
	if err != nil {
		panic(err)
	}
	model.Close()

	policy.TierThresholds[1] = 80 // above T0's
	_, err = otaprio.NewRiskModel(&policy)
	fmt.Println(err)
	// Output:
	// tier thresholds: [70 50 25]
	// otaprio: NewRiskModel: tier_thresholds: tier_thresholds {70, 80, 25} must decrease strictly: T0 above T1 above T2
}
