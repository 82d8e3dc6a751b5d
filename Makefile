# Archivist Desktop — build, run and test. `make run` and `make test` are the
# two commands a fresh Debian machine with Go and Node needs; everything else
# they need is installed here (system packages only when running as root).

SHELL := /bin/bash
.DEFAULT_GOAL := build

GO        ?= go
BIN       := bin/archivist
PKG       := github.com/archivist-desktop/archivist
VERSION   ?= $(shell git describe --tags --dirty 2>/dev/null | sed 's/^v//' | grep . || echo 0.1.0-dev)
REVISION  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BUILDDATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS   := -s -w -X $(PKG)/internal/buildinfo.Version=$(VERSION) \
             -X $(PKG)/internal/buildinfo.Revision=$(REVISION) \
             -X $(PKG)/internal/buildinfo.BuildDate=$(BUILDDATE)

# The desktop window needs WebKitGTK; without it the binary runs headless.
HAVE_WEBKIT := $(shell pkg-config --exists webkit2gtk-4.1 gtk+-3.0 2>/dev/null && echo yes)
DESKTOP_TAGS := desktop,production,webkit2_41
comma     := ,
TAGS      := embedui$(if $(HAVE_WEBKIT),$(comma)$(DESKTOP_TAGS))

# Packages whose tests exercise concurrency run under the race detector.
RACE_PKGS := ./internal/...

UI_SOURCES := $(shell find web/src web/index.html web/public -type f 2>/dev/null) \
              web/package.json web/package-lock.json web/vite.config.ts web/tsconfig.json

.PHONY: FORCE build run test lint bench soak deps deps-system deps-desktop ui test-go test-ui test-e2e test-desktop clean

## build: the UI bundle and the binary (with the window when WebKitGTK is present)
build: $(BIN)

# The binary is rebuilt when the tags change (e.g. WebKitGTK got installed).
bin/.tags: FORCE
	@mkdir -p bin; [ "$$(cat $@ 2>/dev/null)" = "$(TAGS)" ] || echo "$(TAGS)" > $@

$(BIN): bin/.tags web/dist/index.html $(shell find cmd internal web -name '*.go' -not -path 'web/node_modules/*') go.mod go.sum
	@if [ -z "$(HAVE_WEBKIT)" ]; then echo "note: WebKitGTK dev files not found: building the headless binary (run 'make deps-desktop' as root for the window)"; fi
	$(GO) build -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $@ ./cmd/archivist

web/dist/index.html: web/node_modules/.installed $(UI_SOURCES)
	cd web && npm run build

web/node_modules/.installed: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

e2e/node_modules/.installed: e2e/package-lock.json
	cd e2e && npm ci --no-audit --no-fund
	touch $@

ui: web/dist/index.html

## run: build what is needed and start the app (a window with a display, else headless)
run: deps-desktop
	@$(MAKE) --no-print-directory build
	$(BIN) $(ARGS)

## deps: everything the tests need
deps: deps-system web/node_modules/.installed e2e/node_modules/.installed

# System packages: Chromium for the browser tests, Xvfb and ImageMagick for
# the desktop screenshot (openbox and wmctrl to close the window as a user
# does, curl to ask the app's API), WebKitGTK to build the window.
SYSTEM_PKGS := chromium xvfb xauth x11-utils imagemagick dbus dbus-x11 openbox wmctrl curl libwebkit2gtk-4.1-dev libgtk-3-dev pkg-config minisign
deps-system:
	@missing=$$(for p in $(SYSTEM_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing: $$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing system packages: $$missing — install them with: sudo apt-get install $$missing"; exit 1; fi; \
	fi

deps-desktop:
	@pkg-config --exists webkit2gtk-4.1 gtk+-3.0 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libwebkit2gtk-4.1-dev libgtk-3-dev pkg-config >/dev/null; \
	  else echo "note: no WebKitGTK dev files and not root: the app will run headless (sudo apt-get install libwebkit2gtk-4.1-dev libgtk-3-dev for the window)"; fi; }

## test: install what the tests need, then run every test
test: deps
	$(MAKE) --no-print-directory lint test-go test-ui build test-e2e test-desktop test-dist

lint: web/node_modules/.installed
	@out=$$(gofmt -l cmd internal web bench test 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags '$(DESKTOP_TAGS)' ./internal/shell/
	cd web && npm run --silent typecheck && npm run --silent lint

test-go:
	$(GO) test -race -count=1 $(RACE_PKGS)
	$(GO) test -count=1 ./cmd/...
	$(GO) test -count=1 -timeout 10m ./test/...
	$(GO) test -count=1 -timeout 10m ./bench/...

## soak: the fault tests across network namespaces, longer (root; ROUNDS kill -9 rounds)
ROUNDS ?= 25
soak:
	ARCHIVIST_SOAK_ROUNDS=$(ROUNDS) $(GO) test -count=1 -v -timeout 90m -run TestThreeHosts ./test/netns/

test-ui: web/node_modules/.installed
	cd web && npm test --silent

test-e2e: e2e/node_modules/.installed $(BIN)
	cd e2e && ARCHIVIST_BIN=$(CURDIR)/$(BIN) node --test --test-concurrency=1 *.test.mjs

test-desktop: $(BIN)
	e2e/desktop-smoke.sh $(BIN)

# --- packages (make dist) ------------------------------------------------
# nfpm writes the .deb; it is pinned in tools/go.mod, its own module, so none
# of its dependencies reach the app's go.mod.
.PHONY: dist test-dist icons clean-dist
SYSTEM_PKGS += desktop-file-utils dpkg-dev gtk-update-icon-cache
NFPM := bin/nfpm

$(NFPM): tools/go.mod tools/go.sum
	cd tools && $(GO) build -o ../$(NFPM) github.com/goreleaser/nfpm/v2/cmd/nfpm

## dist: release files in dist/: Linux desktop tarball and .deb, headless builds for
## linux-arm64, macOS and Windows (amd64, arm64), SHA256SUMS
dist: web/dist/index.html $(NFPM)
	@[ -n "$(HAVE_WEBKIT)" ] || { echo "make dist: the desktop build needs the WebKitGTK development files: run 'make deps-desktop' as root"; exit 1; }
	GO='$(GO)' VERSION='$(VERSION)' LDFLAGS='$(LDFLAGS)' DESKTOP_TAGS='$(DESKTOP_TAGS)' NFPM='$(CURDIR)/$(NFPM)' packaging/dist.sh

## test-dist: build the .deb from bin/archivist, inspect it, install it into a scratch root
test-dist: $(BIN) $(NFPM)
	NFPM='$(CURDIR)/$(NFPM)' packaging/test-deb.sh $(BIN)

## icons: render packaging/icons/archivist.svg into the committed hicolor PNGs
icons:
	packaging/icons.sh

clean: clean-dist
clean-dist:
	rm -rf dist
# --- end of packages --------------------------------------------------------

## bench: benchmarks, one table of figures against baselines measured in the same run
## (knobs: BENCH_SIZE_MB, BENCH_SCALE=small|full|off, BENCH_SYNCTHING=on|off; see bench/run.sh)
bench: web/dist/index.html
	bench/run.sh

# --- scale (make bench-scale) ----------------------------------------------
# The full-size scale run of issue 10: a watched tree of SCALE_FILES files /
# SCALE_TOTAL_MIB MiB backed up by a real `archivist serve`, a restart and
# its rescan, and one SCALE_BIG_MIB MiB file up and back, with the app's and
# the node's memory. `make test` runs the same at 2,000 files / 200 MiB.
# The run needs about 3x the larger of the tree and the big file free in
# SCALE_DIR (the files, and the node's copy in padded 64 KiB blocks with a
# manifest per file; each part is removed before the next). This checks
# that roughly before building; the bench checks exactly before it writes.
SCALE_FILES     ?= 100000
SCALE_TOTAL_MIB ?= 10240
SCALE_BIG_MIB   ?= 10240
SCALE_DIR       ?= $(or $(TMPDIR),/tmp)
.PHONY: bench-scale
## bench-scale: the scale run at full size (100,000 files / 10 GiB, a 10 GiB file; ~24 GiB free disk)
bench-scale:
	@need=$$(( ( ($(SCALE_TOTAL_MIB) > $(SCALE_BIG_MIB) ? $(SCALE_TOTAL_MIB) : $(SCALE_BIG_MIB)) * 22 / 10 + 2048 ) )); \
	have=$$(df -Pm '$(SCALE_DIR)' | awk 'NR == 2 { print $$4 }'); \
	if [ "$$have" -lt "$$need" ]; then \
	  echo "make bench-scale: needs $$need MiB free in $(SCALE_DIR), has $$have MiB (set SCALE_DIR, SCALE_TOTAL_MIB or SCALE_BIG_MIB)"; exit 1; fi; \
	echo "bench-scale: $(SCALE_FILES) files / $(SCALE_TOTAL_MIB) MiB, a $(SCALE_BIG_MIB) MiB file, in $(SCALE_DIR) ($$have MiB free, $$need MiB needed)"
	$(GO) run ./bench/scalebench -files $(SCALE_FILES) -total-mib $(SCALE_TOTAL_MIB) -big-mib $(SCALE_BIG_MIB) -dir '$(SCALE_DIR)'
# --- end of scale -------------------------------------------------------------

clean:
	rm -rf bin web/dist web/node_modules e2e/node_modules e2e/artifacts
