// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// PlanRoleCount is the number of PlanRole values: the length of the
// per-role arrays of BreakglassPolicy and BreakglassResult.
const PlanRoleCount = C.OTAPRIO_PLAN_ROLE_COUNT

// BreakglassPolicy is what a break-glass request needs (approvals per
// role, evidence) and the cohorts no request may reach. The zero value
// (as otaprio_plan_breakglass_policy_init) requires nothing.
type BreakglassPolicy struct {
	// Approvals holds the distinct approvers required, indexed by
	// PlanRole.
	Approvals [PlanRoleCount]uint32
	// Evidence is the evidence required.
	Evidence PlanEvidence
	// Excluded holds cohort ids (shared-fate clusters) that stay excluded
	// even from a break-glass release.
	Excluded []uint64
}

// BreakglassRequest is a break-glass request: its approvals (two columns
// of equal length), its evidence and the cohorts it targets.
type BreakglassRequest struct {
	// ApprovalRole is the role each approval is given in.
	ApprovalRole []PlanRole
	// Approver is the host's id of each approver; one approver counts
	// once, for the role of their first approval.
	Approver []uint64
	// Evidence is the evidence present.
	Evidence PlanEvidence
	// Cohorts are the cohort ids the release would reach.
	Cohorts []uint64
}

// BreakglassResult says whether a request meets its policy and lists
// every requirement it does not meet.
type BreakglassResult struct {
	// Approved is true when every requirement is met.
	Approved bool
	// Unmet holds the kinds of requirement not met.
	Unmet PlanUnmet
	// MissingApprovals holds the approvals still missing, indexed by
	// PlanRole.
	MissingApprovals [PlanRoleCount]uint32
	// MissingEvidence is the required evidence not present.
	MissingEvidence PlanEvidence
	// RepeatedApprovals counts approvals that did not count because
	// their approver approved earlier in the list.
	RepeatedApprovals int
	// Excluded lists the distinct targeted cohorts the policy excludes,
	// in request order.
	Excluded []uint64
}

// breakglassToC fills C structs whose columns point into the Go slices,
// pinned until pins is unpinned. The caller has checked the lengths.
func breakglassToC(pins *runtime.Pinner, p *BreakglassPolicy, r *BreakglassRequest,
	cp *C.otaprio_plan_breakglass_policy, cr *C.otaprio_plan_breakglass_request) {
	C.otaprio_plan_breakglass_policy_init(cp, C.size_t(unsafe.Sizeof(*cp)))
	for i, n := range p.Approvals {
		cp.approvals[i] = C.uint32_t(n)
	}
	cp.evidence = C.uint32_t(p.Evidence)
	cp.excluded_count = C.size_t(len(p.Excluded))
	cp.excluded = column[C.uint64_t](pins, p.Excluded)
	C.otaprio_plan_breakglass_request_init(cr, C.size_t(unsafe.Sizeof(*cr)))
	cr.approval_count = C.size_t(len(r.ApprovalRole))
	cr.approval_role = column[C.int32_t](pins, r.ApprovalRole)
	cr.approver = column[C.uint64_t](pins, r.Approver)
	cr.evidence = C.uint32_t(r.Evidence)
	cr.cohort_count = C.size_t(len(r.Cohorts))
	cr.cohorts = column[C.uint64_t](pins, r.Cohorts)
}

// breakglassCheckColumns refuses approval columns of unequal length.
func breakglassCheckColumns(op string, r *BreakglassRequest) error {
	if len(r.Approver) != len(r.ApprovalRole) {
		return argError(op, StatusInvalid, "approver", -1,
			"%d approvers for %d approval roles", len(r.Approver), len(r.ApprovalRole))
	}
	return nil
}

// CheckBreakglass checks a break-glass request against its policy. An
// unknown role or evidence bit is ErrRange. Safe for concurrent use.
func CheckBreakglass(policy BreakglassPolicy, request BreakglassRequest) (BreakglassResult, error) {
	const op = "CheckBreakglass"
	if err := breakglassCheckColumns(op, &request); err != nil {
		return BreakglassResult{}, err
	}
	var pins runtime.Pinner
	defer pins.Unpin()
	var cp C.otaprio_plan_breakglass_policy
	var cr C.otaprio_plan_breakglass_request
	breakglassToC(&pins, &policy, &request, &cp, &cr)
	var res C.otaprio_plan_breakglass_result
	res.size = C.size_t(unsafe.Sizeof(res))
	// No more cohorts can be excluded than are targeted, so one call
	// gets them all.
	excluded := make([]uint64, len(request.Cohorts))
	d := newDiag()
	rc := C.otaprio_plan_breakglass_check(&cp, &cr, &res,
		column[C.uint64_t](&pins, excluded), C.size_t(len(excluded)), d)
	if err := check(op, rc, d); err != nil {
		return BreakglassResult{}, err
	}
	out := BreakglassResult{
		Approved:          res.approved != 0,
		Unmet:             PlanUnmet(res.unmet),
		MissingEvidence:   PlanEvidence(res.missing_evidence),
		RepeatedApprovals: int(res.repeated_approvals),
		Excluded:          excluded[:int(res.excluded_total)],
	}
	for i := range out.MissingApprovals {
		out.MissingApprovals[i] = uint32(res.missing_approvals[i])
	}
	return out, nil
}

// Name is the library's English name of the role ("SRE on call"), or ""
// for an unknown value.
func (v PlanRole) Name() string { return rollbackName(C.otaprio_plan_role_name(C.int32_t(v))) }

// Name is the library's English name of one evidence bit, or "" for
// anything but a single known bit.
func (v PlanEvidence) Name() string {
	return rollbackName(C.otaprio_plan_evidence_name(C.uint32_t(v)))
}

// Name is the library's English name of one unmet-requirement bit, or ""
// for anything but a single known bit.
func (v PlanUnmet) Name() string { return rollbackName(C.otaprio_plan_unmet_name(C.uint32_t(v))) }
