// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The graph engine's golden vectors are C initializers
// (tests/vectors/{graph,catalog,cluster,version}_vectors.h); graphInit
// reads them as trees of braces, strings and words, which is all those
// files use.

// graphInit is one C initializer: a braced list, a string or a word.
type graphInit struct {
	list  []*graphInit
	word  string
	text  string
	brace bool
	isStr bool
}

// at returns item i of a list, or a zero item past the end (C's rule for
// a partly initialized aggregate).
func (v *graphInit) at(i int) *graphInit {
	if v == nil || i >= len(v.list) {
		return &graphInit{}
	}
	return v.list[i]
}

func (v *graphInit) u64(t testing.TB) uint64 {
	t.Helper()
	switch w := v.word; w {
	case "", "0", "NULL":
		return 0
	case "CV_NO", "CV_NONE", "CV_UNKNOWN", "UINT32_MAX":
		return 0xFFFFFFFF
	default:
		n, err := strconv.ParseUint(strings.TrimRight(w, "uUlL"), 0, 64)
		if err != nil {
			t.Fatalf("golden vectors: word %q: %v", w, err)
		}
		return n
	}
}

func (v *graphInit) u32(t testing.TB) uint32 { return uint32(v.u64(t)) }

func (v *graphInit) f32(t testing.TB) float32 {
	t.Helper()
	if v.word == "" {
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimRight(v.word, "f"), 32)
	if err != nil {
		t.Fatalf("golden vectors: %q: %v", v.word, err)
	}
	return float32(f)
}

// u32s returns the first n items of a list as numbers.
func (v *graphInit) u32s(t testing.TB, n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = v.at(i).u32(t)
	}
	return out
}

var graphToken = regexp.MustCompile(`\s+|/\*[\s\S]*?\*/|"(?:[^"\\]|\\.)*"|[{},]|[\w.+\-]+`)

// graphParse reads one initializer at the start of text.
func graphParse(t testing.TB, text string) *graphInit {
	t.Helper()
	var tokens []string
	for _, tok := range graphToken.FindAllString(text, -1) {
		if strings.TrimSpace(tok) == "" || strings.HasPrefix(tok, "/*") {
			continue
		}
		tokens = append(tokens, tok)
		if tok == ";" {
			break
		}
	}
	pos := 0
	var parse func() *graphInit
	parse = func() *graphInit {
		if pos >= len(tokens) {
			t.Fatal("golden vectors: initializer ends early")
		}
		tok := tokens[pos]
		pos++
		switch {
		case tok == "{":
			v := &graphInit{brace: true}
			for tokens[pos] != "}" {
				v.list = append(v.list, parse())
				if tokens[pos] == "," {
					pos++
				}
			}
			pos++
			return v
		case strings.HasPrefix(tok, `"`):
			s, err := strconv.Unquote(tok)
			if err != nil {
				t.Fatalf("golden vectors: %s: %v", tok, err)
			}
			return &graphInit{text: s, isStr: true}
		}
		return &graphInit{word: tok}
	}
	return parse()
}

var graphDecl = regexp.MustCompile(`static const \w+ (?:\*const )?(\w+)\[\] = `)

// graphDecls parses every array declared in a vectors header, by name.
func graphDecls(t testing.TB, name string) map[string]*graphInit {
	t.Helper()
	text := readVectors(t, name)
	out := map[string]*graphInit{}
	for _, m := range graphDecl.FindAllStringSubmatchIndex(text, -1) {
		end := strings.Index(text[m[1]:], "\n};")
		if end < 0 {
			t.Fatalf("golden vectors: %s: no end", text[m[2]:m[3]])
		}
		out[text[m[2]:m[3]]] = graphParse(t, text[m[1]:m[1]+end+2])
	}
	if len(out) == 0 {
		t.Fatalf("golden vectors: nothing in %s", name)
	}
	return out
}

// graphArray returns a named array of numbers (nil for NULL).
func graphArray(t testing.TB, decls map[string]*graphInit, ref *graphInit) []uint64 {
	t.Helper()
	if ref.word == "NULL" || ref.word == "" {
		return nil
	}
	v, ok := decls[ref.word]
	if !ok {
		t.Fatalf("golden vectors: no array %s", ref.word)
	}
	out := make([]uint64, len(v.list))
	for i, item := range v.list {
		out[i] = item.u64(t)
	}
	return out
}

func graphU32(values []uint64) []uint32 {
	if values == nil {
		return nil
	}
	out := make([]uint32, len(values))
	for i, v := range values {
		out[i] = uint32(v)
	}
	return out
}

func graphU8(values []uint64) []uint8 {
	if values == nil {
		return nil
	}
	out := make([]uint8, len(values))
	for i, v := range values {
		out[i] = uint8(v)
	}
	return out
}

func TestGraphInitializerParser(t *testing.T) {
	v := graphParse(t, `{/* c */ {"a\"b", 1.5f, CV_NO}, {}, 7u,};`)
	if len(v.list) != 3 || v.at(0).at(0).text != `a"b` || v.at(0).at(1).f32(t) != 1.5 ||
		v.at(0).at(2).u32(t) != 0xFFFFFFFF || len(v.at(1).list) != 0 || v.at(2).u32(t) != 7 ||
		v.at(9).u32(t) != 0 {
		t.Fatalf("parsed %+v", v)
	}
}
