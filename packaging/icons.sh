#!/usr/bin/env bash
# Renders the application icon (icons/archivist.svg) into the hicolor PNG
# sizes that desktops look up. The PNGs are committed, so building a package
# needs no SVG renderer; run this (`make icons`) after changing the SVG.
set -euo pipefail
cd "$(dirname "$0")/icons"
command -v rsvg-convert >/dev/null || { echo "icons.sh: rsvg-convert not found: apt-get install librsvg2-bin" >&2; exit 1; }
for n in 16 22 24 32 48 64 128 256 512; do
	mkdir -p "hicolor/${n}x${n}/apps"
	rsvg-convert -w "$n" -h "$n" archivist.svg -o "hicolor/${n}x${n}/apps/archivist.png"
done
