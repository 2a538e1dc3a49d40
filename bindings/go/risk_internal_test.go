// SPDX-License-Identifier: MIT

package otaprio

import (
	"reflect"
	"testing"
)

// Every policy field survives the trip to C and back: each gets a value
// of its own, so two fields swapped on either way show.
func TestRiskPolicyRoundTrip(t *testing.T) {
	var p RiskPolicy
	v := reflect.ValueOf(&p).Elem()
	next := 1.0
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Array:
			for j := 0; j < f.Len(); j++ {
				f.Index(j).SetFloat(next)
				next++
			}
		case reflect.Float64:
			f.SetFloat(next)
		case reflect.Int32, reflect.Int64:
			f.SetInt(int64(next))
		case reflect.Uint32, reflect.Uint64:
			f.SetUint(uint64(next))
		case reflect.Bool:
			f.SetBool(i%2 == 0)
		default:
			t.Fatalf("field %s of kind %v", v.Type().Field(i).Name, f.Kind())
		}
		next++
	}
	c := p.riskToC()
	if back := riskPolicyFromC(&c); back != p {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, p)
	}
	// Each flag both ways.
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.Bool {
			f.SetBool(!f.Bool())
		}
	}
	c = p.riskToC()
	if back := riskPolicyFromC(&c); back != p {
		t.Errorf("round trip with the flags flipped:\n got %+v\nwant %+v", back, p)
	}
}

// Likewise every issue field.
func TestRiskIssueRoundTrip(t *testing.T) {
	for _, flags := range []bool{false, true} {
		i := Issue{Class: 1, SecurityImpact: 2, DataLoss: 3, UptimeLoss: 4, RegulatoryExposure: 5,
			AttackPath: 6, Exploit: 7, Automatable: flags, HasEPSS: !flags, EPSS: 8,
			AffectedShare: 9, Concentration: 10, Workflows: 11, AffectedClasses: 12, Layer: 13,
			ABSlot: flags, AnomalyRate: 14, AnomalyGrowing: !flags, MasksRegression: flags,
			PackageBytes: 15}
		c := i.riskToC()
		if back := riskIssueFromC(&c); back != i {
			t.Errorf("round trip:\n got %+v\nwant %+v", back, i)
		}
	}
}

// An explanation longer than the first offer is asked for again, whole.
func TestRiskExplanationOutgrowsItsFirstBuffer(t *testing.T) {
	m, err := NewRiskModel(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	issue := DefaultIssue()
	issue.Class, issue.Exploit, issue.AttackPath = IssueClassSecurity, ExploitActive, AttackPathRemote
	devices := &Devices{Count: 1}
	wide, err := m.ScoreIssue(issue)
	if err != nil {
		t.Fatal(err)
	}
	wideDevice, err := m.ExplainDevice(wide, devices, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(wide.Explanation) < 3 || len(wideDevice.Explanation) < 3 {
		t.Fatalf("explanations of %d and %d lines", len(wide.Explanation), len(wideDevice.Explanation))
	}
	saved := riskExplainLines
	riskExplainLines = 1
	defer func() { riskExplainLines = saved }()
	narrow, err := m.ScoreIssue(issue)
	if err != nil {
		t.Fatal(err)
	}
	narrowDevice, err := m.ExplainDevice(wide, devices, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(narrow, wide) || !reflect.DeepEqual(narrowDevice, wideDevice) {
		t.Errorf("with a small first buffer:\n%+v\n%+v\nwant\n%+v\n%+v", narrow, narrowDevice, wide, wideDevice)
	}
}
