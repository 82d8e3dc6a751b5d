package trayicon

import (
	"image"
	"image/color"
	"math"
)

// Kind is a state the icon shows.
type Kind string

// The kinds, in the order of the files.
const (
	Running Kind = "running"
	Syncing Kind = "syncing"
	Error   Kind = "error"
	Stopped Kind = "stopped"
)

// Kinds lists every kind.
var Kinds = []Kind{Running, Syncing, Error, Stopped}

// FileName is the file of a kind in this directory.
func FileName(k Kind) string { return "tray-" + string(k) + ".png" }

// Size is the icons' edge in pixels: enough for a 2× panel.
const Size = 64

var (
	tile    = color.NRGBA{0x0a, 0x0f, 0x0c, 0xff} // the UI's sidebar
	border  = color.NRGBA{0x2a, 0x4a, 0x38, 0xff}
	green   = color.NRGBA{0x00, 0xff, 0x41, 0xff}
	cyan    = color.NRGBA{0x00, 0xd4, 0xff, 0xff}
	red     = color.NRGBA{0xff, 0x44, 0x44, 0xff}
	grey    = color.NRGBA{0x6a, 0x7a, 0x70, 0xff}
	glyphBg = color.NRGBA{0x01, 0x03, 0x02, 0xff}
)

// Draw renders one icon. Shapes are signed-distance tests sampled 4×4 per
// pixel, which anti-aliases the edges without a vector library.
func Draw(k Kind) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, Size, Size))
	const n = 4
	for y := 0; y < Size; y++ {
		for x := 0; x < Size; x++ {
			var r, g, b, a float64
			for sy := 0; sy < n; sy++ {
				for sx := 0; sx < n; sx++ {
					px := (float64(x) + (float64(sx)+0.5)/n) / Size
					py := (float64(y) + (float64(sy)+0.5)/n) / Size
					c, ok := sample(k, px, py)
					if !ok {
						continue
					}
					r, g, b, a = r+float64(c.R), g+float64(c.G), b+float64(c.B), a+1
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(x, y, color.NRGBA{
				R: uint8(r / a), G: uint8(g / a), B: uint8(b / a),
				A: uint8(255 * a / (n * n)),
			})
		}
	}
	return img
}

// sample is the colour at (x, y) in [0,1]², or false outside the tile.
func sample(k Kind, x, y float64) (color.NRGBA, bool) {
	if roundedBox(x, y, 0.5, 0.5, 0.46, 0.16) > 0 {
		return color.NRGBA{}, false
	}
	if roundedBox(x, y, 0.5, 0.5, 0.46, 0.16) > -0.035 {
		return border, true
	}
	c := tile
	// The mark: a disc in the middle of the tile.
	d := math.Hypot(x-0.5, y-0.5)
	switch k {
	case Running: // a full green disc
		if d < 0.27 {
			c = green
		}
	case Syncing: // a cyan ring broken by two gaps, like arrows going round
		ang := math.Atan2(y-0.5, x-0.5)
		gap := math.Abs(math.Sin(ang)) > 0.93 && math.Cos(ang)*math.Sin(ang) >= 0
		if d < 0.28 && d > 0.17 && !gap {
			c = cyan
		}
		if d < 0.08 {
			c = cyan
		}
	case Error: // a red disc with an exclamation mark
		if d < 0.28 {
			c = red
			bar := math.Abs(x-0.5) < 0.045 && y > 0.30 && y < 0.56
			dot := math.Hypot(x-0.5, y-0.66) < 0.05
			if bar || dot {
				c = glyphBg
			}
		}
	case Stopped: // a hollow grey ring
		if d < 0.27 && d > 0.19 {
			c = grey
		}
	}
	return c, true
}

// roundedBox is the signed distance to a rounded square centred at (cx, cy)
// with half-size h and corner radius r: negative inside.
func roundedBox(x, y, cx, cy, h, r float64) float64 {
	qx := math.Abs(x-cx) - (h - r)
	qy := math.Abs(y-cy) - (h - r)
	out := math.Hypot(math.Max(qx, 0), math.Max(qy, 0))
	return out + math.Min(math.Max(qx, qy), 0) - r
}
