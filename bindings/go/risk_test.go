// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"math"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"otaprio"
)

// The inputs and expected answers come from the C tests
// (tests/unit/test_risk_issue.c, test_risk_device.c, test_risk_policy.c)
// and the CISA SSVC golden vectors (tests/vectors/ssvc_vectors.h).

func riskModel(t testing.TB, policy *otaprio.RiskPolicy) *otaprio.RiskModel {
	t.Helper()
	m, err := otaprio.NewRiskModel(policy)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func riskScore(t testing.TB, m *otaprio.RiskModel, issue otaprio.Issue) otaprio.IssueScore {
	t.Helper()
	s, err := m.ScoreIssue(issue)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// riskWantError checks err is an *otaprio.Error of the sentinel's status
// naming field (and index, unless index is -2).
func riskWantError(t *testing.T, what string, err, sentinel error, field string, index int64) {
	t.Helper()
	var e *otaprio.Error
	if !errors.As(err, &e) || !errors.Is(err, sentinel) {
		t.Errorf("%s: got %v, want %v", what, err, sentinel)
		return
	}
	if e.Field != field || (index != -2 && e.Index != index) {
		t.Errorf("%s: error names %s[%d], want %s[%d] (%v)", what, e.Field, e.Index, field, index, err)
	}
	if e.Message == "" {
		t.Errorf("%s: no message", what)
	}
}

// ---- policy and issue defaults -----------------------------------------

func TestRiskDefaultsAreTheLibrarys(t *testing.T) {
	p := otaprio.DefaultRiskPolicy()
	if p.Model != otaprio.RiskModelKindScorecard ||
		p.ClassPoints[otaprio.IssueClassSecurity] != 10 ||
		p.ClassPoints[otaprio.IssueClassCosmetic] != -10 ||
		p.ClassPoints[5] != 0 ||
		p.ExploitPoints[otaprio.ExploitActive] != 18 ||
		p.AttackPathPoints[otaprio.AttackPathRemote] != 12 ||
		p.TierThresholds != [3]float64{70, 50, 25} ||
		p.ClassCriticality[otaprio.DeviceClassMedical] != 1.0 ||
		p.ClassCriticality[31] != 0.3 ||
		p.SafeFallbackPoints != -10 ||
		p.MeteredMaxBytes != 50<<20 ||
		!p.ActiveExploitT0 || !p.CosmeticT3 || !p.T0OverridesWindow ||
		p.LinkPoints != [8]float64{0, 3, 10, 20, 25} ||
		p.DefectShare != 0.6 || p.CriticalityShare != 0.4 ||
		p.RepeatedFailures != 3 || p.CatchUpDays != 14 || p.MinBattery != 0.2 {
		t.Errorf("DefaultRiskPolicy() = %+v", p)
	}
	issue := otaprio.DefaultIssue()
	want := otaprio.Issue{Class: otaprio.IssueClassStability, Layer: otaprio.LayerApp}
	if issue != want {
		t.Errorf("DefaultIssue() = %+v, want %+v", issue, want)
	}
}

// A nil policy and the defaults build the same model.
func TestRiskNilPolicyMeansTheDefaults(t *testing.T) {
	defaults := otaprio.DefaultRiskPolicy()
	implicit, explicit := riskModel(t, nil), riskModel(t, &defaults)
	for i, issue := range riskIssues(100, 3) {
		a, b := riskScore(t, implicit, issue), riskScore(t, explicit, issue)
		if a.ScoreMilli != b.ScoreMilli || a.Tier != b.Tier || a.SSVC != b.SSVC {
			t.Fatalf("issue %d: %+v and %+v", i, a, b)
		}
	}
}

// Every Go field reaches its C field: a bad value in each is refused by
// the library under that field's C name (test_risk_policy.c's cases).
func TestRiskBadPoliciesAreRefusedByField(t *testing.T) {
	cases := []struct {
		field string
		index int64
		spoil func(p *otaprio.RiskPolicy)
	}{
		{"model", -1, func(p *otaprio.RiskPolicy) { p.Model = 2 }},
		{"class_points", 1, func(p *otaprio.RiskPolicy) { p.ClassPoints[1] = math.NaN() }},
		{"class_points", 6, func(p *otaprio.RiskPolicy) { p.ClassPoints[6] = 1 }},
		{"class_points", 0, func(p *otaprio.RiskPolicy) { p.ClassPoints[0] = 1e6 }},
		{"severity_points", 2, func(p *otaprio.RiskPolicy) { p.SeverityPoints[2] = -1 }},
		{"attack_path_points", 4, func(p *otaprio.RiskPolicy) { p.AttackPathPoints[4] = 3 }},
		{"exploit_points", 2, func(p *otaprio.RiskPolicy) { p.ExploitPoints[1] = 20 }},
		{"automatable_points", -1, func(p *otaprio.RiskPolicy) { p.AutomatablePoints = -0.5 }},
		{"share_points", -1, func(p *otaprio.RiskPolicy) { p.SharePoints = math.Inf(1) }},
		{"workflow_cap", -1, func(p *otaprio.RiskPolicy) { p.WorkflowCap = -1 }},
		{"layer_points", 7, func(p *otaprio.RiskPolicy) { p.LayerPoints[7] = -1 }},
		{"tier_thresholds", 0, func(p *otaprio.RiskPolicy) { p.TierThresholds[0] = 101 }},
		{"tier_thresholds", -1, func(p *otaprio.RiskPolicy) { p.TierThresholds[1] = 80 }},
		{"class_criticality", 20, func(p *otaprio.RiskPolicy) { p.ClassCriticality[20] = 1.5 }},
		{"customer_points", 3, func(p *otaprio.RiskPolicy) { p.CustomerPoints[3] = 1 }},
		{"exposure_points", 3, func(p *otaprio.RiskPolicy) { p.ExposurePoints[3] = 2 }},
		{"uptime_points", 1, func(p *otaprio.RiskPolicy) { p.UptimePoints[1] = -1 }},
		{"defect_share", -1, func(p *otaprio.RiskPolicy) { p.DefectShare = 1.5 }},
		{"battery_risk_level", -1, func(p *otaprio.RiskPolicy) { p.BatteryRiskLevel = 0 }},
		{"min_battery", -1, func(p *otaprio.RiskPolicy) { p.MinBattery = math.NaN() }},
		{"link_points", 5, func(p *otaprio.RiskPolicy) { p.LinkPoints[5] = 1 }},
		{"safe_fallback_points", -1, func(p *otaprio.RiskPolicy) { p.SafeFallbackPoints = 1 }},
		{"storage_headroom", -1, func(p *otaprio.RiskPolicy) { p.StorageHeadroom = 0.5 }},
	}
	for _, c := range cases {
		p := otaprio.DefaultRiskPolicy()
		c.spoil(&p)
		m, err := otaprio.NewRiskModel(&p)
		if m != nil {
			t.Errorf("%s: a model was returned with the error", c.field)
		}
		riskWantError(t, c.field, err, otaprio.ErrRange, c.field, c.index)
	}
	// A rising table may climb as high as it likes.
	p := otaprio.DefaultRiskPolicy()
	p.CustomerPoints[3] = 30
	riskModel(t, &p)
}

// Fields with no refusal of their own are checked by their effect.
func TestRiskPolicyFieldsTakeEffect(t *testing.T) {
	issue := otaprio.DefaultIssue()
	issue.Class = otaprio.IssueClassSecurity
	issue.Exploit = otaprio.ExploitActive
	issue.AttackPath = otaprio.AttackPathPhysical
	if got := riskScore(t, riskModel(t, nil), issue).Tier; got != otaprio.TierT0 {
		t.Fatalf("active exploitation: tier %v", got)
	}
	p := otaprio.DefaultRiskPolicy()
	p.ActiveExploitT0 = false
	if got := riskScore(t, riskModel(t, &p), issue).Tier; got == otaprio.TierT0 {
		t.Errorf("ActiveExploitT0 off: still T0")
	}
	p = otaprio.DefaultRiskPolicy()
	p.ExcludedClasses = 1 << otaprio.DeviceClassMedical
	m := riskModel(t, &p)
	score := riskScore(t, m, issue)
	medical := riskDefaultDevice()
	medical.class = uint8(otaprio.DeviceClassMedical)
	got := riskScoreOne(t, m, score, medical)
	if got.disposition != otaprio.DispositionExcluded || got.reasons != otaprio.ReasonClassExcluded {
		t.Errorf("excluded class: %+v", got)
	}
}

// ---- the defect score --------------------------------------------------

// riskSSVCVector is one row of tests/vectors/ssvc_vectors.h.
type riskSSVCVector struct {
	exploitation, automatable, total, mission int
	decision                                  otaprio.SSVCDecision
}

func riskSSVCVectors(t *testing.T) []riskSSVCVector {
	rows := regexp.MustCompile(`\{(\d), (\d), (\d), (\d), (\d)\}`).
		FindAllStringSubmatch(readVectors(t, "ssvc_vectors.h"), -1)
	if len(rows) != 36 {
		t.Fatalf("%d SSVC vectors, want 36", len(rows))
	}
	var out []riskSSVCVector
	for _, r := range rows {
		v := make([]int, 5)
		for i := range v {
			v[i], _ = strconv.Atoi(r[i+1])
		}
		out = append(out, riskSSVCVector{v[0], v[1], v[2], v[3], otaprio.SSVCDecision(v[4])})
	}
	return out
}

func TestRiskSSVCDecisionsMatchTheGoldenVectors(t *testing.T) {
	p := otaprio.DefaultRiskPolicy()
	p.Model = otaprio.RiskModelKindSSVC
	m := riskModel(t, &p)
	mission := []uint32{1 << otaprio.DeviceClassWearable, 1 << otaprio.DeviceClassKiosk,
		1 << otaprio.DeviceClassMedical}
	tierOf := []otaprio.Tier{otaprio.TierT2, otaprio.TierT2, otaprio.TierT1, otaprio.TierT0}
	for _, v := range riskSSVCVectors(t) {
		issue := otaprio.DefaultIssue()
		issue.Class = otaprio.IssueClassSecurity
		issue.Exploit = otaprio.Exploit(v.exploitation)
		issue.Automatable = v.automatable == 1
		issue.SecurityImpact = otaprio.LevelHigh
		if v.total == 1 {
			issue.SecurityImpact = otaprio.LevelCritical
		}
		issue.AffectedClasses = mission[v.mission]
		s := riskScore(t, m, issue)
		if s.SSVC != v.decision || s.Tier != tierOf[v.decision] {
			t.Errorf("%+v: decision %v tier %v, want %v %v", v, s.SSVC, s.Tier, v.decision, tierOf[v.decision])
		}
	}
}

func TestRiskSSVCMissionFollowsWorkflows(t *testing.T) {
	m := riskModel(t, nil)
	issue := otaprio.DefaultIssue()
	issue.Class = otaprio.IssueClassSecurity
	issue.Exploit = otaprio.ExploitActive
	issue.SecurityImpact = otaprio.LevelCritical
	for _, step := range []struct {
		add  otaprio.Workflow
		want otaprio.SSVCDecision
	}{{0, otaprio.SSVCDecisionTrack}, {otaprio.WorkflowPayment, otaprio.SSVCDecisionAttend},
		{otaprio.WorkflowEmergency, otaprio.SSVCDecisionAct}} {
		issue.Workflows |= step.add
		if got := riskScore(t, m, issue).SSVC; got != step.want {
			t.Errorf("workflows %v: %v, want %v", issue.Workflows, got, step.want)
		}
	}
}

// The reference article's cases (test_risk_issue.c).
func TestRiskReferenceCases(t *testing.T) {
	m := riskModel(t, nil)

	// An exploited remote flaw on medical gateways is T0 by its score alone.
	p := otaprio.DefaultRiskPolicy()
	p.ActiveExploitT0 = false
	issue := otaprio.DefaultIssue()
	issue.Class = otaprio.IssueClassSecurity
	issue.SecurityImpact = otaprio.LevelHigh
	issue.AttackPath = otaprio.AttackPathRemote
	issue.Exploit = otaprio.ExploitActive
	issue.Automatable = true
	issue.AffectedShare = 0.2
	issue.AffectedClasses = 1<<otaprio.DeviceClassMedical | 1<<otaprio.DeviceClassGateway
	issue.Workflows = otaprio.WorkflowSafety
	issue.Layer = otaprio.LayerOS
	if s := riskScore(t, riskModel(t, &p), issue); s.Tier != otaprio.TierT0 || s.Score < 70 {
		t.Errorf("medical gateways: %v at %v", s.Tier, s.Score)
	}

	// Cosmetic waits, unless it masks a regression.
	cosmetic := otaprio.DefaultIssue()
	cosmetic.Class = otaprio.IssueClassCosmetic
	cosmetic.AffectedShare = 1
	cosmetic.UptimeLoss = otaprio.LevelLow
	if got := riskScore(t, m, cosmetic).Tier; got != otaprio.TierT3 {
		t.Errorf("cosmetic: %v", got)
	}
	cosmetic.MasksRegression = true
	if got := riskScore(t, m, cosmetic).Tier; got >= otaprio.TierT3 {
		t.Errorf("cosmetic masking a regression: %v", got)
	}

	// A moderate bug on a valuable class outranks a severe one on a tiny
	// cohort.
	moderate := otaprio.DefaultIssue()
	moderate.UptimeLoss = otaprio.LevelModerate
	moderate.AffectedShare = 0.4
	moderate.Workflows = otaprio.WorkflowPayment
	moderate.AffectedClasses = 1 << otaprio.DeviceClassPOS
	severe := otaprio.DefaultIssue()
	severe.UptimeLoss = otaprio.LevelCritical
	severe.DataLoss = otaprio.LevelHigh
	severe.AffectedShare = 0.001
	severe.AffectedClasses = 1 << otaprio.DeviceClassWearable
	a, b := riskScore(t, m, moderate), riskScore(t, m, severe)
	if a.ScoreMilli <= b.ScoreMilli || a.Tier > b.Tier {
		t.Errorf("moderate %v (%v) against severe %v (%v)", a.Score, a.Tier, b.Score, b.Tier)
	}

	// Active exploitation goes to the top, by the rule rather than the score.
	quiet := otaprio.DefaultIssue()
	quiet.Class = otaprio.IssueClassSecurity
	quiet.AttackPath = otaprio.AttackPathPhysical
	quiet.SecurityImpact = otaprio.LevelLow
	quiet.AffectedShare = 0.01
	if got := riskScore(t, m, quiet).Tier; got == otaprio.TierT0 {
		t.Errorf("quiet flaw is T0")
	}
	quiet.Exploit = otaprio.ExploitActive
	if s := riskScore(t, m, quiet); s.Tier != otaprio.TierT0 || s.ScoreMilli >= 70000 {
		t.Errorf("exploited: %v at %v", s.Tier, s.Score)
	}

	// Hard-to-revert layers slow a rollout; an A/B slot helps.
	layered := otaprio.DefaultIssue()
	layered.UptimeLoss = otaprio.LevelHigh
	layered.AffectedShare = 0.5
	app := riskScore(t, m, layered).ScoreMilli
	layered.Layer = otaprio.LayerBootloader
	bootloader := riskScore(t, m, layered).ScoreMilli
	layered.ABSlot = true
	slot := riskScore(t, m, layered).ScoreMilli
	if !(bootloader < slot && slot < app) {
		t.Errorf("layers: bootloader %d, with slot %d, app %d", bootloader, slot, app)
	}
}

// The explanation reads as a scorecard and adds up to the score exactly.
func TestRiskExplanationIsAScorecard(t *testing.T) {
	m := riskModel(t, nil)
	issue := otaprio.DefaultIssue()
	issue.Class = otaprio.IssueClassSecurity
	issue.Exploit = otaprio.ExploitActive
	issue.AttackPath = otaprio.AttackPathRemote
	issue.ABSlot = true
	s := riskScore(t, m, issue)
	want := map[string]int64{"security fix": 10000, "active exploitation": 18000,
		"remote attack path": 12000, "A/B slot": 4000}
	for _, line := range s.Explanation {
		if milli, ok := want[line.Label()]; ok && milli == line.Milli && line.Points() == float64(milli)/1000 {
			delete(want, line.Label())
		}
	}
	if len(want) != 0 {
		t.Errorf("lines missing from %+v: %v", s.Explanation, want)
	}
	if first := s.Explanation[0]; first.Factor != otaprio.FactorIssueClass || first.Input != 0 {
		t.Errorf("first line %+v", first)
	}
	for i, issue := range riskIssues(2000, 1) {
		s := riskScore(t, m, issue)
		var sum int64
		for _, line := range s.Explanation {
			sum += line.Milli
			if line.Score != otaprio.ScoreKindDefect || line.Label() == "unknown factor" {
				t.Fatalf("issue %d: line %+v", i, line)
			}
		}
		if len(s.Explanation) == 0 || sum != s.ScoreMilli || s.Score != float64(s.ScoreMilli)/1000 ||
			s.ScoreMilli < 0 || s.ScoreMilli > 100000 || s.PackageBytes != issue.PackageBytes {
			t.Fatalf("issue %d: lines add up to %d, score %+v", i, sum, s)
		}
	}
}

func TestRiskBadIssueFieldsAreNamed(t *testing.T) {
	cases := []struct {
		field string
		spoil func(i *otaprio.Issue)
	}{
		{"issue_class", func(i *otaprio.Issue) { i.Class = 5 }},
		{"issue_class", func(i *otaprio.Issue) { i.Class = -1 }},
		{"security_impact", func(i *otaprio.Issue) { i.SecurityImpact = 5 }},
		{"data_loss", func(i *otaprio.Issue) { i.DataLoss = -2 }},
		{"uptime_loss", func(i *otaprio.Issue) { i.UptimeLoss = 9 }},
		{"regulatory_exposure", func(i *otaprio.Issue) { i.RegulatoryExposure = 5 }},
		{"attack_path", func(i *otaprio.Issue) { i.AttackPath = 5 }},
		{"exploit", func(i *otaprio.Issue) { i.Exploit = 3 }},
		{"epss", func(i *otaprio.Issue) { i.HasEPSS, i.EPSS = true, 1.5 }},
		{"epss", func(i *otaprio.Issue) { i.HasEPSS, i.EPSS = true, math.NaN() }},
		{"affected_share", func(i *otaprio.Issue) { i.AffectedShare = -0.1 }},
		{"affected_share", func(i *otaprio.Issue) { i.AffectedShare = math.NaN() }},
		{"concentration", func(i *otaprio.Issue) { i.Concentration = math.Inf(1) }},
		{"workflows", func(i *otaprio.Issue) { i.Workflows = otaprio.WorkflowAll + 1 }},
		{"layer", func(i *otaprio.Issue) { i.Layer = 7 }},
		{"anomaly_rate", func(i *otaprio.Issue) { i.AnomalyRate = 2 }},
	}
	m := riskModel(t, nil)
	for _, c := range cases {
		issue := otaprio.DefaultIssue()
		c.spoil(&issue)
		s, err := m.ScoreIssue(issue)
		riskWantError(t, c.field, err, otaprio.ErrRange, c.field, -1)
		if s.Explanation != nil || s.ScoreMilli != 0 {
			t.Errorf("%s: a score came with the error: %+v", c.field, s)
		}
	}
	// Without HasEPSS, EPSS is not read.
	issue := otaprio.DefaultIssue()
	issue.EPSS = math.NaN()
	riskScore(t, m, issue)
}

func TestRiskNames(t *testing.T) {
	for tier := otaprio.TierT0; tier <= otaprio.TierT3; tier++ {
		if otaprio.TierName(tier) == "unknown tier" {
			t.Errorf("TierName(%v)", tier)
		}
	}
	if got := otaprio.TierName(otaprio.TierT0); got != "T0 emergency push now" {
		t.Errorf("TierName(T0) = %q", got)
	}
	for d := otaprio.DispositionEligible; d <= otaprio.DispositionExcluded; d++ {
		if got := otaprio.DispositionName(d); got != d.String() {
			t.Errorf("DispositionName(%v) = %q", d, got)
		}
	}
	for b := 0; b < otaprio.ReasonCount; b++ {
		if otaprio.ReasonName(otaprio.Reason(1)<<b) == "unknown reason" {
			t.Errorf("ReasonName(1<<%d)", b)
		}
	}
	for _, c := range []struct{ got, want string }{
		{otaprio.TierName(4), "unknown tier"},
		{otaprio.TierName(-1), "unknown tier"},
		{otaprio.DispositionName(4), "unknown disposition"},
		{otaprio.ReasonName(3), "unknown reason"},
		{otaprio.ReasonName(1 << otaprio.ReasonCount), "unknown reason"},
		{otaprio.ReasonName(otaprio.ReasonLowBattery), "low battery"},
		{otaprio.SSVCName(otaprio.SSVCDecisionTrackStar), "Track*"},
		{otaprio.SSVCName(4), "unknown decision"},
		{otaprio.FactorLabel(999, 0), "unknown factor"},
		{otaprio.FactorLabel(otaprio.FactorExploit, 2), "active exploitation"},
		// An input outside the enum falls back to the factor's name.
		{otaprio.FactorLabel(otaprio.FactorExploit, 7), "exploit maturity"},
		{otaprio.FactorLabel(otaprio.FactorExploit, math.NaN()), "exploit maturity"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// ---- devices -----------------------------------------------------------

// riskDevice is one device with the library's defaults spelled out
// (test_risk_device.c's one_init) unless set.
type riskDevice struct {
	class, customer, exposure, redundant, uptime, fallback, charging, link,
	metered, busy, affected, prerequisite, excluded uint8
	battery                     float32
	freeBytes                   uint64
	failedAttempts, daysOffline uint32
}

func riskDefaultDevice() riskDevice {
	return riskDevice{exposure: uint8(otaprio.ExposureInternal), uptime: uint8(otaprio.UptimeBusiness),
		affected: 1, battery: 1, freeBytes: math.MaxUint64}
}

func (d riskDevice) columns() *otaprio.Devices {
	return &otaprio.Devices{
		DeviceClass: []uint8{d.class}, CustomerTier: []uint8{d.customer},
		Exposure: []uint8{d.exposure}, Redundant: []uint8{d.redundant},
		Uptime: []uint8{d.uptime}, SafeFallback: []uint8{d.fallback},
		Battery: []float32{d.battery}, Charging: []uint8{d.charging},
		Link: []uint8{d.link}, Metered: []uint8{d.metered},
		FreeBytes: []uint64{d.freeBytes}, FailedAttempts: []uint32{d.failedAttempts},
		DaysOffline: []uint32{d.daysOffline}, Busy: []uint8{d.busy},
		Affected: []uint8{d.affected}, PrerequisiteMissing: []uint8{d.prerequisite},
		Excluded: []uint8{d.excluded},
	}
}

type riskAnswer struct {
	priority, criticality, delivery float64
	disposition                     otaprio.Disposition
	reasons                         otaprio.Reason
}

func riskScoreOne(t *testing.T, m *otaprio.RiskModel, score otaprio.IssueScore, d riskDevice) riskAnswer {
	t.Helper()
	r, err := m.ScoreDevices(score, d.columns(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return riskAnswer{r.Priority[0], r.Criticality[0], r.DeliveryRisk[0],
		otaprio.Disposition(r.Disposition[0]), r.Reasons[0]}
}

// riskDeviceFixture is test_risk_device.c's fix: a T1 security fix of
// 100 MiB.
func riskDeviceFixture(t *testing.T) (*otaprio.RiskModel, otaprio.IssueScore) {
	m := riskModel(t, nil)
	issue := otaprio.DefaultIssue()
	issue.Class = otaprio.IssueClassSecurity
	issue.SecurityImpact = otaprio.LevelHigh
	issue.AttackPath = otaprio.AttackPathAdjacent
	issue.Exploit = otaprio.ExploitPoC
	issue.Automatable = true
	issue.AffectedShare = 0.5
	issue.PackageBytes = 100 << 20
	s := riskScore(t, m, issue)
	if s.Tier != otaprio.TierT1 {
		t.Fatalf("fixture tier %v", s.Tier)
	}
	return m, s
}

// The reference article's device cases (test_risk_device.c).
func TestRiskDeviceReferenceCases(t *testing.T) {
	m, fix := riskDeviceFixture(t)
	one := func(set func(d *riskDevice)) riskDevice {
		d := riskDefaultDevice()
		set(&d)
		return d
	}
	check := func(what string, got riskAnswer, disposition otaprio.Disposition, reasons otaprio.Reason) {
		t.Helper()
		if got.disposition != disposition || got.reasons != reasons {
			t.Errorf("%s: %v %v, want %v %v", what, got.disposition, got.reasons, disposition, reasons)
		}
	}

	phone := one(func(d *riskDevice) {
		d.class, d.link, d.battery = uint8(otaprio.DeviceClassHandset), uint8(otaprio.LinkWiFi), 0.08
	})
	low := riskScoreOne(t, m, fix, phone)
	check("low battery", low, otaprio.DispositionDefer, otaprio.ReasonLowBattery)
	phone.battery = 1
	if full := riskScoreOne(t, m, fix, phone); !(low.delivery > full.delivery) {
		t.Errorf("low battery delivery risk %v, full %v", low.delivery, full.delivery)
	}
	phone.battery, phone.charging = 0.08, 1
	check("charging", riskScoreOne(t, m, fix, phone), otaprio.DispositionEligible, 0)

	router := one(func(d *riskDevice) { d.class, d.redundant = uint8(otaprio.DeviceClassRouter), 1 })
	paired := riskScoreOne(t, m, fix, router)
	router.redundant = 0
	lone := riskScoreOne(t, m, fix, router)
	if !(lone.priority > paired.priority && lone.criticality > paired.criticality) {
		t.Errorf("lone router %+v, paired %+v", lone, paired)
	}

	fresh := riskScoreOne(t, m, fix, riskDefaultDevice())
	failing := riskScoreOne(t, m, fix, one(func(d *riskDevice) { d.failedAttempts = 3 }))
	check("failed attempts", failing, otaprio.DispositionEligible, otaprio.ReasonRepeatedFailures)
	if !(failing.priority > fresh.priority) {
		t.Errorf("failing %v, fresh %v", failing.priority, fresh.priority)
	}

	kiosk := one(func(d *riskDevice) { d.class, d.busy = uint8(otaprio.DeviceClassKiosk), 1 })
	check("kiosk at peak", riskScoreOne(t, m, fix, kiosk), otaprio.DispositionDefer, otaprio.ReasonMaintenanceWindow)
	emergency := fix
	emergency.Tier = otaprio.TierT0
	check("emergency", riskScoreOne(t, m, emergency, kiosk), otaprio.DispositionEligible, 0)

	roaming := one(func(d *riskDevice) { d.link = uint8(otaprio.LinkRoaming) })
	check("roaming", riskScoreOne(t, m, fix, roaming), otaprio.DispositionDefer, otaprio.ReasonMeteredLarge)
	metered := one(func(d *riskDevice) { d.link, d.metered = uint8(otaprio.LinkCellular), 1 })
	check("metered", riskScoreOne(t, m, fix, metered), otaprio.DispositionDefer, otaprio.ReasonMeteredLarge)
	small := fix
	small.PackageBytes = 1 << 20
	check("small package", riskScoreOne(t, m, small, metered), otaprio.DispositionEligible, 0)

	short := one(func(d *riskDevice) { d.freeBytes = 150 << 20 })
	check("short storage", riskScoreOne(t, m, fix, short), otaprio.DispositionDefer, otaprio.ReasonLowStorage)
	short.freeBytes = 200 << 20
	check("enough storage", riskScoreOne(t, m, fix, short), otaprio.DispositionEligible, 0)

	// Precedence: excluded beats blocked beats defer.
	d := one(func(d *riskDevice) { d.battery = 0 })
	check("defer", riskScoreOne(t, m, fix, d), otaprio.DispositionDefer, otaprio.ReasonLowBattery)
	d.prerequisite = 1
	check("blocked", riskScoreOne(t, m, fix, d), otaprio.DispositionBlocked,
		otaprio.ReasonLowBattery|otaprio.ReasonPrerequisite)
	d.affected = 0
	if got := riskScoreOne(t, m, fix, d); got.disposition != otaprio.DispositionExcluded ||
		got.reasons&otaprio.ReasonNotAffected == 0 {
		t.Errorf("not affected: %+v", got)
	}
	check("policy", riskScoreOne(t, m, fix, one(func(d *riskDevice) { d.excluded = 1 })),
		otaprio.DispositionExcluded, otaprio.ReasonPolicy)
	check("offline", riskScoreOne(t, m, fix, one(func(d *riskDevice) { d.daysOffline = 30 })),
		otaprio.DispositionEligible, otaprio.ReasonCatchUp)
}

// A host's own defect score: a medical device outranks a handset.
func TestRiskHostIssueScore(t *testing.T) {
	m := riskModel(t, nil)
	score := otaprio.NewIssueScore(otaprio.TierT2, 40000, 0)
	if score.Score != 40 {
		t.Fatalf("NewIssueScore: %+v", score)
	}
	r, err := m.ScoreDevices(score, &otaprio.Devices{DeviceClass: []uint8{9, 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !(r.Priority[0] > r.Priority[1]) {
		t.Errorf("priorities %v", r.Priority)
	}
	bad := otaprio.NewIssueScore(otaprio.TierT2, 100001, 0)
	_, err = m.ScoreDevices(bad, &otaprio.Devices{Count: 1}, nil)
	riskWantError(t, "score_milli", err, otaprio.ErrRange, "issue.score_milli", -1)
	bad = otaprio.NewIssueScore(4, 1000, 0)
	_, err = m.ScoreDevices(bad, &otaprio.Devices{Count: 1}, nil)
	riskWantError(t, "tier", err, otaprio.ErrRange, "issue.tier", -1)
}

// A batch agrees with each device's explanation, whose lines add up.
func TestRiskExplanationsEqualTheBatch(t *testing.T) {
	m, fix := riskDeviceFixture(t)
	fleet := riskBenchFleet(11, 1500)
	r, err := m.ScoreDevices(fix, fleet, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[otaprio.Disposition]bool{}
	for i := 0; i < fleet.Len(); i++ {
		s, err := m.ExplainDevice(fix, fleet, i)
		if err != nil {
			t.Fatal(err)
		}
		if r.Priority[i] != s.Priority() || r.Criticality[i] != s.Criticality() ||
			r.DeliveryRisk[i] != s.DeliveryRisk() || otaprio.Disposition(r.Disposition[i]) != s.Disposition ||
			r.Reasons[i] != s.Reasons {
			t.Fatalf("device %d: batch %v %v %v %v %v, explained %+v", i, r.Priority[i],
				r.Criticality[i], r.DeliveryRisk[i], r.Disposition[i], r.Reasons[i], s)
		}
		sums := map[otaprio.ScoreKind]int64{}
		for _, line := range s.Explanation {
			sums[line.Score] += line.Milli
		}
		if sums[otaprio.ScoreKindPriority] != s.PriorityMilli ||
			sums[otaprio.ScoreKindCriticality] != s.CriticalityMilli ||
			sums[otaprio.ScoreKindDelivery] != s.DeliveryMilli {
			t.Fatalf("device %d: lines add up to %v, scores %+v", i, sums, s)
		}
		seen[s.Disposition] = true
	}
	if len(seen) != 4 {
		t.Errorf("the fleet shows only dispositions %v", seen)
	}
	_, err = m.ExplainDevice(fix, fleet, fleet.Len())
	riskWantError(t, "index past the chunk", err, otaprio.ErrRange, "index", -2)
	_, err = m.ExplainDevice(fix, fleet, -1)
	riskWantError(t, "negative index", err, otaprio.ErrRange, "index", -1)
	bad := riskDefaultDevice().columns()
	bad.Battery[0] = float32(math.NaN())
	_, err = m.ExplainDevice(fix, bad, 0)
	riskWantError(t, "NaN battery", err, otaprio.ErrRange, "battery", 0)
}

func TestRiskMissingColumnsTakeTheirDefaults(t *testing.T) {
	m, fix := riskDeviceFixture(t)
	want := riskScoreOne(t, m, fix, riskDefaultDevice())
	r, err := m.ScoreDevices(fix, &otaprio.Devices{Count: 300}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Priority) != 300 {
		t.Fatalf("%d answers for 300 devices", len(r.Priority))
	}
	for i := range r.Priority {
		if r.Priority[i] != want.priority || r.DeliveryRisk[i] != want.delivery ||
			otaprio.Disposition(r.Disposition[i]) != want.disposition || r.Reasons[i] != want.reasons {
			t.Fatalf("device %d differs from the spelled-out defaults", i)
		}
	}
	empty, err := m.ScoreDevices(fix, &otaprio.Devices{}, nil)
	if err != nil || len(empty.Priority) != 0 {
		t.Errorf("no devices: %v, %+v", err, empty)
	}
}

// Given result slices are written in place; SkipDetail skips the detail
// and nothing else.
func TestRiskResultsAreReusedAndDetailSkipped(t *testing.T) {
	m, fix := riskDeviceFixture(t)
	fleet := riskBenchFleet(5, 1000)
	full, err := m.ScoreDevices(fix, fleet, nil)
	if err != nil {
		t.Fatal(err)
	}
	priority := make([]float64, 1000)
	mine := &otaprio.DeviceResults{Priority: priority, SkipDetail: true}
	got, err := m.ScoreDevices(fix, fleet, mine)
	if err != nil {
		t.Fatal(err)
	}
	if got != mine || &got.Priority[0] != &priority[0] {
		t.Errorf("the given results were not written in place")
	}
	if got.Criticality != nil || got.DeliveryRisk != nil || len(got.Reasons) != 1000 {
		t.Errorf("SkipDetail: %d %d %d", len(got.Criticality), len(got.DeliveryRisk), len(got.Reasons))
	}
	for i := range priority {
		if priority[i] != full.Priority[i] || got.Disposition[i] != full.Disposition[i] ||
			got.Reasons[i] != full.Reasons[i] {
			t.Fatalf("device %d differs without detail", i)
		}
	}
}

func TestRiskBadColumnsAreRefused(t *testing.T) {
	m, fix := riskDeviceFixture(t)

	// Values out of their domain: named by the library, outputs untouched.
	cases := []struct {
		field string
		index int
		spoil func(d *otaprio.Devices, i int)
	}{
		{"device_class", 10, func(d *otaprio.Devices, i int) { d.DeviceClass[i] = otaprio.DeviceClassMax }},
		{"customer_tier", 299, func(d *otaprio.Devices, i int) { d.CustomerTier[i] = 4 }},
		{"exposure", 0, func(d *otaprio.Devices, i int) { d.Exposure[i] = 3 }},
		{"redundant", 5, func(d *otaprio.Devices, i int) { d.Redundant[i] = 2 }},
		{"uptime", 17, func(d *otaprio.Devices, i int) { d.Uptime[i] = 255 }},
		{"safe_fallback", 8, func(d *otaprio.Devices, i int) { d.SafeFallback[i] = 7 }},
		{"battery", 3, func(d *otaprio.Devices, i int) { d.Battery[i] = float32(math.NaN()) }},
		{"battery", 9, func(d *otaprio.Devices, i int) { d.Battery[i] = 1.5 }},
		{"charging", 4, func(d *otaprio.Devices, i int) { d.Charging[i] = 2 }},
		{"link", 100, func(d *otaprio.Devices, i int) { d.Link[i] = 5 }},
		{"metered", 1, func(d *otaprio.Devices, i int) { d.Metered[i] = 2 }},
		{"busy", 2, func(d *otaprio.Devices, i int) { d.Busy[i] = 3 }},
		{"affected", 250, func(d *otaprio.Devices, i int) { d.Affected[i] = 2 }},
		{"prerequisite_missing", 257, func(d *otaprio.Devices, i int) { d.PrerequisiteMissing[i] = 9 }},
		{"excluded", 6, func(d *otaprio.Devices, i int) { d.Excluded[i] = 2 }},
	}
	for _, c := range cases {
		fleet := riskBenchFleet(13, 300)
		c.spoil(fleet, c.index)
		results := &otaprio.DeviceResults{Disposition: make([]uint8, 300), Reasons: make([]otaprio.Reason, 300)}
		for i := range results.Disposition {
			results.Disposition[i], results.Reasons[i] = 0x22, 0x33333333
		}
		got, err := m.ScoreDevices(fix, fleet, results)
		riskWantError(t, c.field, err, otaprio.ErrRange, c.field, int64(c.index))
		if got != nil {
			t.Errorf("%s: results came with the error", c.field)
		}
		for i := range results.Disposition {
			if results.Disposition[i] != 0x22 || results.Reasons[i] != 0x33333333 {
				t.Fatalf("%s: output %d was written", c.field, i)
			}
		}
	}
	negativeZero := riskBenchFleet(1, 10)
	negativeZero.Battery[9] = float32(math.Copysign(0, -1))
	if _, err := m.ScoreDevices(fix, negativeZero, nil); err != nil {
		t.Errorf("battery -0: %v", err)
	}

	// Lengths the binding checks itself, before C sees them.
	short := riskBenchFleet(2, 10)
	short.Link = short.Link[:9]
	_, err := m.ScoreDevices(fix, short, nil)
	riskWantError(t, "short column", err, otaprio.ErrInvalid, "link", -1)
	counted := riskBenchFleet(2, 10)
	counted.Count = 11
	_, err = m.ScoreDevices(fix, counted, nil)
	riskWantError(t, "count against columns", err, otaprio.ErrInvalid, "device_class", -1)
	empty := &otaprio.Devices{Count: 2, Busy: []uint8{}}
	_, err = m.ScoreDevices(fix, empty, nil)
	riskWantError(t, "empty column", err, otaprio.ErrInvalid, "busy", -1)
	_, err = m.ScoreDevices(fix, &otaprio.Devices{Count: -1}, nil)
	riskWantError(t, "negative count", err, otaprio.ErrInvalid, "count", -1)
	_, err = m.ScoreDevices(fix, nil, nil)
	riskWantError(t, "nil devices", err, otaprio.ErrInvalid, "devices", -1)
	_, err = m.ScoreDevices(fix, &otaprio.Devices{Count: 3},
		&otaprio.DeviceResults{DeliveryRisk: make([]float64, 2)})
	riskWantError(t, "short output", err, otaprio.ErrInvalid, "delivery_risk", -1)
	_, err = m.ExplainDevice(fix, short, 0)
	riskWantError(t, "explain a short column", err, otaprio.ErrInvalid, "link", -1)
}

// ---- streaming ---------------------------------------------------------

// riskChunks returns a stream source handing out fleet in chunks of size,
// its answers going to results.
func riskChunks(fleet *otaprio.Devices, size int, results *otaprio.DeviceResults) func(*otaprio.Devices, *otaprio.DeviceResults) error {
	next, n := 0, fleet.Len()
	return func(d *otaprio.Devices, r *otaprio.DeviceResults) error {
		start, end := next, min(next+size, n)
		next = end
		riskSlice(d, fleet, start, end)
		r.Priority = results.Priority[start:end]
		r.Disposition = results.Disposition[start:end]
		r.Reasons = results.Reasons[start:end]
		return nil
	}
}

func TestRiskStreamEqualsOnePass(t *testing.T) {
	m, fix := riskDeviceFixture(t)
	fleet := riskBenchFleet(5, 2000)
	one, err := m.ScoreDevices(fix, fleet, &otaprio.DeviceResults{SkipDetail: true})
	if err != nil {
		t.Fatal(err)
	}
	var want otaprio.RiskTotals
	want.Devices = 2000
	for i := range one.Priority {
		want.ByDisposition[one.Disposition[i]]++
		for b := 0; b < 16; b++ {
			want.ByReason[b] += uint64(one.Reasons[i]>>b) & 1
		}
	}
	for _, size := range []int{1, 7, 255, 256, 257, 1000, 5000} {
		got := &otaprio.DeviceResults{Priority: make([]float64, 2000),
			Disposition: make([]uint8, 2000), Reasons: make([]otaprio.Reason, 2000)}
		var totals otaprio.RiskTotals
		err := m.ScoreStream(fix, &totals, riskChunks(fleet, size, got))
		if err != nil {
			t.Fatalf("chunks of %d: %v", size, err)
		}
		if totals != want {
			t.Errorf("chunks of %d: totals %+v, want %+v", size, totals, want)
		}
		for i := range got.Priority {
			if got.Priority[i] != one.Priority[i] || got.Disposition[i] != one.Disposition[i] ||
				got.Reasons[i] != one.Reasons[i] {
				t.Fatalf("chunks of %d: device %d differs", size, i)
			}
		}
	}
	if want.WithReason(otaprio.ReasonLowBattery) != want.ByReason[0] ||
		want.WithReason(otaprio.ReasonCatchUp) != want.ByReason[8] || want.ByReason[8] == 0 ||
		want.WithReason(otaprio.ReasonLowBattery|otaprio.ReasonCatchUp) != 0 {
		t.Errorf("WithReason disagrees with ByReason %v", want.ByReason)
	}
	// Results nobody wants, and a stream of no chunk at all.
	var totals otaprio.RiskTotals
	err = m.ScoreStream(fix, &totals, func(d *otaprio.Devices, _ *otaprio.DeviceResults) error {
		if want.Devices != 0 {
			d.Count, want.Devices = 5, 0
		}
		return nil
	})
	if err != nil || totals.Devices != 5 {
		t.Errorf("a chunk without outputs: %+v, %v", totals, err)
	}
	totals = otaprio.RiskTotals{Devices: 99}
	err = m.ScoreStream(fix, &totals, func(*otaprio.Devices, *otaprio.DeviceResults) error { return nil })
	if err != nil || totals != (otaprio.RiskTotals{}) {
		t.Errorf("an empty stream: %+v, %v", totals, err)
	}
}

var errRiskSourceFailed = errors.New("the source failed")

// A callback's error comes back unchanged, its panic is raised again in
// the caller, and the model is still usable afterwards.
func TestRiskStreamCallbackErrorsAndPanics(t *testing.T) {
	m, fix := riskDeviceFixture(t)
	fleet := riskBenchFleet(8, 600)
	results := &otaprio.DeviceResults{Priority: make([]float64, 600),
		Disposition: make([]uint8, 600), Reasons: make([]otaprio.Reason, 600)}
	failAt := func(call int, fail func() error) func(*otaprio.Devices, *otaprio.DeviceResults) error {
		source, calls := riskChunks(fleet, 100, results), 0
		return func(d *otaprio.Devices, r *otaprio.DeviceResults) error {
			if calls++; calls == call {
				return fail()
			}
			return source(d, r)
		}
	}

	var totals otaprio.RiskTotals
	err := m.ScoreStream(fix, &totals, failAt(3, func() error { return errRiskSourceFailed }))
	if err != errRiskSourceFailed || totals != (otaprio.RiskTotals{}) {
		t.Errorf("callback error: got %v, %+v (totals must stay untouched)", err, totals)
	}

	type riskPanic struct{ n int }
	func() {
		defer func() {
			if r := recover(); r != (riskPanic{42}) {
				t.Errorf("recovered %v, want the callback's own panic value", r)
			}
		}()
		m.ScoreStream(fix, nil, failAt(2, func() error { panic(riskPanic{42}) }))
		t.Errorf("ScoreStream returned after its callback panicked")
	}()

	// Still usable.
	if err := m.ScoreStream(fix, &totals, riskChunks(fleet, 100, results)); err != nil || totals.Devices != 600 {
		t.Errorf("after the panic: %+v, %v", totals, err)
	}

	// A bad chunk: the library's error, its index within the chunk.
	bad := riskBenchFleet(9, 600)
	bad.Link[450] = 9
	err = m.ScoreStream(fix, nil, riskChunks(bad, 200, results))
	riskWantError(t, "bad chunk", err, otaprio.ErrRange, "link", 50)
	// A chunk the binding refuses itself.
	err = m.ScoreStream(fix, nil, func(d *otaprio.Devices, r *otaprio.DeviceResults) error {
		d.Count, r.Reasons = 3, make([]otaprio.Reason, 2)
		return nil
	})
	riskWantError(t, "short output", err, otaprio.ErrInvalid, "reasons", -1)
	err = m.ScoreStream(fix, nil, nil)
	riskWantError(t, "nil source", err, otaprio.ErrInvalid, "source", -1)
}

// ---- lifetime and concurrency -----------------------------------------

func TestRiskClosedModelRefusesWork(t *testing.T) {
	m, err := otaprio.NewRiskModel(nil)
	if err != nil {
		t.Fatal(err)
	}
	score := riskScore(t, m, otaprio.DefaultIssue())
	if m.Close() != nil || m.Close() != nil {
		t.Fatal("Close failed")
	}
	_, err = m.ScoreIssue(otaprio.DefaultIssue())
	riskWantError(t, "ScoreIssue", err, otaprio.ErrInvalid, "model", -1)
	_, err = m.ScoreDevices(score, &otaprio.Devices{Count: 1}, nil)
	riskWantError(t, "ScoreDevices", err, otaprio.ErrInvalid, "model", -1)
	_, err = m.ExplainDevice(score, &otaprio.Devices{Count: 1}, 0)
	riskWantError(t, "ExplainDevice", err, otaprio.ErrInvalid, "model", -1)
	err = m.ScoreStream(score, nil, func(*otaprio.Devices, *otaprio.DeviceResults) error { return nil })
	riskWantError(t, "ScoreStream", err, otaprio.ErrInvalid, "model", -1)
	var none *otaprio.RiskModel
	_, err = none.ScoreIssue(otaprio.DefaultIssue())
	riskWantError(t, "nil model", err, otaprio.ErrInvalid, "model", -1)
	if none.Close() != nil {
		t.Error("closing a nil model failed")
	}
}

// One model and one fleet shared by goroutines give what one goroutine
// gets (run under -race); a Close in the middle lets running calls finish
// and refuses later ones.
func TestRiskModelIsSharedAcrossGoroutines(t *testing.T) {
	m, err := otaprio.NewRiskModel(nil)
	if err != nil {
		t.Fatal(err)
	}
	issues := riskIssues(20, 17)
	fleet := riskBenchFleet(17, 3000)
	want := make([]otaprio.IssueScore, len(issues))
	wantPriority := make([][]float64, len(issues))
	for i, issue := range issues {
		want[i] = riskScore(t, m, issue)
		r, err := m.ScoreDevices(want[i], fleet, nil)
		if err != nil {
			t.Fatal(err)
		}
		wantPriority[i] = r.Priority
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(issues))
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := range issues {
				i := (k + g*5) % len(issues)
				s, err := m.ScoreIssue(issues[i])
				if err != nil {
					errs <- err
					return
				}
				r, err := m.ScoreDevices(s, fleet, &otaprio.DeviceResults{SkipDetail: true})
				if err != nil {
					errs <- err
					return
				}
				if s.ScoreMilli != want[i].ScoreMilli || s.Tier != want[i].Tier {
					errs <- errors.New("an issue scored differently")
				}
				for d := range r.Priority {
					if r.Priority[d] != wantPriority[i][d] {
						errs <- errors.New("a device scored differently")
						break
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Close while goroutines score: each stops on ErrInvalid, none crashes.
	start := make(chan struct{})
	stopped := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			<-start
			for {
				if _, err := m.ScoreDevices(want[0], fleet, &otaprio.DeviceResults{SkipDetail: true}); err != nil {
					stopped <- err
					return
				}
			}
		}()
	}
	close(start)
	m.Close()
	for g := 0; g < 4; g++ {
		if err := <-stopped; !errors.Is(err, otaprio.ErrInvalid) {
			t.Errorf("after Close: %v", err)
		}
	}
}

// riskIssues returns n random but valid issues (risk_fixture.h's kind).
func riskIssues(n int, seed uint64) []otaprio.Issue {
	draw := uint64(0)
	next := func() uint64 { draw++; return riskSplitmix64(seed, draw) }
	below := func(k uint64) uint64 { return next() % k }
	unit := func() float64 { return float64(next()>>11) * 0x1p-53 }
	out := make([]otaprio.Issue, n)
	for i := range out {
		out[i] = otaprio.Issue{
			Class:              otaprio.IssueClass(below(5)),
			SecurityImpact:     otaprio.Level(below(5)),
			DataLoss:           otaprio.Level(below(5)),
			UptimeLoss:         otaprio.Level(below(5)),
			RegulatoryExposure: otaprio.Level(below(5)),
			AttackPath:         otaprio.AttackPath(below(5)),
			Exploit:            otaprio.Exploit(below(3)),
			Automatable:        below(2) == 1,
			HasEPSS:            below(2) == 1,
			EPSS:               unit(),
			AffectedShare:      unit(),
			Concentration:      unit(),
			Workflows:          otaprio.Workflow(below(64)),
			AffectedClasses:    uint32(next()),
			Layer:              otaprio.Layer(below(7)),
			ABSlot:             below(2) == 1,
			AnomalyRate:        unit() * 0.2,
			AnomalyGrowing:     below(2) == 1,
			MasksRegression:    below(2) == 1,
			PackageBytes:       next() % (1 << 30),
		}
	}
	return out
}

// Columns and results go to C without copying: scoring 100000 devices
// (33 bytes of columns and 13 of results each) allocates a few hundred
// bytes, in one call or in a stream.
func TestRiskColumnsAreNotCopied(t *testing.T) {
	m, fix := riskDeviceFixture(t)
	const n = 100000
	fleet := riskBenchFleet(1, n)
	r := &otaprio.DeviceResults{Priority: make([]float64, n), Disposition: make([]uint8, n),
		Reasons: make([]otaprio.Reason, n), SkipDetail: true}
	perCall := func(f func() error) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := 0; i < 5; i++ {
			if err := f(); err != nil {
				t.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		return (after.TotalAlloc - before.TotalAlloc) / 5
	}
	columns := perCall(func() error { _, err := m.ScoreDevices(fix, fleet, r); return err })
	streamed := perCall(func() error { return m.ScoreStream(fix, nil, riskChunks(fleet, n/4, r)) })
	if columns > 16<<10 || streamed > 16<<10 {
		t.Errorf("bytes allocated per call: %d in one call, %d in a stream", columns, streamed)
	}
	t.Logf("bytes allocated per call: %d in one call, %d in a stream", columns, streamed)
}
