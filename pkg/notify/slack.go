package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// slack is the body of a Slack incoming-webhook message.
type slack struct {
	Text string `json:"text"`
}

// escape makes s plain text for Slack: a container's message must not
// ping a channel (<!channel>) or make a link.
var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// slackMessage says what doc announces in one or two lines of Slack text.
func slackMessage(doc Document) slack {
	doc.Target, doc.By, doc.Error, doc.Cause = escape(doc.Target), escape(doc.By), escape(doc.Error), escape(doc.Cause)
	doc.Images = slices.Clone(doc.Images)
	for i := range doc.Images {
		doc.Images[i] = escape(doc.Images[i])
	}
	who := ""
	if doc.By != "" {
		who = " by " + doc.By
	}
	images := ""
	if len(doc.Images) > 0 {
		images = " (" + strings.Join(doc.Images, ", ") + ")"
	}
	took := time.Duration(doc.DurationSeconds * float64(time.Second)).Round(100 * time.Millisecond)
	var text string
	switch doc.Event {
	case "start":
		text = fmt.Sprintf(":rocket: Deploying *%s*%s%s", doc.Target, images, who)
	case "success":
		text = fmt.Sprintf(":white_check_mark: *%s* is ready at revision %d%s, in %s", doc.Target, doc.Revision, images, took)
	case "failure":
		cause := doc.Cause
		if cause == "" {
			cause = doc.Error
		}
		at := ""
		if doc.Revision > 0 {
			at = fmt.Sprintf(" at revision %d", doc.Revision)
		}
		text = fmt.Sprintf(":x: Deploy of *%s* failed%s%s after %s\n> %s", doc.Target, at, who, took, cause)
	case "rollback":
		if doc.RollbackFailed {
			text = fmt.Sprintf(":rotating_light: *%s*: the rollback after revision %d failed: %s", doc.Target, doc.Revision, doc.Error)
		} else {
			text = fmt.Sprintf(":leftwards_arrow_with_hook: *%s* rolled back to revision %d (revision %d failed)", doc.Target, doc.RolledBackTo, doc.Revision)
		}
	}
	return slack{Text: text}
}
