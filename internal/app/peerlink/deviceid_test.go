package peerlink

import (
	"encoding/json"
	"strings"
	"testing"
)

func sampleID() DeviceID {
	var d DeviceID
	for i := range d {
		d[i] = byte(i*37 + 11)
	}
	return d
}

func TestDeviceIDStringRoundTrip(t *testing.T) {
	d := sampleID()
	s := d.String()
	groups := strings.Split(s, "-")
	if len(groups) != 13 || len(strings.ReplaceAll(s, "-", "")) != 52 {
		t.Fatalf("String() = %q: want 52 characters in 13 groups", s)
	}
	for _, g := range groups {
		if len(g) != 4 || strings.ToUpper(g) != g {
			t.Fatalf("String() = %q: group %q is not 4 uppercase characters", s, g)
		}
	}
	if got := d.ShortString(); got != groups[0]+"-"+groups[1] {
		t.Errorf("ShortString() = %q, want the first two groups of %q", got, s)
	}
	forms := []string{
		s,
		strings.ToLower(s),
		strings.ReplaceAll(s, "-", ""),
		strings.ReplaceAll(s, "-", " "),
		"  " + strings.ToLower(strings.ReplaceAll(s, "-", " ")) + "\n",
	}
	for _, f := range forms {
		got, err := ParseDeviceID(f)
		if err != nil {
			t.Errorf("ParseDeviceID(%q): %v", f, err)
		} else if got != d {
			t.Errorf("ParseDeviceID(%q) = %s, want %s", f, got, d)
		}
	}
}

func TestParseDeviceIDRefuses(t *testing.T) {
	s := sampleID().String()
	flat := strings.ReplaceAll(s, "-", "")
	bad := map[string]string{
		"empty":        "",
		"garbage":      "hello, world",
		"too short":    s[:len(s)-5],
		"too long":     s + "-AAAA",
		"digit 0":      "0" + flat[1:],
		"digit 1":      flat[:10] + "1" + flat[11:],
		"digit 8":      flat[:51] + "8",
		"punctuation":  flat[:20] + "_" + flat[21:],
		"padding":      flat[:51] + "=",
		"non-ASCII":    flat[:51] + "É",
		"spare bits":   flat[:51] + "B", // the last character may only be A or Q
		"hex ID":       strings.Repeat("ab", 32),
		"huge garbage": strings.Repeat("x", 10000),
	}
	for name, in := range bad {
		d, err := ParseDeviceID(in)
		if err == nil {
			t.Errorf("%s: ParseDeviceID(%.60q) = %s, want an error", name, in, d)
			continue
		}
		if !strings.HasPrefix(err.Error(), "not a device ID: ") {
			t.Errorf("%s: error %q does not start with \"not a device ID: \"", name, err)
		}
		if len(err.Error()) > 200 {
			t.Errorf("%s: error message is %d bytes long", name, len(err.Error()))
		}
		if !d.IsZero() {
			t.Errorf("%s: a refused parse returned %s", name, d)
		}
	}
}

func TestDeviceIDJSON(t *testing.T) {
	d := sampleID()
	type doc struct {
		Peer  DeviceID            `json:"peer"`
		Names map[DeviceID]string `json:"names"`
	}
	in := doc{Peer: d, Names: map[DeviceID]string{d: "nas"}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"peer":"`+d.String()+`"`) || !strings.Contains(string(b), `{"`+d.String()+`":"nas"}`) {
		t.Fatalf("JSON %s does not use the String form", b)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Peer != d || out.Names[d] != "nas" {
		t.Fatalf("round trip gave %+v", out)
	}
	if err := json.Unmarshal([]byte(`{"peer":"nope"}`), &out); err == nil || !strings.Contains(err.Error(), "not a device ID") {
		t.Fatalf("bad ID in JSON: err = %v", err)
	}
}

func TestDeviceIDIsZero(t *testing.T) {
	if !(DeviceID{}).IsZero() || sampleID().IsZero() {
		t.Fatal("IsZero is wrong")
	}
}
