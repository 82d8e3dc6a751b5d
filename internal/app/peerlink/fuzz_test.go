package peerlink

import "testing"

// FuzzParseDeviceID: any string a user pastes either is refused or names
// exactly one device, whose canonical form parses back to it.
func FuzzParseDeviceID(f *testing.F) {
	var d DeviceID
	for i := range d {
		d[i] = byte(i * 7)
	}
	f.Add(d.String())
	f.Add(d.String()[:20])
	f.Add(" " + d.String() + " ")
	f.Add("AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAA")
	f.Add("77777777777777777777777777777777777777777777777777777")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseDeviceID(s)
		if err != nil {
			return
		}
		again, err := ParseDeviceID(id.String())
		if err != nil || again != id {
			t.Fatalf("%q parsed as %s, which parses as %s (%v)", s, id, again, err)
		}
	})
}
