#!/usr/bin/env bash
# Stops kship's local control plane started by up.sh: every process of this
# cluster (found by pid file, or by its command line naming the state
# directory) gets SIGTERM, then SIGKILL after 15s. etcd's data is removed;
# certificates, kubeconfigs and logs are kept. Safe to run any number of times.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/cluster/lib.sh
source "$HERE/lib.sh"

main() {
	# Without a state directory there is nothing to lock, but processes of a
	# cluster whose directory was deleted can still be found and stopped.
	if [[ -d "$CLUSTER_DIR" ]]; then
		lock_cluster
	fi
	stop_all
	rm -rf "$CLUSTER_DIR/etcd" "$CLUSTER_DIR/run" "$CLUSTER_DIR/cluster.env"
	log "cluster stopped"
}

# Keep the exit on this line: bash reads a script as it runs, and this must not
# run anything else if the file is edited meanwhile.
main "$@"; exit
