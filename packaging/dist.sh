#!/usr/bin/env bash
# dist.sh — the release files, into dist/ (called by `make dist`, which sets
# VERSION, LDFLAGS, DESKTOP_TAGS and NFPM):
#
#   archivist-VERSION-linux-amd64.tar.gz      the desktop app, its menu entry and icons
#   archivist_DEBVERSION_amd64.deb            the same, as a Debian package (deb.sh)
#   archivist-VERSION-linux-arm64.tar.gz      headless (no window): serve, node, CLI
#   archivist-VERSION-darwin-{amd64,arm64}.tar.gz
#   archivist-VERSION-windows-{amd64,arm64}.zip
#   SHA256SUMS                                over all of the above
#
# The headless builds are pure Go (CGO_ENABLED=0), so they cross-compile from
# here; the desktop build needs cgo and WebKitGTK, so it is built for this
# machine only. Files in the archives carry the commit's time and no owner,
# so one commit gives the same archives wherever it is built.
set -euo pipefail

: "${VERSION:?}" "${LDFLAGS:?}" "${DESKTOP_TAGS:?}" "${NFPM:?}"
GO=${GO:-go}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"
dist=$root/dist
die() { echo "dist.sh: $*" >&2; exit 1; }

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
rm -rf "$dist"
mkdir -p "$dist"

# build GOOS GOARCH CGO TAGS OUT
build() {
	echo "build $1/$2 (tags $4)"
	GOOS=$1 GOARCH=$2 CGO_ENABLED=$3 "$GO" build -trimpath -tags "$4" -ldflags "$LDFLAGS" -o "$5" ./cmd/archivist ||
		die "the $1/$2 build failed"
}

# archive DIR — DIR's basename becomes the archive's top folder.
archive() {
	local dir=$1 name
	name=$(basename "$dir")
	find "$dir" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	if [[ $name == *-windows-* ]]; then
		(cd "$(dirname "$dir")" && find "$name" -print | LC_ALL=C sort | zip -q -X -@ "$dist/$name.zip")
	else
		tar -C "$(dirname "$dir")" --sort=name --owner=0 --group=0 --numeric-owner \
			--mtime="@$SOURCE_DATE_EPOCH" -cf - "$name" | gzip -n -9 >"$dist/$name.tar.gz"
	fi
}

# --- the Linux desktop app: tarball laid out as a prefix, and the .deb ----
host=$("$GO" env GOARCH)
[ "$host" = amd64 ] || die "the desktop build is made on amd64 (this machine is $host)"
desk=$stage/archivist-$VERSION-linux-amd64
mkdir -p "$desk/bin" "$desk/share/applications" "$desk/share/icons"
build linux amd64 1 "embedui,$DESKTOP_TAGS" "$desk/bin/archivist"
install -m 0644 packaging/archivist.desktop "$desk/share/applications/"
cp -r packaging/icons/hicolor "$desk/share/icons/"
install -D -m 0644 packaging/icons/archivist.svg "$desk/share/icons/hicolor/scalable/apps/archivist.svg"
install -m 0644 README.md packaging/INSTALL.md "$desk/"
[ ! -f LICENSE ] || install -m 0644 LICENSE "$desk/"
chmod -R u=rwX,go=rX "$desk"
archive "$desk"
NFPM=$NFPM packaging/deb.sh "$desk/bin/archivist" "$dist" >/dev/null

# --- headless builds --------------------------------------------------------
for target in linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64; do
	os=${target%/*} arch=${target#*/}
	exe=archivist
	[ "$os" != windows ] || exe=archivist.exe
	dir=$stage/archivist-$VERSION-$os-$arch
	mkdir -p "$dir"
	build "$os" "$arch" 0 embedui "$dir/$exe"
	install -m 0644 README.md packaging/INSTALL.md "$dir/"
	[ ! -f LICENSE ] || install -m 0644 LICENSE "$dir/"
	chmod -R u=rwX,go=rX "$dir"
	archive "$dir"
done

(cd "$dist" && find . -maxdepth 1 -type f -printf '%f\n' | LC_ALL=C sort | xargs sha256sum) >"$stage/SHA256SUMS"
mv "$stage/SHA256SUMS" "$dist/"
echo "dist/:"
(cd "$dist" && du -h -- *)
