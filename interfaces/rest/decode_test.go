package rest

import "testing"

func TestDecodeJSONKindsAndTruthiness(t *testing.T) {
	b, err := decodeJSON([]byte(`{"s":"x","e":"","n":0,"m":-0.0,"f":1.5,"big":1e999,"t":true,"F":false,"z":null,"a":[],"o":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		kind   kind
		truthy bool
	}{
		"s": {kindString, true}, "e": {kindString, false}, "n": {kindNumber, false}, "m": {kindNumber, false},
		"f": {kindNumber, true}, "big": {kindNumber, true}, "t": {kindBoolean, true}, "F": {kindBoolean, false},
		"z": {kindNull, false}, "a": {kindArray, true}, "o": {kindObject, true},
	}
	for name, w := range want {
		got := b.fields[name]
		if got.kind != w.kind || got.truthy != w.truthy {
			t.Errorf("%s: kind %v truthy %v, want %v %v", name, got.kind, got.truthy, w.kind, w.truthy)
		}
	}
	if len(b.fields) != len(want) {
		t.Errorf("fields = %v", b.fields)
	}
}

func TestDecodeJSONInvalid(t *testing.T) {
	for _, in := range []string{`{`, `{"a":}`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `{} {}`, `tru`, `"\x"`, `}`, `{"a":1}]`} {
		if _, err := decodeJSON([]byte(in)); err != errInvalidJSON {
			t.Errorf("decodeJSON(%s) = %v, want errInvalidJSON", in, err)
		}
	}
}
