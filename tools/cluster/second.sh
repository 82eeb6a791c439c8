#!/usr/bin/env bash
# Starts or stops a second local control plane, independent of the first:
# its own state directory and ports, for what needs two clusters (an
# environment deployed to an old and a new cluster side by side).
#
#   tools/cluster/second.sh up     # kubeconfig: .cluster-2/kubeconfig (context kship-local)
#   tools/cluster/second.sh down
#
# Its state directory is $KSHIP_CLUSTER_DIR with "-2" appended (default
# .cluster-2), and each port is the first cluster's plus
# KSHIP_SECOND_PORT_OFFSET (default 1000), so that a second cluster of a
# first on other ports (a second clone's) does not collide either.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/cluster/lib.sh
source "$HERE/lib.sh"

OFFSET=${KSHIP_SECOND_PORT_OFFSET:-1000}
[[ "$OFFSET" =~ ^[0-9]+$ ]] || die "KSHIP_SECOND_PORT_OFFSET=$OFFSET is not a number"
OFFSET=$((10#$OFFSET))
((OFFSET > 0)) || die "KSHIP_SECOND_PORT_OFFSET must be at least 1: the second cluster needs ports of its own"

export KSHIP_CLUSTER_DIR="${CLUSTER_DIR%/}-2"
export KSHIP_ETCD_PORT=$((ETCD_PORT + OFFSET))
export KSHIP_ETCD_PEER_PORT=$((ETCD_PEER_PORT + OFFSET))
export KSHIP_APISERVER_PORT=$((APISERVER_PORT + OFFSET))
export KSHIP_CONTROLLER_MANAGER_PORT=$((CONTROLLER_MANAGER_PORT + OFFSET))
export KSHIP_SCHEDULER_PORT=$((SCHEDULER_PORT + OFFSET))
export KSHIP_KWOK_PORT=$((KWOK_PORT + OFFSET))

case "${1:-}" in
up) exec "$HERE/up.sh" ;;
down) exec "$HERE/down.sh" ;;
*) die "usage: $0 up|down" ;;
esac
