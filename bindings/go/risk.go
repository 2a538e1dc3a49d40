// SPDX-License-Identifier: MIT

package otaprio

// #include "binding.h"
import "C"

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// DeviceClassMax is the number of device class values: classes up to
// DeviceClassMax-1 are valid in the device_class column, and
// RiskPolicy.ClassCriticality has one entry per class.
const DeviceClassMax = C.OTAPRIO_DEVICE_CLASS_MAX

// WorkflowAll is every defined Workflow bit.
const WorkflowAll Workflow = C.OTAPRIO_WORKFLOW_ALL

// ReasonCount is the number of Reason bits defined.
const ReasonCount = C.OTAPRIO_REASON_COUNT

// Issue is a fix and the defect it addresses (otaprio_issue). It is a
// plain value, copied into each call.
//
// Start from DefaultIssue, which holds the library's "nothing known"
// values, and set only what is known: the zero Issue is not the default
// (its Class is IssueClassSecurity, the library's default is
// IssueClassStability).
type Issue struct {
	// Class is the kind of defect.
	Class IssueClass
	// SecurityImpact is the severity of the security harm.
	SecurityImpact Level
	// DataLoss is the severity of data loss.
	DataLoss Level
	// UptimeLoss is the severity of lost uptime.
	UptimeLoss Level
	// RegulatoryExposure is the regulatory or contractual exposure.
	RegulatoryExposure Level
	// AttackPath is how an attacker reaches the flaw.
	AttackPath AttackPath
	// Exploit is what is known of exploitation.
	Exploit Exploit
	// Automatable is set when exploitation can be automated (SSVC
	// "automatable").
	Automatable bool
	// HasEPSS says whether EPSS holds a probability; without it EPSS is
	// not read.
	HasEPSS bool
	// EPSS is the probability of exploitation within 30 days, in [0, 1].
	EPSS float64
	// AffectedShare is the share of the fleet on affected builds, in
	// [0, 1].
	AffectedShare float64
	// Concentration is the geographic concentration of affected devices,
	// in [0, 1]: 1 when they all sit in one region.
	Concentration float64
	// Workflows are the business-critical workflows the defect touches.
	Workflows Workflow
	// AffectedClasses has bit c set for each DeviceClass c on affected
	// builds, e.g. 1<<DeviceClassMedical | 1<<DeviceClassGateway.
	AffectedClasses uint32
	// Layer is the layer the package changes.
	Layer Layer
	// ABSlot is set when the package installs to an A/B slot and can
	// fall back.
	ABSlot bool
	// AnomalyRate is the telemetry anomaly rate attributed to the defect,
	// in [0, 1].
	AnomalyRate float64
	// AnomalyGrowing is set when that anomaly rate is growing.
	AnomalyGrowing bool
	// MasksRegression is set when a cosmetic defect hides a real
	// regression, which then scores as more than cosmetic.
	MasksRegression bool
	// PackageBytes is the package size (0 when unknown), against which
	// free storage and metered links are judged.
	PackageBytes uint64
}

// DefaultIssue returns an issue with the library's "nothing known" values
// (otaprio_issue_init): no harm, no exploit, nothing affected, a stability
// fix of an app-layer package.
func DefaultIssue() Issue {
	var c C.otaprio_issue
	C.otaprio_issue_init(&c, C.size_t(unsafe.Sizeof(c)))
	return riskIssueFromC(&c)
}

func riskIssueFromC(c *C.otaprio_issue) Issue {
	return Issue{
		Class:              IssueClass(c.issue_class),
		SecurityImpact:     Level(c.security_impact),
		DataLoss:           Level(c.data_loss),
		UptimeLoss:         Level(c.uptime_loss),
		RegulatoryExposure: Level(c.regulatory_exposure),
		AttackPath:         AttackPath(c.attack_path),
		Exploit:            Exploit(c.exploit),
		Automatable:        c.automatable != 0,
		HasEPSS:            c.has_epss != 0,
		EPSS:               float64(c.epss),
		AffectedShare:      float64(c.affected_share),
		Concentration:      float64(c.concentration),
		Workflows:          Workflow(c.workflows),
		AffectedClasses:    uint32(c.affected_classes),
		Layer:              Layer(c.layer),
		ABSlot:             c.ab_slot != 0,
		AnomalyRate:        float64(c.anomaly_rate),
		AnomalyGrowing:     c.anomaly_growing != 0,
		MasksRegression:    c.masks_regression != 0,
		PackageBytes:       uint64(c.package_bytes),
	}
}

// riskToC is the issue as the library reads it. The plan engine passes
// issues to C too, hence a method rather than a private function of
// ScoreIssue.
func (i *Issue) riskToC() C.otaprio_issue {
	var c C.otaprio_issue
	C.otaprio_issue_init(&c, C.size_t(unsafe.Sizeof(c)))
	c.issue_class = C.int32_t(i.Class)
	c.security_impact = C.int32_t(i.SecurityImpact)
	c.data_loss = C.int32_t(i.DataLoss)
	c.uptime_loss = C.int32_t(i.UptimeLoss)
	c.regulatory_exposure = C.int32_t(i.RegulatoryExposure)
	c.attack_path = C.int32_t(i.AttackPath)
	c.exploit = C.int32_t(i.Exploit)
	c.automatable = cFlag(i.Automatable)
	c.has_epss = cFlag(i.HasEPSS)
	c.epss = C.double(i.EPSS)
	c.affected_share = C.double(i.AffectedShare)
	c.concentration = C.double(i.Concentration)
	c.workflows = C.uint32_t(i.Workflows)
	c.affected_classes = C.uint32_t(i.AffectedClasses)
	c.layer = C.int32_t(i.Layer)
	c.ab_slot = cFlag(i.ABSlot)
	c.anomaly_rate = C.double(i.AnomalyRate)
	c.anomaly_growing = cFlag(i.AnomalyGrowing)
	c.masks_regression = cFlag(i.MasksRegression)
	c.package_bytes = C.uint64_t(i.PackageBytes)
	return c
}

// RiskPolicy holds the weights, tables and thresholds of the risk engine
// (otaprio_risk_policy). Start from DefaultRiskPolicy, which holds the
// library's documented defaults (the reference scorecard), and change what
// differs; NewRiskModel validates the whole policy, and the model keeps
// no reference to it.
//
// Points are score points (a score runs from 0 to 100). Tables are indexed
// by the enum they name and are as long as the C tables: entries past the
// named values are reserved and must stay 0, except the device class
// tables, which a host may extend.
type RiskPolicy struct {
	// Model says which model decides the tier.
	Model RiskModelKind
	// ClassPoints are the points per IssueClass.
	ClassPoints [8]float64
	// SeverityPoints are the points at LevelCritical of security impact,
	// data loss, uptime loss and regulatory exposure, scaled by level/4.
	SeverityPoints [4]float64
	// AttackPathPoints are the points per AttackPath.
	AttackPathPoints [8]float64
	// ExploitPoints are the points per Exploit.
	ExploitPoints [4]float64
	// AutomatablePoints are earned when exploitation is automatable.
	AutomatablePoints float64
	// EPSSPoints are earned at an EPSS of 1, scaled linearly.
	EPSSPoints float64
	// SharePoints are earned when the whole fleet is affected, scaled by
	// the square root of the share.
	SharePoints float64
	// ConcentrationPoints are earned at full geographic concentration.
	ConcentrationPoints float64
	// WorkflowPoints are earned per critical workflow touched.
	WorkflowPoints float64
	// WorkflowCap caps the workflow points.
	WorkflowCap float64
	// AffectedClassPoints times the criticality of the most critical
	// affected class.
	AffectedClassPoints float64
	// LayerPoints are the points per Layer (rollback complexity).
	LayerPoints [8]float64
	// ABSlotPoints are earned when the package has an A/B slot.
	ABSlotPoints float64
	// AnomalyPoints are earned at an anomaly rate of 1, scaled linearly.
	AnomalyPoints float64
	// AnomalyGrowingPoints are earned when the anomaly is growing.
	AnomalyGrowingPoints float64
	// MasksRegressionPoints are earned when a cosmetic defect masks a
	// regression.
	MasksRegressionPoints float64
	// TierThresholds are the lowest scores of T0, T1 and T2, strictly
	// decreasing within [0, 100].
	TierThresholds [3]float64
	// ActiveExploitT0 makes, under the scorecard model, an actively
	// exploited security issue T0 whatever its score.
	ActiveExploitT0 bool
	// CosmeticT3 makes, under the scorecard model, a cosmetic issue that
	// masks no regression T3 whatever its score.
	CosmeticT3 bool
	// ClassCriticality is the criticality of each DeviceClass, in [0, 1].
	ClassCriticality [DeviceClassMax]float64
	// ClassPointsDevice times the class criticality gives a device's
	// criticality points.
	ClassPointsDevice float64
	// CustomerPoints are the points per CustomerTier.
	CustomerPoints [4]float64
	// ExposurePoints are the points per Exposure.
	ExposurePoints [4]float64
	// NoRedundancyPoints are earned without a redundant peer.
	NoRedundancyPoints float64
	// UptimePoints are the points per Uptime.
	UptimePoints [4]float64
	// DefectShare is the share of the defect score in the priority.
	DefectShare float64
	// CriticalityShare is the share of the criticality in the priority.
	CriticalityShare float64
	// FailedAttemptPoints are the priority points per failed attempt.
	FailedAttemptPoints float64
	// FailedAttemptCap caps the failed-attempt points.
	FailedAttemptCap float64
	// RepeatedFailures is the number of failed attempts from which
	// ReasonRepeatedFailures is set; 0 never sets it.
	RepeatedFailures uint32
	// BatteryRiskLevel is the battery level below which an idle battery
	// adds delivery risk, in [2^-20, 1].
	BatteryRiskLevel float64
	// BatteryPoints is the delivery risk of an empty, idle battery, scaled
	// linearly up to BatteryRiskLevel.
	BatteryPoints float64
	// MinBattery is the battery level below which an idle device defers,
	// compared in single precision as the battery column holds it.
	MinBattery float64
	// LinkPoints are the delivery-risk points per Link.
	LinkPoints [8]float64
	// MeteredPoints are the delivery-risk points on a metered link.
	MeteredPoints float64
	// StoragePoints are the delivery-risk points when storage is short.
	StoragePoints float64
	// SafeFallbackPoints are the delivery-risk points of a safe fallback,
	// at most 0.
	SafeFallbackPoints float64
	// StorageHeadroom is the free storage needed as a multiple of the
	// package size, in [1, 1000].
	StorageHeadroom float64
	// MeteredMaxBytes is the largest package sent over a metered or
	// roaming link.
	MeteredMaxBytes uint64
	// CatchUpDays is the number of days offline from which a catch-up
	// path is flagged; 0 never flags it.
	CatchUpDays uint32
	// T0OverridesWindow lets a T0 fix override maintenance windows.
	T0OverridesWindow bool
	// ExcludedClasses has bit c set for each DeviceClass c excluded from
	// the rollout.
	ExcludedClasses uint32
}

// DefaultRiskPolicy returns the library's documented defaults
// (otaprio_risk_policy_init).
func DefaultRiskPolicy() RiskPolicy {
	var c C.otaprio_risk_policy
	C.otaprio_risk_policy_init(&c, C.size_t(unsafe.Sizeof(c)))
	return riskPolicyFromC(&c)
}

// riskCopyIn copies a Go table into a C table of the same length; a
// length mismatch is a bug in the binding (the tests round-trip every
// table) and panics.
func riskCopyIn(dst []C.double, src []float64) {
	if len(dst) != len(src) {
		panic("otaprio: risk policy table length mismatch")
	}
	for i, v := range src {
		dst[i] = C.double(v)
	}
}

func riskCopyOut(dst []float64, src []C.double) {
	if len(dst) != len(src) {
		panic("otaprio: risk policy table length mismatch")
	}
	for i, v := range src {
		dst[i] = float64(v)
	}
}

func riskPolicyFromC(c *C.otaprio_risk_policy) RiskPolicy {
	p := RiskPolicy{
		Model:                 RiskModelKind(c.model),
		AutomatablePoints:     float64(c.automatable_points),
		EPSSPoints:            float64(c.epss_points),
		SharePoints:           float64(c.share_points),
		ConcentrationPoints:   float64(c.concentration_points),
		WorkflowPoints:        float64(c.workflow_points),
		WorkflowCap:           float64(c.workflow_cap),
		AffectedClassPoints:   float64(c.affected_class_points),
		ABSlotPoints:          float64(c.ab_slot_points),
		AnomalyPoints:         float64(c.anomaly_points),
		AnomalyGrowingPoints:  float64(c.anomaly_growing_points),
		MasksRegressionPoints: float64(c.masks_regression_points),
		ActiveExploitT0:       c.active_exploit_t0 != 0,
		CosmeticT3:            c.cosmetic_t3 != 0,
		ClassPointsDevice:     float64(c.class_points_device),
		NoRedundancyPoints:    float64(c.no_redundancy_points),
		DefectShare:           float64(c.defect_share),
		CriticalityShare:      float64(c.criticality_share),
		FailedAttemptPoints:   float64(c.failed_attempt_points),
		FailedAttemptCap:      float64(c.failed_attempt_cap),
		RepeatedFailures:      uint32(c.repeated_failures),
		BatteryRiskLevel:      float64(c.battery_risk_level),
		BatteryPoints:         float64(c.battery_points),
		MinBattery:            float64(c.min_battery),
		MeteredPoints:         float64(c.metered_points),
		StoragePoints:         float64(c.storage_points),
		SafeFallbackPoints:    float64(c.safe_fallback_points),
		StorageHeadroom:       float64(c.storage_headroom),
		MeteredMaxBytes:       uint64(c.metered_max_bytes),
		CatchUpDays:           uint32(c.catch_up_days),
		T0OverridesWindow:     c.t0_overrides_window != 0,
		ExcludedClasses:       uint32(c.excluded_classes),
	}
	riskCopyOut(p.ClassPoints[:], c.class_points[:])
	riskCopyOut(p.SeverityPoints[:], c.severity_points[:])
	riskCopyOut(p.AttackPathPoints[:], c.attack_path_points[:])
	riskCopyOut(p.ExploitPoints[:], c.exploit_points[:])
	riskCopyOut(p.LayerPoints[:], c.layer_points[:])
	riskCopyOut(p.TierThresholds[:], c.tier_thresholds[:])
	riskCopyOut(p.ClassCriticality[:], c.class_criticality[:])
	riskCopyOut(p.CustomerPoints[:], c.customer_points[:])
	riskCopyOut(p.ExposurePoints[:], c.exposure_points[:])
	riskCopyOut(p.UptimePoints[:], c.uptime_points[:])
	riskCopyOut(p.LinkPoints[:], c.link_points[:])
	return p
}

func (p *RiskPolicy) riskToC() C.otaprio_risk_policy {
	var c C.otaprio_risk_policy
	C.otaprio_risk_policy_init(&c, C.size_t(unsafe.Sizeof(c)))
	c.model = C.int32_t(p.Model)
	riskCopyIn(c.class_points[:], p.ClassPoints[:])
	riskCopyIn(c.severity_points[:], p.SeverityPoints[:])
	riskCopyIn(c.attack_path_points[:], p.AttackPathPoints[:])
	riskCopyIn(c.exploit_points[:], p.ExploitPoints[:])
	c.automatable_points = C.double(p.AutomatablePoints)
	c.epss_points = C.double(p.EPSSPoints)
	c.share_points = C.double(p.SharePoints)
	c.concentration_points = C.double(p.ConcentrationPoints)
	c.workflow_points = C.double(p.WorkflowPoints)
	c.workflow_cap = C.double(p.WorkflowCap)
	c.affected_class_points = C.double(p.AffectedClassPoints)
	riskCopyIn(c.layer_points[:], p.LayerPoints[:])
	c.ab_slot_points = C.double(p.ABSlotPoints)
	c.anomaly_points = C.double(p.AnomalyPoints)
	c.anomaly_growing_points = C.double(p.AnomalyGrowingPoints)
	c.masks_regression_points = C.double(p.MasksRegressionPoints)
	riskCopyIn(c.tier_thresholds[:], p.TierThresholds[:])
	c.active_exploit_t0 = cFlag(p.ActiveExploitT0)
	c.cosmetic_t3 = cFlag(p.CosmeticT3)
	riskCopyIn(c.class_criticality[:], p.ClassCriticality[:])
	c.class_points_device = C.double(p.ClassPointsDevice)
	riskCopyIn(c.customer_points[:], p.CustomerPoints[:])
	riskCopyIn(c.exposure_points[:], p.ExposurePoints[:])
	c.no_redundancy_points = C.double(p.NoRedundancyPoints)
	riskCopyIn(c.uptime_points[:], p.UptimePoints[:])
	c.defect_share = C.double(p.DefectShare)
	c.criticality_share = C.double(p.CriticalityShare)
	c.failed_attempt_points = C.double(p.FailedAttemptPoints)
	c.failed_attempt_cap = C.double(p.FailedAttemptCap)
	c.repeated_failures = C.uint32_t(p.RepeatedFailures)
	c.battery_risk_level = C.double(p.BatteryRiskLevel)
	c.battery_points = C.double(p.BatteryPoints)
	c.min_battery = C.double(p.MinBattery)
	riskCopyIn(c.link_points[:], p.LinkPoints[:])
	c.metered_points = C.double(p.MeteredPoints)
	c.storage_points = C.double(p.StoragePoints)
	c.safe_fallback_points = C.double(p.SafeFallbackPoints)
	c.storage_headroom = C.double(p.StorageHeadroom)
	c.metered_max_bytes = C.uint64_t(p.MeteredMaxBytes)
	c.catch_up_days = C.uint32_t(p.CatchUpDays)
	c.t0_overrides_window = cFlag(p.T0OverridesWindow)
	c.excluded_classes = C.uint32_t(p.ExcludedClasses)
	return c
}

// RiskModel is a compiled risk policy (otaprio_risk_model).
//
// A model is immutable once built: any number of goroutines may score
// with one model at once, as the C library allows. Close may be called at
// any time, from any goroutine: calls already running finish with the
// model, which is freed when the last of them returns; calls made after
// Close fail with ErrInvalid.
type RiskModel struct {
	model *C.otaprio_risk_model
	// state counts the calls using the model, with riskClosed set once
	// Close was called; the model is freed when both say it is unused.
	state atomic.Int64
}

// riskClosed is the bit of RiskModel.state set by Close.
const riskClosed = int64(1) << 62

// NewRiskModel validates policy and compiles it into a model; nil means
// the library's defaults. A bad policy fails with ErrRange, its Field
// naming the policy field (in the C spelling, e.g. "tier_thresholds") and
// Index the table entry.
func NewRiskModel(policy *RiskPolicy) (*RiskModel, error) {
	const op = "NewRiskModel"
	var cp *C.otaprio_risk_policy
	if policy != nil {
		c := policy.riskToC()
		cp = &c
	}
	var model *C.otaprio_risk_model
	d := newDiag()
	if err := check(op, C.otaprio_risk_model_create(cp, nil, &model, d), d); err != nil {
		return nil, err
	}
	m := &RiskModel{model: model}
	runtime.SetFinalizer(m, func(m *RiskModel) { m.Close() })
	return m, nil
}

// Close frees the model once no call uses it any more. It is idempotent
// and always returns nil (it has the io.Closer shape).
func (m *RiskModel) Close() error {
	if m == nil {
		return nil
	}
	for {
		s := m.state.Load()
		if s&riskClosed != 0 {
			return nil
		}
		if m.state.CompareAndSwap(s, s|riskClosed) {
			if s == 0 {
				C.otaprio_risk_model_free(m.model)
			}
			runtime.SetFinalizer(m, nil)
			return nil
		}
	}
}

// riskAcquire returns the C model for one call, which must end with
// riskRelease; it fails on a nil or closed model. The plan engine's
// binding uses it too, to pass a model to its C request.
func (m *RiskModel) riskAcquire(op string) (*C.otaprio_risk_model, error) {
	if m == nil {
		return nil, argError(op, StatusInvalid, "model", -1, "the risk model is nil")
	}
	for {
		s := m.state.Load()
		if s&riskClosed != 0 {
			return nil, argError(op, StatusInvalid, "model", -1, "the risk model is closed")
		}
		if m.state.CompareAndSwap(s, s+1) {
			return m.model, nil
		}
	}
}

// riskRelease ends a call begun by riskAcquire, freeing the model when it
// was the last call of a closed model. Calling it also keeps m reachable
// (so its finalizer cannot run) until the C call is over.
func (m *RiskModel) riskRelease() {
	if m.state.Add(-1) == riskClosed {
		C.otaprio_risk_model_free(m.model)
	}
}

// FactorPoints is one line of an explanation (otaprio_factor_points): the
// factor, the input that earned it, and its points. The Milli of all lines
// of one score add up exactly to that score's thousandths.
type FactorPoints struct {
	// Score is the score the line belongs to.
	Score ScoreKind
	// Factor is what earned the points.
	Factor Factor
	// Input is the value behind it: an enum value, a level, a count, a
	// share or probability, or a sub-score in points.
	Input float64
	// Milli are the points contributed, in thousandths (may be negative).
	Milli int64
}

// Points returns the line's points (Milli / 1000).
func (f FactorPoints) Points() float64 { return float64(f.Milli) / 1000 }

// Label returns the library's short English label of the line, such as
// "active exploitation" or "3 failed attempts".
func (f FactorPoints) Label() string { return FactorLabel(f.Factor, f.Input) }

// riskExplainLines is the capacity first offered for an explanation; a
// longer one is asked again at the length the library reports. A variable
// so that a test can make the first offer too small.
var riskExplainLines = 64

func riskLinesFromC(items []C.otaprio_factor_points) []FactorPoints {
	out := make([]FactorPoints, len(items))
	for i := range items {
		out[i] = FactorPoints{
			Score:  ScoreKind(items[i].score),
			Factor: Factor(items[i].factor),
			Input:  float64(items[i].input),
			Milli:  int64(items[i].milli),
		}
	}
	return out
}

// riskExplain runs a C call that writes explanation lines, growing the
// buffer when the library says it needs more.
func riskExplain(op string, call func(items *C.otaprio_factor_points, capacity C.size_t,
	count *C.size_t, d *C.otaprio_diag) C.int) ([]FactorPoints, error) {
	items := make([]C.otaprio_factor_points, riskExplainLines)
	for {
		var count C.size_t
		d := newDiag()
		status := call(&items[0], C.size_t(len(items)), &count, d)
		if status == C.OTAPRIO_E_RANGE && int(count) > len(items) {
			items = make([]C.otaprio_factor_points, int(count))
			continue
		}
		if err := check(op, status, d); err != nil {
			return nil, err
		}
		return riskLinesFromC(items[:count]), nil
	}
}

// IssueScore is a fix's defect score and tier (otaprio_issue_score), with
// the explanation when ScoreIssue computed it. A host may also build one
// with NewIssueScore to score devices against a defect score of its own.
type IssueScore struct {
	// Tier is the fix's tier.
	Tier Tier
	// SSVC is the CISA SSVC decision for the issue, computed under both
	// models.
	SSVC SSVCDecision
	// ScoreMilli is the defect score in thousandths, 0 to 100000.
	ScoreMilli int64
	// Score is the same score in points.
	Score float64
	// PackageBytes is the package size, copied from the issue, against
	// which devices' storage and metered links are judged.
	PackageBytes uint64
	// Explanation holds the lines whose Milli add up to ScoreMilli; empty
	// for a score the host built.
	Explanation []FactorPoints
}

// NewIssueScore returns a host's own defect score (in thousandths of a
// point, 0 to 100000) and tier, for scoring devices; Score is derived
// from scoreMilli so that the two agree.
func NewIssueScore(tier Tier, scoreMilli int64, packageBytes uint64) IssueScore {
	return IssueScore{Tier: tier, ScoreMilli: scoreMilli,
		Score: float64(scoreMilli) / 1000, PackageBytes: packageBytes}
}

func (s *IssueScore) riskToC() C.otaprio_issue_score {
	var c C.otaprio_issue_score
	c.size = C.size_t(unsafe.Sizeof(c))
	c.tier = C.int32_t(s.Tier)
	c.ssvc = C.int32_t(s.SSVC)
	c.score_milli = C.int64_t(s.ScoreMilli)
	c.score = C.double(s.Score)
	c.package_bytes = C.uint64_t(s.PackageBytes)
	return c
}

// ScoreIssue scores a fix: its defect score, tier and SSVC decision, with
// the explanation lines that add up to the score. A field out of range
// (an enum, a flag, a share or probability, NaN included) fails with
// ErrRange naming the field.
func (m *RiskModel) ScoreIssue(issue Issue) (IssueScore, error) {
	const op = "ScoreIssue"
	model, err := m.riskAcquire(op)
	if err != nil {
		return IssueScore{}, err
	}
	defer m.riskRelease()
	ci := issue.riskToC()
	var score C.otaprio_issue_score
	score.size = C.size_t(unsafe.Sizeof(score))
	lines, err := riskExplain(op, func(items *C.otaprio_factor_points, capacity C.size_t,
		count *C.size_t, d *C.otaprio_diag) C.int {
		return C.otaprio_risk_score_issue(model, &ci, &score, items, capacity, count, d)
	})
	if err != nil {
		return IssueScore{}, err
	}
	return IssueScore{
		Tier:         Tier(score.tier),
		SSVC:         SSVCDecision(score.ssvc),
		ScoreMilli:   int64(score.score_milli),
		Score:        float64(score.score),
		PackageBytes: uint64(score.package_bytes),
		Explanation:  lines,
	}, nil
}

// FactorLabel returns the library's short English label of an
// explanation line ("active exploitation", "remote attack path", "A/B
// slot", "medical device", "3 failed attempts"...); "unknown factor" for
// a factor the library does not know.
func FactorLabel(factor Factor, input float64) string {
	return C.GoString(C.otaprio_factor_label(C.int32_t(factor), C.double(input)))
}

// TierName returns the library's name of a tier, such as "T0 emergency
// push now"; "unknown tier" when out of range.
func TierName(tier Tier) string { return C.GoString(C.otaprio_tier_name(C.int32_t(tier))) }

// DispositionName returns the library's name of a disposition:
// "eligible", "defer", "blocked" or "excluded"; "unknown disposition"
// when out of range.
func DispositionName(disposition Disposition) string {
	return C.GoString(C.otaprio_disposition_name(C.int32_t(disposition)))
}

// ReasonName returns the library's name of one reason bit, such as "low
// battery"; "unknown reason" for anything but a single known bit.
func ReasonName(reason Reason) string {
	return C.GoString(C.otaprio_reason_name(C.uint32_t(reason)))
}

// SSVCName returns the library's name of an SSVC decision: "Track",
// "Track*", "Attend" or "Act"; "unknown decision" when out of range.
func SSVCName(decision SSVCDecision) string {
	return C.GoString(C.otaprio_ssvc_name(C.int32_t(decision)))
}
