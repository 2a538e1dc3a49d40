// SPDX-License-Identifier: MIT

package otaprio_test

import (
	"errors"
	"math"
	"regexp"
	"testing"

	"otaprio"
)

var posInf = math.Inf(1)

type keyVector struct {
	id  []byte
	key uint64
}

type bucketVector struct {
	salt, key, position uint64
	fraction            float64
}

func keyVectors(t *testing.T) []keyVector {
	rows := regexp.MustCompile(`\{"((?:[^"\\]|\\.)*)", (\d+), (0x[0-9a-f]+)ull\}`).
		FindAllStringSubmatch(readVectors(t, "bucket_vectors.h"), -1)
	if len(rows) == 0 {
		t.Fatal("no key vectors")
	}
	var out []keyVector
	for _, r := range rows {
		id := cString(r[1])
		if uint64(len(id)) != parseUint(t, r[2]) {
			t.Fatalf("vector %q: length %s", r[1], r[2])
		}
		out = append(out, keyVector{id, parseUint(t, r[3])})
	}
	return out
}

func bucketVectors(t *testing.T) []bucketVector {
	rows := regexp.MustCompile(`\{(0x[0-9a-f]+)ull, (0x[0-9a-f]+)ull, (0x[0-9a-f]+)ull, (\S+)\}`).
		FindAllStringSubmatch(readVectors(t, "bucket_vectors.h"), -1)
	if len(rows) == 0 {
		t.Fatal("no bucket vectors")
	}
	var out []bucketVector
	for _, r := range rows {
		out = append(out, bucketVector{parseUint(t, r[1]), parseUint(t, r[2]),
			parseUint(t, r[3]), parseFloat(t, r[4])})
	}
	return out
}

func TestKeysMatchTheGoldenVectors(t *testing.T) {
	vectors := keyVectors(t)
	var ids []string
	for _, v := range vectors {
		if got := otaprio.Key(v.id); got != v.key {
			t.Errorf("Key(%q) = %#x, want %#x", v.id, got, v.key)
		}
		if got := otaprio.KeyString(string(v.id)); got != v.key {
			t.Errorf("KeyString(%q) = %#x, want %#x", v.id, got, v.key)
		}
		ids = append(ids, string(v.id))
	}
	batch := otaprio.Keys(ids)
	for i, v := range vectors {
		if batch[i] != v.key {
			t.Errorf("Keys()[%d] = %#x, want %#x", i, batch[i], v.key)
		}
	}
	if got := otaprio.Keys(nil); len(got) != 0 {
		t.Errorf("Keys(nil) = %v", got)
	}
}

func TestBucketsMatchTheGoldenVectors(t *testing.T) {
	vectors := bucketVectors(t)
	keys := make([]uint64, len(vectors))
	for i, v := range vectors {
		if got := otaprio.BucketPosition(v.salt, v.key); got != v.position {
			t.Errorf("BucketPosition(%#x, %#x) = %#x, want %#x", v.salt, v.key, got, v.position)
		}
		if got := otaprio.BucketFraction(v.salt, v.key); got != v.fraction {
			t.Errorf("BucketFraction(%#x, %#x) = %v, want %v", v.salt, v.key, got, v.fraction)
		}
		keys[i] = v.key
	}
	salt := vectors[0].salt
	positions := make([]uint64, len(keys))
	fractions := make([]float64, len(keys))
	if err := otaprio.Buckets(salt, keys, positions, fractions); err != nil {
		t.Fatal(err)
	}
	for i, v := range vectors {
		if v.salt == salt && (positions[i] != v.position || fractions[i] != v.fraction) {
			t.Errorf("Buckets row %d = %#x %v, want %#x %v", i, positions[i], fractions[i], v.position, v.fraction)
		}
	}
	// In place, as the C function allows.
	inPlace := append([]uint64(nil), keys...)
	if err := otaprio.Buckets(salt, inPlace, inPlace, nil); err != nil {
		t.Fatal(err)
	}
	for i := range inPlace {
		if inPlace[i] != positions[i] {
			t.Fatalf("in place row %d = %#x, want %#x", i, inPlace[i], positions[i])
		}
	}
}

func TestBucketsRefusesBadOutputs(t *testing.T) {
	keys := []uint64{1, 2, 3}
	for name, err := range map[string]error{
		"no output":      otaprio.Buckets(1, keys, nil, nil),
		"short position": otaprio.Buckets(1, keys, make([]uint64, 2), nil),
		"long fractions": otaprio.Buckets(1, keys, nil, make([]float64, 4)),
	} {
		var e *otaprio.Error
		if !errors.As(err, &e) || !errors.Is(err, otaprio.ErrInvalid) || e.Field == "" {
			t.Errorf("%s: got %v, want ErrInvalid naming the argument", name, err)
		}
	}
	if err := otaprio.Buckets(1, nil, []uint64{}, nil); err != nil {
		t.Errorf("no keys: %v", err)
	}
}
