package trayicon

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// The embedded PNGs are what Draw draws today: regenerate them with
// `go generate ./internal/shell/trayicon` after changing the drawing.
func TestEmbeddedIconsMatchTheDrawing(t *testing.T) {
	for _, k := range Kinds {
		img, err := png.Decode(bytes.NewReader(PNG(k)))
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		want := Draw(k)
		if img.Bounds() != want.Bounds() {
			t.Fatalf("%s: %v, want %v", k, img.Bounds(), want.Bounds())
		}
		for y := 0; y < Size; y++ {
			for x := 0; x < Size; x++ {
				if got := color.NRGBAModel.Convert(img.At(x, y)); got != want.At(x, y) {
					t.Fatalf("%s differs at (%d,%d): file %v, drawing %v; run go generate ./internal/shell/trayicon", k, x, y, got, want.At(x, y))
				}
			}
		}
	}
}

// Each state is told by its own colour in the mark (14 px right of the
// centre, beside the exclamation mark's bar) and is a different picture
// from every other state.
func TestIconsTellTheStatesApart(t *testing.T) {
	mark := map[Kind]color.NRGBA{Running: green, Syncing: cyan, Error: red, Stopped: grey}
	imgs := map[Kind]*image.NRGBA{}
	for _, k := range Kinds {
		img := Draw(k)
		imgs[k] = img
		if got := img.NRGBAAt(Size/2+14, Size/2); got != mark[k] {
			t.Errorf("%s: mark %v, want %v", k, got, mark[k])
		}
		if k == Syncing {
			if got := img.NRGBAAt(Size/2, Size/2); got != cyan {
				t.Errorf("syncing: centre %v, want cyan", got)
			}
		}
		if a := img.NRGBAAt(0, 0).A; a != 0 {
			t.Errorf("%s: the corner is not transparent (alpha %d)", k, a)
		}
	}
	for i, a := range Kinds {
		for _, b := range Kinds[i+1:] {
			if bytes.Equal(imgs[a].Pix, imgs[b].Pix) {
				t.Errorf("%s and %s look the same", a, b)
			}
		}
	}
}
