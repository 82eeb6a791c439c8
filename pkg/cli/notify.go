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
// once the deploy is over, before on's printer closes. Undelivered
// notifications are warnings, sent to on.
func notifying(t *engine.Target, on event.Func) (event.Func, func()) {
	if t.Config == nil {
		return on, func() {}
	}
	name := t.Name()
	if t.Env != nil {
		name = t.Env.Name
	}
	// Warnings go through the progress printer, as every other line on
	// stderr does (a JSON line with --progress json).
	n := notify.New(t.Config.NotifyFor(t.Env), notify.Options{Environment: name,
		OnWarning: func(line string) { on.Emit(event.Event{Type: event.Warning, Message: line}) }})
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
