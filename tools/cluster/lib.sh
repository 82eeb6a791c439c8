# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings are used by the scripts sourcing this file
# Shared settings and helpers of up.sh and down.sh. Source it; do not run it.
#
# Environment (all optional):
#   KSHIP_CLUSTER_DIR               state directory              (default: <repo>/.cluster)
#   KSHIP_ETCD_PORT                 etcd client port             (default: 26379)
#   KSHIP_ETCD_PEER_PORT            etcd peer port               (default: 26380)
#   KSHIP_APISERVER_PORT            kube-apiserver port          (default: 26443)
#   KSHIP_CONTROLLER_MANAGER_PORT   kube-controller-manager port (default: 26257)
#   KSHIP_SCHEDULER_PORT            kube-scheduler port          (default: 26259)
#   KSHIP_KWOK_PORT                 kwok's kubelet server port   (default: 26250)
#   KSHIP_CLUSTER_NODES             number of fake nodes         (default: 3)
#   KSHIP_CLUSTER_TIMEOUT           seconds to wait for ready    (default: 120)
# Every port is bound on 127.0.0.1 only.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTER_DIR=${KSHIP_CLUSTER_DIR:-$REPO_ROOT/.cluster}
ETCD_PORT=${KSHIP_ETCD_PORT:-26379}
ETCD_PEER_PORT=${KSHIP_ETCD_PEER_PORT:-26380}
APISERVER_PORT=${KSHIP_APISERVER_PORT:-26443}
CONTROLLER_MANAGER_PORT=${KSHIP_CONTROLLER_MANAGER_PORT:-26257}
SCHEDULER_PORT=${KSHIP_SCHEDULER_PORT:-26259}
KWOK_PORT=${KSHIP_KWOK_PORT:-26250}
CLUSTER_NODES=${KSHIP_CLUSTER_NODES:-3}
CLUSTER_TIMEOUT=${KSHIP_CLUSTER_TIMEOUT:-120}
CONTEXT_NAME=kship-local

# Components in start order; they are stopped in reverse. podrefs
# (tools/cmd/podrefs) resolves pods' ConfigMaps and Secrets for kwok.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok podrefs)

LOG_DIR=$CLUSTER_DIR/logs
PID_DIR=$CLUSTER_DIR/pids
PKI_DIR=$CLUSTER_DIR/pki
KUBECONFIG_FILE=$CLUSTER_DIR/kubeconfig

SCRIPT_NAME=${0##*/}
log() { printf '%s %s: %s\n' "$(date +%H:%M:%S)" "$SCRIPT_NAME" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# lock_cluster serializes up.sh and down.sh on this state directory.
lock_cluster() {
	mkdir -p "$CLUSTER_DIR"
	exec 8>"$CLUSTER_DIR/.lock"
	if ! flock -n 8; then
		# The holder may be building the binaries, which takes minutes when cold.
		log "waiting for another up.sh/down.sh on $CLUSTER_DIR to finish"
		flock 8
	fi
}

# is_ours PID reports whether PID is a live (not zombie) process of one of our
# components with this state directory on its command line, so that a
# recycled PID is never signalled.
is_ours() {
	local args=()
	mapfile -d '' -t args 2>/dev/null <"/proc/$1/cmdline" || return 1
	((${#args[@]} > 0)) || return 1
	[[ " ${COMPONENTS[*]} " == *" ${args[0]##*/} "* ]] || return 1
	[[ "${args[*]}" == *"$CLUSTER_DIR/"* ]]
}

# pid_of NAME prints the PID recorded for component NAME if that process is
# still ours and running.
pid_of() {
	local file="$PID_DIR/$1.pid" pid
	[[ -f "$file" ]] || return 1
	pid=$(<"$file")
	[[ "$pid" =~ ^[0-9]+$ ]] && is_ours "$pid" && printf '%s\n' "$pid"
}

# our_pids prints every process of this cluster: those in pid files and
# strays whose pid file was lost (matched by binary name and state dir).
our_pids() {
	local p
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		is_ours "$p" && printf '%s\n' "$p"
	done
	return 0
}

# stop_all stops every process of this cluster, etcd last so that the API
# server can shut down cleanly.
stop_all() {
	local pids=() others=() etcd=() pid args
	mapfile -t pids < <(our_pids)
	for pid in "${pids[@]}"; do
		mapfile -d '' -t args 2>/dev/null <"/proc/$pid/cmdline" || continue
		if [[ "${args[0]##*/}" == etcd ]]; then etcd+=("$pid"); else others+=("$pid"); fi
	done
	stop_pids "${others[@]}"
	stop_pids "${etcd[@]}"
	rm -f "$PID_DIR"/*.pid
}

# stop_pids sends SIGTERM to the given processes, and SIGKILL to those still
# running 15s later.
stop_pids() {
	(($# > 0)) || return 0
	local pid i alive
	log "stopping process(es) $*"
	kill -TERM "$@" 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do
		alive=0
		for pid in "$@"; do is_ours "$pid" && alive=1; done
		((alive)) || return 0
		sleep 0.1
	done
	for pid in "$@"; do
		if is_ours "$pid"; then
			log "process $pid did not stop within 15s of SIGTERM; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			while is_ours "$pid"; do sleep 0.1; done
		fi
	done
}
