// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"reflect"
	"testing"

	"otaprio"
)

const (
	breakglassRM   = otaprio.PlanRoleReleaseManager
	breakglassSec  = otaprio.PlanRoleSecurityLead
	breakglassSRE  = otaprio.PlanRoleSREOnCall
	breakglassExec = otaprio.PlanRoleExecutive
)

// The C test's emergency policy: a release manager, a security lead and
// the SRE on call; exploitation, rollback verified, guardrails; three
// cohorts never reached.
func breakglassEmergencyPolicy() otaprio.BreakglassPolicy {
	var p otaprio.BreakglassPolicy
	p.Approvals[breakglassRM], p.Approvals[breakglassSec], p.Approvals[breakglassSRE] = 1, 1, 1
	p.Evidence = otaprio.PlanEvidenceExploitation | otaprio.PlanEvidenceRollbackVerified | otaprio.PlanEvidenceGuardrails
	p.Excluded = []uint64{700, 42, 9001}
	return p
}

func breakglassEmergencyRequest() otaprio.BreakglassRequest {
	return otaprio.BreakglassRequest{
		ApprovalRole: []otaprio.PlanRole{breakglassRM, breakglassSec, breakglassSRE},
		Approver:     []uint64{11, 22, 33},
		Evidence:     breakglassEmergencyPolicy().Evidence,
		Cohorts:      []uint64{1, 2, 3, 4},
	}
}

func breakglassCheck(t *testing.T, p otaprio.BreakglassPolicy, r otaprio.BreakglassRequest) otaprio.BreakglassResult {
	t.Helper()
	res, err := otaprio.CheckBreakglass(p, r)
	if err != nil {
		t.Fatal(err)
	}
	if res.Approved != (res.Unmet == 0) {
		t.Fatalf("approved %v with unmet %v", res.Approved, res.Unmet)
	}
	return res
}

func TestBreakglassApprovedEmergency(t *testing.T) {
	res := breakglassCheck(t, breakglassEmergencyPolicy(), breakglassEmergencyRequest())
	if !reflect.DeepEqual(res, otaprio.BreakglassResult{Approved: true, Excluded: []uint64{}}) {
		t.Errorf("result = %+v", res)
	}
	if !breakglassCheck(t, otaprio.BreakglassPolicy{}, otaprio.BreakglassRequest{}).Approved {
		t.Error("an empty policy refused an empty request")
	}
}

func TestBreakglassMissingApprovalsAndRepeats(t *testing.T) {
	p := breakglassEmergencyPolicy()
	p.Approvals[breakglassExec] = 2
	r := breakglassEmergencyRequest()
	r.ApprovalRole, r.Approver = []otaprio.PlanRole{breakglassRM, breakglassSRE, breakglassExec}, []uint64{11, 33, 44}
	res := breakglassCheck(t, p, r)
	if res.Unmet != otaprio.PlanUnmetApprovals || res.MissingApprovals != [otaprio.PlanRoleCount]uint32{0, 1, 0, 0, 1} {
		t.Errorf("missing security lead: %+v", res)
	}

	p = breakglassEmergencyPolicy()
	p.Approvals[breakglassSec] = 2
	r.ApprovalRole = []otaprio.PlanRole{breakglassRM, breakglassSec, breakglassSec, breakglassSRE, breakglassSRE}
	r.Approver = []uint64{11, 22, 22, 11, 33}
	res = breakglassCheck(t, p, r)
	if res.Unmet != otaprio.PlanUnmetApprovals || res.RepeatedApprovals != 2 || res.MissingApprovals[breakglassSec] != 1 || res.MissingApprovals[breakglassSRE] != 0 {
		t.Errorf("one approver counted twice: %+v", res)
	}
	r.Approver = []uint64{11, 22, 23, 11, 33}
	if res = breakglassCheck(t, p, r); !res.Approved || res.RepeatedApprovals != 1 {
		t.Errorf("fixed approvers: %+v", res)
	}
}

func TestBreakglassExcludedCohortsInRequestOrder(t *testing.T) {
	r := breakglassEmergencyRequest()
	r.Cohorts = []uint64{5, 9001, 42, 6, 9001, 700, 42}
	res := breakglassCheck(t, breakglassEmergencyPolicy(), r)
	if res.Unmet != otaprio.PlanUnmetExcludedCohort || !reflect.DeepEqual(res.Excluded, []uint64{9001, 42, 700}) {
		t.Errorf("result = %+v", res)
	}
	r.Evidence = 0
	res = breakglassCheck(t, breakglassEmergencyPolicy(), r)
	if res.Unmet != otaprio.PlanUnmetExcludedCohort|otaprio.PlanUnmetEvidence || res.MissingEvidence != breakglassEmergencyPolicy().Evidence {
		t.Errorf("without evidence: %+v", res)
	}
}

func TestCheckBreakglassRefusesBadInput(t *testing.T) {
	r := breakglassEmergencyRequest()
	r.Approver = r.Approver[:2]
	var e *otaprio.Error
	if _, err := otaprio.CheckBreakglass(breakglassEmergencyPolicy(), r); !errors.Is(err, otaprio.ErrInvalid) || !errors.As(err, &e) || e.Field != "approver" {
		t.Errorf("mismatched approvals: %v", err)
	}
	r = breakglassEmergencyRequest()
	r.ApprovalRole[1] = 9
	if _, err := otaprio.CheckBreakglass(breakglassEmergencyPolicy(), r); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("unknown role: %v", err)
	}
	p := breakglassEmergencyPolicy()
	p.Evidence |= 1 << 12
	if _, err := otaprio.CheckBreakglass(p, breakglassEmergencyRequest()); !errors.Is(err, otaprio.ErrRange) {
		t.Errorf("unknown evidence: %v", err)
	}
}

func TestPlanNames(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{otaprio.PlanRoleSREOnCall.Name(), "SRE on call"},
		{otaprio.PlanUnmetEvidence.Name(), "evidence missing"},
		{otaprio.PlanMetricRate.Name(), "rate"},
		{otaprio.PlanStageCanary.Name(), "canary"},
		{otaprio.PlanPassAssign.Name(), "assign"},
		{otaprio.PlanPathStatusFound.Name(), "found"},
		{otaprio.PlanRole(17).Name(), ""},
		{otaprio.PlanEvidence(0).Name(), ""},
	} {
		if c.got != c.want {
			t.Errorf("name %q, want %q", c.got, c.want)
		}
	}
	if otaprio.PlanNoteEmergency.Name() == "" || otaprio.PlanWarningCodeNoGuardrails.Name() == "" ||
		otaprio.PlanEvidenceExploitation.Name() == "" {
		t.Error("a known value has no name")
	}
}
