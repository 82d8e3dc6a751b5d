#!/usr/bin/env bash
# deb.sh BINARY OUTDIR — packages a desktop build of archivist (built by
# `make build` or `make dist`) as OUTDIR/archivist_<version>_<arch>.deb and
# prints the .deb's path.
#
# Everything the control file says is read off the binary itself, so the
# package cannot describe another build than the one it holds: the version
# from `archivist version`, the architecture and build tags from Go's build
# information, the library dependencies from dpkg-shlibdeps. nfpm (pinned in
# tools/go.mod) writes the .deb; NFPM names a prebuilt one.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 BINARY OUTDIR" >&2; exit 2; }
bin=$(realpath "$1") out=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
die() { echo "deb.sh: $*" >&2; exit 1; }

[ -x "$bin" ] || die "$1 is not an executable"
info=$(go version -m "$bin") || die "$1 is not a Go binary"
setting() { awk -v k="$1" '$1 == "build" { split($2, kv, "="); if (kv[1] == k) { sub(/^[^=]*=/, "", $2); print $2 } }' <<<"$info"; }

[[ ,$(setting -tags), == *,desktop,* ]] ||
	die "$1 was built without the desktop window (tags: $(setting -tags)); the .deb is the desktop app: install the WebKitGTK development files (make deps-desktop) and rebuild"
[ "$(setting GOOS)" = linux ] || die "$1 is a $(setting GOOS) binary, not a Linux one"
case $(setting GOARCH) in
amd64 | arm64) arch=$(setting GOARCH) ;; # Go's and Debian's names agree for these
*) die "no Debian architecture for GOARCH $(setting GOARCH)" ;;
esac

# `archivist version` prints "archivist VERSION" then "revision: REV".
read -r _ version < <("$bin" version | head -n1)
revision=$("$bin" version | awk '$1 == "revision:" { print $2 }')
debversion=$("$here/debversion.sh" "$version" "$revision")

# dpkg-shlibdeps wants to run inside a source package; give it the least of one.
shlib=$(mktemp -d)
trap 'rm -rf "$shlib"' EXIT
mkdir "$shlib/debian"
printf 'Source: archivist\n\nPackage: archivist\nArchitecture: any\n' >"$shlib/debian/control"
depends=$(cd "$shlib" && dpkg-shlibdeps -O "$bin" 2> >(grep -v 'should already be installed in their package' >&2)) ||
	die "dpkg-shlibdeps could not work out the libraries $1 needs"
depends=${depends#shlibs:Depends=}
[ -n "$depends" ] || die "dpkg-shlibdeps found no library dependencies for $1"

nfpm=${NFPM:-}
if [ -z "$nfpm" ]; then
	nfpm="$shlib/nfpm"
	(cd "$root/tools" && go build -o "$nfpm" github.com/goreleaser/nfpm/v2/cmd/nfpm) || die "cannot build nfpm from tools/go.mod"
fi

mkdir -p "$out"
deb="$(realpath "$out")/archivist_${debversion}_${arch}.deb"
rm -f "$deb"
# The files' times in the package are the commit's, so two builds of one
# commit give the same .deb.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
(
	cd "$root"
	DEB_ARCH=$arch DEB_VERSION=$debversion DEB_DEPENDS=$depends ARCHIVIST_BIN=$bin \
		DEB_MAINTAINER=${DEB_MAINTAINER:-Archivist Desktop developers <archivist-desktop@users.noreply.github.com>} \
		"$nfpm" package --config packaging/nfpm.yaml --packager deb --target "$deb" >/dev/null
) || die "nfpm failed"
echo "$deb"
