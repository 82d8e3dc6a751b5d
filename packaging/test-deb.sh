#!/usr/bin/env bash
# test-deb.sh BINARY — builds the .deb from an already-built desktop binary
# (make build's bin/archivist) and checks it the way a user's machine would
# meet it: the control fields, every file and its mode, the maintainer
# scripts, then a real `dpkg -i` into a scratch root and a purge from it.
#
# The install is `dpkg --root=SCRATCH --force-depends --force-script-chrootless`:
# dpkg itself unpacks, records and configures the package, so a wrong path,
# mode or failing postinst shows here as it would on a user's machine.
# --force-depends because the scratch root has none of the libraries (the
# binary finds them on this machine); --force-script-chrootless because a
# scratch root has no /bin/sh to chroot into — dpkg then sets $DPKG_ROOT,
# which the scripts honour, and the test checks they touched only the scratch
# root's caches, never this machine's.
set -euo pipefail

bin=$(realpath "${1:?usage: test-deb.sh path/to/archivist}")
here=$(cd "$(dirname "$0")" && pwd)
for tool in dpkg dpkg-deb dpkg-shlibdeps desktop-file-validate update-desktop-database gtk-update-icon-cache objdump go; do
	command -v "$tool" >/dev/null || { echo "test-dist: $tool is missing (make deps-system installs it)"; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
# check NAME COMMAND... — one assertion; its output is shown only when it fails.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else fail "$name"; [ -z "$out" ] || printf '     %s\n' "${out//$'\n'/$'\n'     }"; fi
}
equal() { [ "$1" = "$2" ] || { echo "got:  $1"; echo "want: $2"; return 1; }; }

# --- the Debian version: valid, and ordered as the builds are -------------
newer() { dpkg --compare-versions "$("$here/debversion.sh" "$2" abc1234)" gt "$("$here/debversion.sh" "$1" abc1234)"; }
check "version: a pre-release sorts before its release" newer 1.2.3-rc.1 1.2.3
check "version: commits after a tag sort after it" newer 1.2.3 1.2.3-4-gdeadbee
check "version: a later tag sorts after commits on the earlier one" newer 1.2.3-4-gdeadbee 1.2.4
check "version: the untagged dev build sorts before 0.1.0" newer 0.1.0-dev 0.1.0
check "version: a malformed VERSION is refused" bash -c "! '$here/debversion.sh' 'v1.2 beta' abc1234"

# --- build ----------------------------------------------------------------
deb=$("$here/deb.sh" "$bin" "$tmp/out") || { echo "FAIL building the .deb"; exit 1; }
ok "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# --- control fields -------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1"; }
read -r _ version < <("$bin" version | head -n1)
revision=$("$bin" version | awk '$1 == "revision:" { print $2 }')
check "control: Package" equal "$(field Package)" archivist
check "control: Version is the binary's, as a Debian version" equal "$(field Version)" "$("$here/debversion.sh" "$version" "$revision")"
check "control: Architecture" equal "$(field Architecture)" "$(dpkg --print-architecture)"
check "control: Maintainer is 'Name <address>'" grep -Eq '^[^<>]+ <[^<>@ ]+@[^<> ]+>$' <<<"$(field Maintainer)"
check "control: Section, Priority" equal "$(field Section)/$(field Priority)" utils/optional
check "control: Description has a synopsis and a body" test "$(field Description | wc -l)" -gt 2
depends=$(field Depends)
has_dep() { grep -Eq "(^|, )$1( \(|,|$)" <<<"$depends" || { echo "Depends: $depends"; return 1; }; }
check "control: Depends on WebKitGTK 4.1" has_dep libwebkit2gtk-4.1-0
check "control: Depends on GTK 3" has_dep libgtk-3-0
# Every library the binary links must come from a package it depends on:
# a dependency left out would install and then fail to start.
libs_covered() {
	local lib pkg
	for lib in $(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }'); do
		pkg=$(dpkg -S "*/$lib" 2>/dev/null | head -n1 | cut -d: -f1)
		[ -n "$pkg" ] || { echo "no package on this machine ships $lib"; return 1; }
		has_dep "$pkg" || { echo "$lib comes from $pkg, which Depends lacks"; return 1; }
	done
}
check "control: Depends covers every library the binary links" libs_covered

# --- files and modes ------------------------------------------------------
listing=$(dpkg-deb --contents "$deb")
files=$(awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' <<<"$listing" | sort)
want=$(
	{
		printf '%s\n' /usr/bin/archivist /usr/share/applications/archivist.desktop \
			/usr/share/doc/archivist/README.md /usr/share/icons/hicolor/scalable/apps/archivist.svg
		for n in 16 22 24 32 48 64 128 256 512; do echo "/usr/share/icons/hicolor/${n}x${n}/apps/archivist.png"; done
	} | sort
)
check "files: exactly the binary, desktop entry, icons and README" equal "$files" "$want"
modes_right() {
	awk '
		$2 != "root/root" { print "owner " $2 ": " $6; bad = 1 }
		$1 ~ /^d/ && $1 != "drwxr-xr-x" { print $1 " " $6; bad = 1 }
		$6 == "./usr/bin/archivist" && $1 != "-rwxr-xr-x" { print $1 " " $6; bad = 1 }
		$1 ~ /^-/ && $6 != "./usr/bin/archivist" && $1 != "-rw-r--r--" { print $1 " " $6; bad = 1 }
		END { exit bad }' <<<"$listing"
}
check "files: root-owned, binary 0755, other files 0644, folders 0755" modes_right
dpkg-deb --control "$deb" "$tmp/control"
check "scripts: only postinst and postrm" equal "$(find "$tmp/control" -type f ! -name control ! -name md5sums -printf '%f\n' | sort | tr '\n' ' ')" "postinst postrm "
# The reference's postinst ran `ufw allow`; this package must never change
# the firewall (the README says what to open, and the user decides).
check "scripts: nothing touches the firewall" bash -c "! grep -EIn 'ufw|firewall-cmd|iptables|nft|netsh' '$tmp/control/postinst' '$tmp/control/postrm'"

# --- install into a scratch root -----------------------------------------
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers" "$root/usr/share/icons/hicolor"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
# The icon theme's index is what hicolor-icon-theme would have installed; with
# it, postinst's icon-cache refresh runs.
cp /usr/share/icons/hicolor/index.theme "$root/usr/share/icons/hicolor/"
dpkg_root() {
	local sudo=()
	[ "$(id -u)" = 0 ] || sudo=(fakeroot) # dpkg chowns to root
	"${sudo[@]}" dpkg --root="$root" --force-script-chrootless --force-not-root "$@"
}
host_caches() { stat -c '%n %Y' /usr/share/applications/mimeinfo.cache /usr/share/icons/hicolor/icon-theme.cache 2>/dev/null || true; }
before=$(host_caches)
check "install: dpkg --root installs and configures it" dpkg_root --force-depends --install "$deb"
check "install: dpkg records it as installed" equal "$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Status} ${Version}' archivist)" "install ok installed $(field Version)"
check "install: /usr/bin/archivist is the binary that was packaged" cmp "$bin" "$root/usr/bin/archivist"
check "install: the installed binary runs 'archivist version'" equal "$("$root/usr/bin/archivist" version | head -n1)" "archivist $version"
desktop=$root/usr/share/applications/archivist.desktop
check "desktop entry: desktop-file-validate accepts it" desktop-file-validate "$desktop"
entry() { sed -n "s/^$1=//p" "$desktop"; }
check "desktop entry: Name, Exec, Icon, Categories" equal "$(entry Name)|$(entry Exec)|$(entry Icon)|$(entry Categories)" "Archivist|archivist|archivist|Utility;Archiving;"
# A PNG's width and height are the big-endian words at bytes 16 and 20.
png_sizes_right() {
	local f n w h
	for f in "$root"/usr/share/icons/hicolor/*/apps/archivist.png; do
		n=$(basename "$(dirname "$(dirname "$f")")")
		[ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || { echo "$f is not a PNG"; return 1; }
		w=$((16#$(od -An -tx1 -j16 -N4 "$f" | tr -d ' \n'))) h=$((16#$(od -An -tx1 -j20 -N4 "$f" | tr -d ' \n')))
		[ "${w}x$h" = "$n" ] || { echo "$f is ${w}x$h"; return 1; }
	done
}
check "icons: every hicolor PNG is a PNG of its folder's size" png_sizes_right
check "postinst: refreshed the scratch root's desktop database" test -s "$root/usr/share/applications/mimeinfo.cache"
check "postinst: refreshed the scratch root's icon cache" test -s "$root/usr/share/icons/hicolor/icon-theme.cache"
check "postinst: left this machine's caches alone" equal "$(host_caches)" "$before"

check "purge: dpkg --root removes it" dpkg_root --purge archivist
leftovers() {
	local f
	for f in $files; do [ ! -e "$root$f" ] || echo "$f"; done
}
check "purge: none of its files remain" equal "$(leftovers)" ""

echo "test-dist: $passed passed, $failed failed"
[ "$failed" = 0 ]
