package diff

import (
	"fmt"

	"github.com/kship/kship/pkg/object"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Pair is one object on both sides. Before nil means the object is created;
// After nil means it is deleted.
type Pair struct {
	Before, After *unstructured.Unstructured
	// Recreate says After is the manifest of an object whose immutable
	// fields changed, so it will be deleted and created again; Before is then
	// compared on After's fields only, since the manifest lacks the server's
	// defaults.
	Recreate bool
	// Note qualifies the change, e.g. why the server could not check it.
	Note string
}

// Input is what Compute diffs for one environment.
type Input struct {
	// Env names the environment (or directory).
	Env string
	// Note says something about the environment as a whole.
	Note string
	// Pairs are the objects of both sides, in the order to report them.
	Pairs []Pair
	// Previous are live objects outside the build that may be earlier
	// versions of generated ConfigMaps and Secrets: the caller passes those
	// its deploys manage. A created object with the same kind, namespace and
	// generator name is reported as renamed from one of them; the others are
	// ignored.
	Previous []*unstructured.Unstructured
	// Prune lists live objects a deploy would delete (from the inventory).
	Prune []object.Ref
}

// Options says how to diff.
type Options struct {
	// ShowSecrets shows Secret values instead of masking them.
	ShowSecrets bool
	// Context is the number of unchanged lines around each change; 0 means 3.
	Context int
	// Sensitive, when not nil, says which objects besides Secrets hold
	// secret values (a ConfigMap generated from an encrypted file): their
	// data and binaryData are masked as a Secret's values are.
	Sensitive func(*unstructured.Unstructured) bool
	// NotCompared, when not empty, is a value that stands for one the
	// build could not read (an encrypted value built without its key): a
	// masked value that holds it, plain or base64-encoded, alone or inside
	// a larger file, shows as "encrypted, not compared" on both sides and
	// is not reported as a change.
	NotCompared string
	// Redact, when not nil, returns values no diff may show whatever
	// object holds them (those the build decrypted): a last guard after
	// masking, as an encrypted value may sit in any kind (a Deployment's
	// env, a custom resource, a replacements target). ShowSecrets turns
	// it off.
	Redact func() []string
	// From and To label the two sides in each diff's ---/+++ lines, e.g.
	// "live" and "dry-run".
	From, To string
}

// Compute diffs every pair of in and returns the plan.
func Compute(in Input, opts Options) (*Plan, error) {
	if opts.Context <= 0 {
		opts.Context = 3
	}
	if opts.From == "" {
		opts.From = "a"
	}
	if opts.To == "" {
		opts.To = "b"
	}
	plan := &Plan{Env: in.Env, Note: in.Note, Changes: []Change{}, Prune: in.Prune}
	var deleted []Change
	var redact []string
	if !opts.ShowSecrets && opts.Redact != nil {
		redact = opts.Redact() // once: the builds are done
	}
	for _, e := range pairRenamed(in.Pairs, in.Previous) {
		c, same, err := compare(e, opts, redact)
		if err != nil {
			return nil, err
		}
		switch {
		case same:
			plan.Unchanged++
		case c.Action == Deleted:
			deleted = append(deleted, c)
		default:
			plan.Changes = append(plan.Changes, c)
		}
	}
	plan.Changes = append(plan.Changes, deleted...)
	return plan, nil
}

// compare diffs one entry; same is true when both sides render alike.
func compare(e entry, opts Options, redact []string) (c Change, same bool, err error) {
	c.Action, c.Note = action(e), e.Note
	if c.Action == Recreated && c.Note == "" {
		c.Note = "an immutable field changed: the object will be deleted and created again; the diff covers the manifest's fields"
	}
	if e.After != nil {
		c.Ref = object.RefOf(e.After)
	} else {
		c.Ref = object.RefOf(e.Before)
	}
	if e.renamed {
		prev := object.RefOf(e.Before)
		c.Previous = &prev
		if c.Note == "" && holdsUnread(e.After, opts.NotCompared) {
			c.Note = "its name's hash comes from values built without their key: with the key it may keep its name"
		}
	}
	before, after := normalize(e.Before), normalize(e.After)
	if e.Recreate && before != nil && after != nil {
		before, _ = project(before, after).(map[string]any)
	}
	switch {
	case opts.ShowSecrets:
	case isSecret(e.Before) || isSecret(e.After):
		maskSecrets(before, after, secretFields, opts.NotCompared)
	case opts.Sensitive != nil && (opts.Sensitive(e.Before) || opts.Sensitive(e.After)):
		maskSecrets(before, after, configMapFields, opts.NotCompared)
	}
	if len(redact) > 0 {
		// In the objects, not their YAML, which may fold or indent a value.
		var was []string
		collectStrings(before, &was)
		redactTree(before, redact, nil)
		redactTree(after, redact, was)
	}
	a, err := render(before)
	if err != nil {
		return c, false, fmt.Errorf("%s: rendering the %s side as YAML: %w", c.Ref, opts.From, err)
	}
	b, err := render(after)
	if err != nil {
		return c, false, fmt.Errorf("%s: rendering the %s side as YAML: %w", c.Ref, opts.To, err)
	}
	if a == b && !e.Recreate {
		return c, true, nil
	}
	from, to := opts.From+"/"+refOrNil(e.Before), opts.To+"/"+refOrNil(e.After)
	if e.Before == nil {
		from = "/dev/null"
	}
	if e.After == nil {
		to = "/dev/null"
	}
	c.Diff, c.Added, c.Removed, err = unified(a, b, from, to, opts.Context)
	if err != nil {
		return c, false, fmt.Errorf("%s: %w", c.Ref, err)
	}
	return c, false, nil
}

func action(e entry) Action {
	switch {
	case e.renamed:
		return Renamed
	case e.Before == nil:
		return Created
	case e.After == nil:
		return Deleted
	case e.Recreate:
		return Recreated
	}
	return Changed
}

func refOrNil(u *unstructured.Unstructured) string {
	if u == nil {
		return ""
	}
	return object.RefOf(u).String()
}
