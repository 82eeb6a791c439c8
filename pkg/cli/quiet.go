package cli

import (
	"sync"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
)

var quietOnce sync.Once

// quietClientGo sends client-go's own log lines nowhere: a reflector's
// "Failed to watch", "Unhandled Error", the rest client's throttling and
// retry messages. They would interleave with kship's progress in another
// voice; kship says what happened itself, in its errors and summary.
func quietClientGo() {
	quietOnce.Do(func() { klog.SetLoggerWithOptions(logr.Discard(), klog.ContextualLogger(true)) })
}
