package trayicon

import (
	"embed"
	"fmt"
)

//go:embed *.png
var files embed.FS

// PNG is the icon of a kind, as PNG bytes.
func PNG(k Kind) []byte {
	b, err := files.ReadFile(FileName(k))
	if err != nil {
		// Every kind's file is embedded at build time; the test checks it.
		panic(fmt.Sprintf("trayicon: %v", err))
	}
	return b
}
