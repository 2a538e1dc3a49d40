// SPDX-License-Identifier: MIT

// Package enumgen writes the Go mirror of libotaprio's C enumerations from
// the public headers themselves, so that a constant added to or removed
// from a header cannot leave the binding behind: the generated file names
// every value through cgo (C.OTAPRIO_...), which the compiler checks, and
// a test regenerates it and compares.
package enumgen

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Headers are the public headers read, in the order their enums appear in
// the generated file.
var Headers = []string{"common.h", "risk.h", "graph.h", "cohort.h",
	"guardrail.h", "rollback.h", "plan.h"}

// Enum is one C enumeration.
type Enum struct {
	CName   string // otaprio_tier
	GoName  string // Tier
	Doc     string // the @brief sentence(s)
	Flags   bool   // members are bits (1u << n)
	Members []Member
}

// Member is one enumerator.
type Member struct {
	CName  string // OTAPRIO_TIER_T0
	GoName string // TierT0
	Name   string // "t0", what String returns
	Doc    string
}

var (
	enumPattern   = regexp.MustCompile(`(?s)/\*\*((?:[^*]|\*[^/])*)\*/\s*typedef enum (otaprio_\w+) \{(.*?)\} \w+;`)
	memberPattern = regexp.MustCompile(`(?s)(?:/\*\*((?:[^*]|\*[^/])*)\*/\s*)?(OTAPRIO_\w+)\s*=\s*([^,}]+?)\s*(?:,|$)`)
	initPattern   = regexp.MustCompile(`(?m)^#define (otaprio_\w+_init)\(`)
	memberRef     = regexp.MustCompile(`(\w+)::(\w+)`)
	refPattern    = regexp.MustCompile(`(?:#|::|@p |@ref )(\w+)`)
	spacePattern  = regexp.MustCompile(`\s+`)
)

// Go type names that differ from the C name without its prefix.
var typeNames = map[string]string{
	"otaprio_catalog_name_kind":     "NameKind",
	"otaprio_plan_breakglass_unmet": "PlanUnmet",
}

// Member prefixes that differ from the common prefix of the members.
var memberPrefixes = map[string]string{
	"otaprio_status": "OTAPRIO_E_",
}

// Parse reads the enumerations and the init macros of the headers in dir
// (the directory holding otaprio/common.h's siblings).
func Parse(dir string) ([]Enum, []string, error) {
	var enums []Enum
	var macros []string
	for _, name := range Headers {
		text, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, nil, err
		}
		for _, m := range enumPattern.FindAllSubmatch(text, -1) {
			e, err := parseEnum(string(m[2]), string(m[1]), string(m[3]))
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", name, err)
			}
			enums = append(enums, e)
		}
		for _, m := range initPattern.FindAllSubmatch(text, -1) {
			macros = append(macros, string(m[1]))
		}
	}
	sort.Strings(macros)
	return enums, macros, nil
}

func parseEnum(cName, doc, body string) (Enum, error) {
	e := Enum{CName: cName, Doc: brief(doc)}
	e.GoName = typeNames[cName]
	if e.GoName == "" {
		e.GoName = camel(strings.TrimPrefix(cName, "otaprio_"))
	}
	var names []string
	for _, m := range memberPattern.FindAllStringSubmatch(body, -1) {
		e.Members = append(e.Members, Member{CName: m[2], Doc: brief(m[1])})
		names = append(names, m[2])
		if strings.Contains(m[3], "<<") {
			e.Flags = true
		}
	}
	if len(names) == 0 {
		return e, fmt.Errorf("%s has no members", cName)
	}
	prefix := memberPrefixes[cName]
	if prefix == "" {
		prefix = commonPrefix(names)
	}
	for i := range e.Members {
		m := &e.Members[i]
		suffix := strings.TrimPrefix(m.CName, prefix)
		if suffix == m.CName { // OTAPRIO_OK beside OTAPRIO_E_*
			suffix = strings.TrimPrefix(m.CName, "OTAPRIO_")
		}
		m.Name = strings.ToLower(suffix)
		m.GoName = e.GoName + camel(strings.ToLower(suffix))
	}
	return e, nil
}

// commonPrefix is the longest prefix, ending in "_", shared by every name
// and leaving each a non-empty suffix.
func commonPrefix(names []string) string {
	prefix := names[0][:strings.LastIndex(names[0], "_")+1]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, prefix) || len(n) == len(prefix) {
			prefix = prefix[:strings.LastIndex(prefix[:len(prefix)-1], "_")+1]
		}
	}
	return prefix
}

// Initialisms kept upper case in Go names.
var initialisms = map[string]string{"ok": "OK", "ab": "AB", "poc": "PoC",
	"os": "OS", "ssvc": "SSVC", "id": "ID", "sre": "SRE", "pos": "POS",
	"wifi": "WiFi", "t0": "T0", "t1": "T1", "t2": "T2", "t3": "T3",
	"auth": "Auth", "api": "API", "epss": "EPSS", "sku": "SKU", "nomem": "NoMem"}

func camel(snake string) string {
	var b strings.Builder
	for _, word := range strings.Split(snake, "_") {
		if word == "" {
			continue
		}
		if up, ok := initialisms[word]; ok {
			b.WriteString(up)
			continue
		}
		b.WriteString(strings.ToUpper(word[:1]) + word[1:])
	}
	return b.String()
}

// brief turns a Doxygen comment into one Go comment paragraph.
func brief(doc string) string {
	doc = strings.ReplaceAll(doc, "@brief", "")
	if i := strings.Index(doc, "@since"); i >= 0 {
		doc = doc[:i]
	}
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(strings.TrimSpace(l), "* ")
	}
	doc = strings.Join(lines, " ")
	doc = memberRef.ReplaceAllString(doc, "$1.$2")
	doc = refPattern.ReplaceAllString(doc, "$1")
	doc = strings.ReplaceAll(doc, "`", "")
	return strings.TrimSpace(spacePattern.ReplaceAllString(doc, " "))
}

// Generate returns the Go source of the enumerations (enums.go).
func Generate(enums []Enum) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// SPDX-License-Identifier: MIT\n\n")
	b.WriteString("// Code generated by genenums from the public headers; DO NOT EDIT.\n\n")
	b.WriteString("package otaprio\n\n// #include \"binding.h\"\nimport \"C\"\n\n")
	for _, e := range enums {
		base := "int32"
		if e.Flags {
			base = "uint32"
		}
		b.WriteString(comment("", fmt.Sprintf("%s mirrors %s. %s", e.GoName, e.CName, e.Doc)))
		fmt.Fprintf(&b, "type %s %s\n\n", e.GoName, base)
		b.WriteString("const (\n")
		for _, m := range e.Members {
			if m.Doc != "" {
				b.WriteString(comment("\t", m.GoName+": "+m.Doc))
			}
			fmt.Fprintf(&b, "\t%s %s = C.%s\n", m.GoName, e.GoName, m.CName)
		}
		b.WriteString(")\n\n")
		fmt.Fprintf(&b, "var %sNames = map[%s]string{\n", lowerFirst(e.GoName), e.GoName)
		for _, m := range e.Members {
			fmt.Fprintf(&b, "\t%s: %q,\n", m.GoName, m.Name)
		}
		b.WriteString("}\n\n")
		if e.Flags {
			fmt.Fprintf(&b, "// String names the set bits, joined by \"|\" (\"\" for none); a bit\n// without a name shows as its hexadecimal value.\nfunc (v %s) String() string { return flagString(uint32(v), %s) }\n\n",
				e.GoName, flagTable(e))
		} else {
			fmt.Fprintf(&b, "// String returns the value's short name, or %s(n) for a value the\n// binding does not know.\nfunc (v %s) String() string { return enumString(v, %sNames, %q) }\n\n",
				e.GoName, e.GoName, lowerFirst(e.GoName), e.GoName)
		}
	}
	return format.Source(b.Bytes())
}

func flagTable(e Enum) string {
	var parts []string
	for _, m := range e.Members {
		parts = append(parts, fmt.Sprintf("{uint32(%s), %q}", m.GoName, m.Name))
	}
	return "[]flagName{" + strings.Join(parts, ", ") + "}"
}

// GenerateHeader returns binding.h: the public headers without their
// init macros, which pass the caller's sizeof and so cannot be called
// through cgo; the binding passes the size of the Go-side struct itself.
func GenerateHeader(macros []string) []byte {
	var b bytes.Buffer
	b.WriteString("/* SPDX-License-Identifier: MIT */\n")
	b.WriteString("/* Code generated by genenums from the public headers; DO NOT EDIT. */\n")
	b.WriteString("#ifndef OTAPRIO_GO_BINDING_H\n#define OTAPRIO_GO_BINDING_H\n\n#include <otaprio.h>\n\n")
	for _, m := range macros {
		fmt.Fprintf(&b, "#undef %s\n", m)
	}
	b.WriteString("\n#endif\n")
	return b.Bytes()
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// comment wraps text into // lines of at most 78 columns.
func comment(indent, text string) string {
	var b strings.Builder
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(indent)*4+len(line)+1+len(word) > 75 {
			b.WriteString(indent + "// " + line + "\n")
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	b.WriteString(indent + "// " + line + "\n")
	return b.String()
}
