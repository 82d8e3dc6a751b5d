//go:build !embedui

package web

import "embed"

//go:embed nobuild
var files embed.FS

const root = "nobuild"
