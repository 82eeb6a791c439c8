#!/usr/bin/env bash
# Builds the pinned local control plane binaries and prints their directory.
#
#   tools/bin.sh            # build if needed, print the bin dir on stdout
#   "$(tools/bin.sh)/kubectl" version --client
#
# Produces, in one directory:
#   kube-apiserver kube-controller-manager kube-scheduler kubectl  (k8s.io/kubernetes, tools/go.mod)
#   etcd                                                           (tools/cmd/etcd, tools/go.mod)
#   kwok                                                           (sigs.k8s.io/kwok, KWOK_VERSION)
#   kustomize                                                      (sigs.k8s.io/kustomize, KUSTOMIZE_VERSION)
#   certs clusterctl podrefs                                       (tools/cmd/*, kship's own helpers)
#
# The Kubernetes and etcd versions are pinned in tools/go.mod, kwok's and kustomize's
# below. Binaries live in ${KSHIP_TOOLS_CACHE:-$HOME/.cache/kship/tools}/<key>/bin,
# where <key> hashes everything that affects them (tools/go.mod, tools/go.sum, this
# script, the helpers' sources and `go version`). A bin dir appears complete (built
# aside, then renamed) and is never changed, so a warm call only hashes a few files.
# The slow upstream builds are keyed separately (upstream-<key>) so that editing a
# helper only rebuilds the helpers; the 3 most recently used builds of each kind are
# kept. Concurrent calls wait for one another. Progress goes to stderr; stdout
# carries only the bin dir.
set -euo pipefail

readonly KWOK_VERSION=v0.8.0
readonly KUSTOMIZE_VERSION=v5.8.2

TOOLS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly TOOLS_DIR
readonly CACHE_ROOT=${KSHIP_TOOLS_CACHE:-$HOME/.cache/kship/tools}
readonly UPSTREAM_BINS=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kustomize)
readonly LOCAL_CMDS=(certs clusterctl podrefs)

log() { printf 'bin.sh: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

command -v go >/dev/null 2>&1 || die "go is not on PATH (need the Go toolchain named in tools/go.mod)"

# The tools module is built on its own (no go.work) into static binaries.
export GOWORK=off CGO_ENABLED=0
GO_VERSION=$(go version)
readonly GO_VERSION

# hash_files prints one sha256 over the names and contents of the given files.
hash_files() {
	local f
	for f in "$@"; do
		printf '%s\n' "${f#"$TOOLS_DIR"/}"
		cat "$f"
	done | sha256sum | cut -c1-16
}

upstream_key() {
	{
		printf '%s\n' "$GO_VERSION" "$KWOK_VERSION" "$KUSTOMIZE_VERSION"
		hash_files "$TOOLS_DIR/go.mod" "$TOOLS_DIR/go.sum" "$TOOLS_DIR/bin.sh" "$TOOLS_DIR/cmd/etcd/main.go"
	} | sha256sum | cut -c1-16
}

full_key() {
	local srcs
	mapfile -t srcs < <(
		for c in "${LOCAL_CMDS[@]}"; do find "$TOOLS_DIR/cmd/$c" -type f -name '*.go'; done
		if [[ -d "$TOOLS_DIR/internal" ]]; then find "$TOOLS_DIR/internal" -type f -name '*.go'; fi
	)
	mapfile -t srcs < <(printf '%s\n' "${srcs[@]}" | LC_ALL=C sort)
	printf '%s\n' "$1" "$(hash_files "${srcs[@]}")" | sha256sum | cut -c1-16
}

# kube_ldflags stamps the Kubernetes version like the upstream release build does,
# so `kubectl version` and the API server's /version report it.
kube_ldflags() {
	local v major minor rest
	v=$(cd "$TOOLS_DIR" && go list -m -f '{{.Version}}' k8s.io/kubernetes)
	major=${v#v}
	major=${major%%.*}
	rest=${v#v"$major".}
	minor=${rest%%.*}
	local pkg flags="-s -w"
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
		flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
	done
	printf '%s' "$flags"
}

build_upstream() {
	local dest=$1 tmp
	tmp=$(mktemp -d "$CACHE_ROOT/.upstream.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now: it is local to this function.
	trap "rm -rf '$tmp'" EXIT
	mkdir -p "$tmp/bin"
	local start=$SECONDS ldflags
	ldflags=$(kube_ldflags) || die "cannot read the k8s.io/kubernetes version from $TOOLS_DIR/go.mod"
	log "building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and etcd (several minutes on a cold cache)"
	(cd "$TOOLS_DIR" && go build -trimpath -ldflags "$ldflags" -o "$tmp/bin/" \
		k8s.io/kubernetes/cmd/kube-apiserver \
		k8s.io/kubernetes/cmd/kube-controller-manager \
		k8s.io/kubernetes/cmd/kube-scheduler \
		k8s.io/kubernetes/cmd/kubectl \
		./cmd/etcd) >&2 || die "building the Kubernetes binaries and etcd from $TOOLS_DIR/go.mod failed (see above)"
	log "building kwok $KWOK_VERSION"
	GOBIN="$tmp/bin" go install -trimpath \
		-ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
		"sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2 || die "go install sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION failed (see above)"
	log "building kustomize $KUSTOMIZE_VERSION"
	GOBIN="$tmp/bin" go install -trimpath -ldflags "-s -w" \
		"sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2 || die "go install sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION failed (see above)"
	local b
	for b in "${UPSTREAM_BINS[@]}"; do [[ -x "$tmp/bin/$b" ]] || die "build produced no $b"; done
	mv -T "$tmp" "$dest"
	trap - EXIT
	log "upstream binaries built in $((SECONDS - start))s"
}

build_full() {
	local upstream=$1 dest=$2 tmp b
	tmp=$(mktemp -d "$CACHE_ROOT/.full.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now: it is local to this function.
	trap "rm -rf '$tmp'" EXIT
	mkdir -p "$tmp/bin"
	for b in "${UPSTREAM_BINS[@]}"; do
		ln "$upstream/bin/$b" "$tmp/bin/$b" 2>/dev/null || cp "$upstream/bin/$b" "$tmp/bin/$b"
	done
	log "building kship's cluster helpers: ${LOCAL_CMDS[*]}"
	local pkgs=()
	for b in "${LOCAL_CMDS[@]}"; do pkgs+=("./cmd/$b"); done
	(cd "$TOOLS_DIR" && go build -trimpath -ldflags "-s -w" -o "$tmp/bin/" "${pkgs[@]}") >&2 ||
		die "building ${pkgs[*]} in $TOOLS_DIR failed (see above)"
	mv -T "$tmp" "$dest"
	trap - EXIT
}

# prune removes all but the most recently used KEEP builds of each kind, so
# that the cache does not grow by ~500MB with every change of tools/go.mod.
prune() {
	local keep=3 pattern dir
	for pattern in 'upstream-*' '[0-9a-f]*'; do
		find "$CACHE_ROOT" -mindepth 1 -maxdepth 1 -type d -name "$pattern" -printf '%T@ %p\n' |
			sort -rn | tail -n +$((keep + 1)) | cut -d' ' -f2- |
			while IFS= read -r dir; do
				log "pruning old build $dir"
				rm -rf "$dir"
			done
	done
}

main() {
	mkdir -p "$CACHE_ROOT" || die "cannot create the tools cache $CACHE_ROOT (set KSHIP_TOOLS_CACHE)"
	local ukey key
	ukey=$(upstream_key)
	key=$(full_key "$ukey")
	local dir="$CACHE_ROOT/$key"
	if [[ ! -d "$dir/bin" ]]; then
		# One builder at a time: concurrent callers wait, then find the result.
		exec 9>"$CACHE_ROOT/.lock"
		if ! flock -n 9; then
			log "waiting for another bin.sh to finish building (lock $CACHE_ROOT/.lock)"
			flock 9
		fi
		if [[ ! -d "$dir/bin" ]]; then
			# Holding the lock, anything half-built is left over from a killed build.
			rm -rf "$CACHE_ROOT"/.upstream.* "$CACHE_ROOT"/.full.*
			local upstream="$CACHE_ROOT/upstream-$ukey"
			[[ -d "$upstream/bin" ]] || build_upstream "$upstream"
			touch "$upstream"
			build_full "$upstream" "$dir"
			prune
		fi
		exec 9>&-
	fi
	# Mark the build as used, for prune.
	touch "$dir"
	printf '%s\n' "$dir/bin"
}

# Keep the exit on this line: bash reads a script as it runs, and this must not
# run anything else if the file is edited meanwhile.
main "$@"; exit
