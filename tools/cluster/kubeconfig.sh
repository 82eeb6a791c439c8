#!/usr/bin/env bash
# Writes one kubeconfig holding the local clusters under the context names
# given, as a team's kubeconfig holds its clusters (aws eks update-kubeconfig
# --alias NAME, once per cluster):
#
#   tools/cluster/kubeconfig.sh .cluster/tour.kubeconfig stage=1 prod=1 prod-next=2
#
# NAME=1 is the cluster of up.sh (.cluster), NAME=2 the second one of
# second.sh (.cluster-2); both must be running. The current context is the
# first NAME. The file holds the clusters' admin credentials: it is written
# readable by its owner only.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/cluster/lib.sh
source "$HERE/lib.sh"

(($# > 1)) || die "usage: $0 OUT NAME=1|2..."
OUT=$1
shift
KUBECTL="$("$REPO_ROOT/tools/bin.sh")/kubectl"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
files=()
declare -A seen=()
for arg in "$@"; do
	name=${arg%%=*} n=${arg#*=}
	[[ "$name" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "$name: a context name here is lowercase letters, digits and '-'"
	[[ -z "${seen[$name]:-}" ]] || die "$name is given twice"
	seen[$name]=1
	case $n in
	1) src=$KUBECONFIG_FILE ;;
	2) src=$CLUSTER_DIR-2/kubeconfig ;;
	*) die "$arg: want NAME=1 (the first local cluster) or NAME=2 (the second)" ;;
	esac
	[[ -s "$src" ]] || die "$src not found: start cluster $n first (tools/cluster/up.sh, or tools/cluster/second.sh up)"
	sed "s/$CONTEXT_NAME/$name/g" "$src" >"$TMP/$name"
	files+=("$TMP/$name")
done
umask 077
KUBECONFIG=$(
	IFS=:
	echo "${files[*]}"
) "$KUBECTL" config view --flatten >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote $OUT: contexts $*"
