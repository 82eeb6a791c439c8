// Package kube connects to a cluster: it loads a kubeconfig and context with
// k8s.io/cli-runtime and hands out the clients the other packages use, with
// client-side throttling off (the API server's own flow control suffices).
//
// Every client it hands out retries, below client-go's rest client, the
// requests that failed for a passing reason and are safe to send again:
//
//   - which requests: reads (GET, LIST, watches, discovery), server-side
//     applies, deletes and dry runs; and any request that cannot have reached
//     the API server (the connection was refused, the TLS handshake timed
//     out) or that it refused to process (429);
//   - which failures: connections refused, reset or closed (EOF), TLS
//     handshake timeouts, 429, 502, 503 and 504. Not 500: a failing admission
//     webhook answers 500 "failed calling webhook", which a retry rarely
//     fixes. A 429 or 5xx that carries Retry-After is left to client-go's rest
//     client, which waits as asked and retries it up to ten times;
//   - shortly after an outage, a 401 or 403 too: a restarted API server
//     serves before its authenticator and authorizer have loaded their
//     tokens and RBAC rules (system:masters is spared; a CI job's service
//     account is not);
//   - for how long: see Retry. The caller's context bounds it all.
//
// Creates, updates and other patches whose connection broke after they were
// sent are not retried, since they may have taken effect: an update retried
// after its answer was lost would conflict with itself. Their callers read
// the object again (the deploy lock's renewal does, on its next beat).
// What kship gives up on is an *UnavailableError, whose Cause reads the same
// for every request that failed for one reason.
//
// It does not apply, wait or decide anything.
package kube
