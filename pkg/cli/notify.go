package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/kship/kship/pkg/engine"
	"github.com/kship/kship/pkg/event"
	"github.com/kship/kship/pkg/notify"
)

// notifyWait bounds how long a command waits, once its deploy is over,
// for its notifications to be delivered.
const notifyWait = 15 * time.Second

// notifying returns on with the notifications kship.yaml asks for t's
// deploys added, and the function that delivers what is queued, to call
// once the deploy is over. Undelivered notifications are warnings.
func notifying(s streams, t *engine.Target, on event.Func) (event.Func, func()) {
	if t.Config == nil {
		return on, func() {}
	}
	name := t.Name()
	if t.Env != nil {
		name = t.Env.Name
	}
	n := notify.New(t.Config.NotifyFor(t.Env), notify.Options{Environment: name,
		OnWarning: func(line string) { fmt.Fprintf(s.err, "kship: warning: %s\n", line) }})
	if n == nil {
		return on, func() {}
	}
	return func(e event.Event) {
			on.Emit(e)
			n.Event(e)
		}, func() {
			ctx, cancel := context.WithTimeoutCause(context.Background(), notifyWait, fmt.Errorf("%s passed", notifyWait))
			defer cancel()
			n.Close(ctx)
		}
}
