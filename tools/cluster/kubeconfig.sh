#!/usr/bin/env bash
# Prints one kubeconfig holding the local clusters under the context names
# given, as a team's kubeconfig holds its clusters (aws eks update-kubeconfig
# --alias NAME, once per cluster):
#
#   tools/cluster/kubeconfig.sh stage=1 prod=1 prod-next=2 > .cluster/tour.kubeconfig
#
# NAME=1 is the cluster of up.sh (.cluster), NAME=2 the second one of
# second.sh (.cluster-2); both must be running. The current context is the
# first NAME.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/cluster/lib.sh
source "$HERE/lib.sh"

(($# > 0)) || die "usage: $0 NAME=1|2..."
KUBECTL="$("$REPO_ROOT/tools/bin.sh")/kubectl"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
files=()
for arg in "$@"; do
	name=${arg%%=*} n=${arg#*=}
	case $n in
	1) src=$KUBECONFIG_FILE ;;
	2) src=$CLUSTER_DIR-2/kubeconfig ;;
	*) die "$arg: want NAME=1 (the first local cluster) or NAME=2 (the second)" ;;
	esac
	[[ -s "$src" ]] || die "$src not found: start cluster $n first (tools/cluster/up.sh, or tools/cluster/second.sh up)"
	[[ "$name" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "$name: a context name here is lowercase letters, digits and '-'"
	sed "s/$CONTEXT_NAME/$name/g" "$src" >"$TMP/$name"
	files+=("$TMP/$name")
done
KUBECONFIG=$(
	IFS=:
	echo "${files[*]}"
) "$KUBECTL" config view --flatten
