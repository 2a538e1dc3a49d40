// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"fmt"

	"otaprio"
)

// How many devices a canary needs to see a 1% failure rate rise by half,
// one-sided at 5% with 80% power.
func ExampleCanarySize() {
	spec := otaprio.DefaultPowerSpec()
	spec.Baseline, spec.Rise = 0.01, 0.5
	n, err := otaprio.CanarySize(spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n)
	// Output:
	// 2830
}

// A break-glass request with the security lead's approval but no change
// ticket, aimed at a cohort the policy protects.
func ExampleCheckBreakglass() {
	var policy otaprio.BreakglassPolicy
	policy.Approvals[otaprio.PlanRoleSecurityLead] = 1
	policy.Evidence = otaprio.PlanEvidenceChangeTicket
	policy.Excluded = []uint64{42}
	res, err := otaprio.CheckBreakglass(policy, otaprio.BreakglassRequest{
		ApprovalRole: []otaprio.PlanRole{otaprio.PlanRoleSecurityLead},
		Approver:     []uint64{7},
		Cohorts:      []uint64{3, 42},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Approved, res.Unmet, res.MissingEvidence.Name(), res.Excluded)
	// Output:
	// false evidence|excluded_cohort change ticket [42]
}

// A plan over a small fleet held in memory, streamed in chunks that are
// sub-slices of the fleet's columns (nothing is copied).
func ExampleNewPlan() {
	const devices, chunkSize = 2000, 512
	keys := make([]uint64, devices)
	ring := make([]uint8, devices)
	region := make([]uint32, devices)
	wave := make([]uint8, devices)
	for i := range keys {
		keys[i] = otaprio.KeyString(fmt.Sprintf("device-%04d", i))
		ring[i] = 2
		if i%100 == 0 {
			ring[i] = 1 // employees
		}
		region[i] = uint32(i % 3)
	}
	req := otaprio.DefaultPlanRequest()
	issue := otaprio.DefaultIssue()
	issue.Class, issue.UptimeLoss = otaprio.IssueClassStability, otaprio.LevelModerate
	issue.AffectedShare, issue.ABSlot = 0.4, true
	req.Issue = &issue
	req.Salt = otaprio.KeyString("fix-1234")
	req.Cardinalities = []uint32{3}
	way := otaprio.DefaultRollbackInput()
	way.Levers = otaprio.RollbackLeverABSlot | otaprio.RollbackLeverDowngrade | otaprio.RollbackLeverExemption
	way.Observe = otaprio.RollbackObserveBuild | otaprio.RollbackObserveRegion
	req.Rollback = &way
	req.Source = func(pass otaprio.PlanPass, first uint64, c *otaprio.PlanChunk) error {
		if first >= devices {
			return nil // the pass is over
		}
		end := min(first+chunkSize, devices)
		c.Keys, c.Ring = keys[first:end], ring[first:end]
		c.Codes = [][]uint32{region[first:end]}
		c.Wave = wave[first:end] // written in the assign pass
		return nil
	}
	plan, err := otaprio.NewPlan(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer plan.Close()
	s := plan.Summary()
	fmt.Println(s.Tier, s.Devices, s.Planned)
	for i, w := range plan.Waves() {
		fmt.Printf("wave %d: %v, %d devices, soak %vh, rollback %s\n",
			i, w.Stage, w.Devices, w.SoakHours, w.RollbackTier.Name())
	}
	for _, w := range plan.Warnings() {
		fmt.Println("warning:", w.Code.Name())
	}
	fmt.Println("device 0 joins wave", wave[0])
	// Output:
	// t3 2000 2000
	// wave 0: employee, 20 devices, soak 48h, rollback full rollback
	// wave 1: canary, 2 devices, soak 48h, rollback full rollback
	// wave 2: canary, 18 devices, soak 72h, rollback full rollback
	// wave 3: canary, 79 devices, soak 72h, rollback full rollback
	// wave 4: canary, 396 devices, soak 72h, rollback full rollback
	// wave 5: broad, 1485 devices, soak 0h, rollback full rollback
	// warning: no guardrails
	// warning: strata short of their minimum
	// device 0 joins wave 0
}
