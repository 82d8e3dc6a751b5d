//go:build ignore

// gen writes the tray icons: go generate ./internal/shell/trayicon
package main

import (
	"bytes"
	"image/png"
	"log"
	"os"

	"github.com/archivist-desktop/archivist/internal/shell/trayicon"
)

func main() {
	for _, k := range trayicon.Kinds {
		var b bytes.Buffer
		if err := png.Encode(&b, trayicon.Draw(k)); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(trayicon.FileName(k), b.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
