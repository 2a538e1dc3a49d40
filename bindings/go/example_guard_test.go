// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"fmt"
	"log"

	"otaprio"
)

// Guardrails for a kernel update: a crash rate that may not exceed the
// baseline's by much, and boot failures that roll back at once. One SKU's
// canary crashes at four times the baseline rate while the others hide it
// in the pool; the report names that stratum.
func ExampleGuardSet_Evaluate() {
	crashes := otaprio.DefaultGuardRule("crash-rate")
	crashes.Kind = otaprio.GuardKindRate
	crashes.Margin = 0.5
	boot := otaprio.DefaultGuardRule("boot-failures")
	boot.Checks = otaprio.GuardCheckCeiling
	boot.Ceiling = 0.001
	boot.Severity = otaprio.GuardSeverityCritical

	options := otaprio.DefaultGuardOptions()
	options.Layer = otaprio.LayerKernel
	set, err := otaprio.NewGuardSet(&options, []otaprio.GuardRule{crashes, boot})
	if err != nil {
		log.Fatal(err)
	}
	defer set.Close()

	report, err := set.Evaluate([]otaprio.GuardData{
		{Rule: 0, WindowEndHours: 36,
			StratumIDs:       []uint64{4101, 4102, 4103},
			CanaryEvents:     []uint64{40, 30, 30},
			CanaryExposure:   []float64{1000, 10000, 10000},
			BaselineEvents:   []uint64{100, 1000, 1000},
			BaselineExposure: []float64{10000, 100000, 100000}},
		{Rule: 1, WindowEndHours: 36,
			CanaryEvents: []uint64{1}, CanaryTrials: []uint64{2100},
			BaselineEvents: []uint64{3}, BaselineTrials: []uint64{20000}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer report.Close()
	fmt.Println("action:", report.Action.Name())
	for _, r := range report.Results {
		fmt.Printf("%s: %s (%s, limit %.2f)\n", r.Name, r.Verdict.Name(), r.Test.Name(), r.Limit)
	}
	crash := report.Results[0]
	fmt.Printf("failing SKU: %d, %.3f crashes per hour\n", crash.Strata[0].Stratum, crash.Strata[0].CanaryValue)
	for _, reason := range report.Reasons {
		fmt.Println("because", set.RuleName(reason.Rule), reason.Code.Name())
	}
	// Output:
	// action: pause
	// crash-rate: fail (rate-ratio, limit 1.25)
	// boot-failures: pass (binomial, limit 0.00)
	// failing SKU: 4101, 0.040 crashes per hour
	// because crash-rate strata
}

// A sequential rule is evaluated every hour on cumulative counts without
// inflating its false-alarm rate; its state is saved as bytes between
// evaluations, here across what would be two runs of the host.
func ExampleGuardSequence() {
	rule := otaprio.DefaultGuardRule("crash-rate")
	rule.Kind = otaprio.GuardKindRate
	rule.Margin = 0.2
	rule.Sequential = true
	set, err := otaprio.NewGuardSet(nil, []otaprio.GuardRule{rule})
	if err != nil {
		log.Fatal(err)
	}
	defer set.Close()

	var saved []byte
	for hour := uint64(1); hour <= 12; hour++ {
		var sequence *otaprio.GuardSequence
		if saved == nil {
			sequence, err = set.NewSequence(0)
		} else {
			sequence, err = set.LoadSequence(0, saved)
		}
		if err != nil {
			log.Fatal(err)
		}
		report, err := set.Evaluate([]otaprio.GuardData{{Rule: 0, WindowEndHours: float64(hour),
			CanaryEvents: []uint64{3 * hour}, CanaryExposure: []float64{100 * float64(hour)},
			BaselineEvents: []uint64{10 * hour}, BaselineExposure: []float64{1000 * float64(hour)},
			Sequence: sequence}})
		if err != nil {
			log.Fatal(err)
		}
		verdict := report.Results[0].Verdict
		report.Close()
		if saved, err = sequence.Save(); err != nil {
			log.Fatal(err)
		}
		looks, _, _ := sequence.Status()
		sequence.Close()
		if verdict == otaprio.GuardVerdictFail {
			fmt.Printf("stopped at hour %d after %d looks (%d bytes of state)\n", hour, looks, len(saved))
			break
		}
	}
	// Output:
	// stopped at hour 3 after 3 looks (272 bytes of state)
}

// Install failures counted per device, not per attempt: device 1 failed
// three times and then succeeded.
func ExampleGuardCountDevices() {
	keys := otaprio.Keys([]string{"sn-1", "sn-1", "sn-1", "sn-2", "sn-3", "sn-1"})
	failed := []uint8{1, 1, 1, 0, 1, 0}
	failures, trials, err := otaprio.GuardCountDevices(keys, failed, false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("any attempt failed: %d of %d devices\n", failures, trials)
	failures, trials, _ = otaprio.GuardCountDevices(keys, failed, true)
	fmt.Printf("last attempt failed: %d of %d devices\n", failures, trials)
	// Output:
	// any attempt failed: 2 of 3 devices
	// last attempt failed: 1 of 3 devices
}

// How much looser or tighter every margin is, by what the update touches.
func ExampleGuardToleranceDefault() {
	for _, layer := range []otaprio.Layer{otaprio.LayerApp, otaprio.LayerKernel, otaprio.LayerBootloader} {
		scale, _ := otaprio.GuardToleranceDefault(layer, false)
		urgent, _ := otaprio.GuardToleranceDefault(layer, true)
		fmt.Printf("%s: %.3g, %.3g when closing an exploited hole\n", layer, scale, urgent)
	}
	// Output:
	// app: 1, 1.5 when closing an exploited hole
	// kernel: 0.5, 0.75 when closing an exploited hole
	// bootloader: 0.25, 0.375 when closing an exploited hole
}
