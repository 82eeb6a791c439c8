package scaffold

import (
	"errors"
	"fmt"
	"strings"

	"github.com/distribution/reference"
	"github.com/kship/kship/pkg/validate"
	"k8s.io/apimachinery/pkg/util/validation"
)

// DefaultEnvironments are the environments an app gets when none are named.
var DefaultEnvironments = []string{"stage", "prod"}

// maxNameLength leaves room in a DNS label for what is named after the
// app: "<name>-migrate", "<name>-config-<hash>" and "<name>-<env>".
const maxNameLength = 40

// Options is what a new app is made of.
type Options struct {
	// Name names the app: its Deployment, Service, HPA, PDB and ConfigMap.
	Name string
	// Image is the container image reference, with a tag or a digest.
	Image string
	// Port is the port the app listens on.
	Port int
	// Migrate, when set, is the shell command of a pre-deploy migration Job.
	Migrate string
	// Environments are the environments to make overlays for, in order
	// (default DefaultEnvironments).
	Environments []string
}

// Check refuses options that would not make a valid app, saying which and
// how to fix them: a name that is not a DNS label, an image reference that
// does not parse or is not pinned, a port out of range, environment names
// kship.yaml would refuse.
func (o *Options) Check() error {
	var errs []error
	if msgs := validation.IsDNS1123Label(o.Name); o.Name == "" || len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("--name %q: want a DNS label (lower-case letters, digits and '-', starting and ending with a letter or digit), e.g. --name shop-api", o.Name))
	} else if len(o.Name) > maxNameLength {
		errs = append(errs, fmt.Errorf("--name %q: at most %d characters, as objects and namespaces are named after it", o.Name, maxNameLength))
	}
	if _, _, _, err := o.image(); err != nil {
		errs = append(errs, err)
	}
	if o.Port < 1 || o.Port > 65535 {
		errs = append(errs, fmt.Errorf("--port %d: want the port the app listens on, 1 to 65535", o.Port))
	}
	if strings.ContainsAny(o.Migrate, "\n\r") {
		errs = append(errs, errors.New("--migrate: give one command line, e.g. --migrate \"bin/rails db:migrate\""))
	}
	seen := map[string]bool{}
	for _, e := range o.envs() {
		if msgs := validation.IsDNS1123Label(e); len(msgs) > 0 || e == "" {
			errs = append(errs, fmt.Errorf("--env %q: environment names are DNS labels, e.g. --env stage,prod", e))
		}
		if seen[e] {
			errs = append(errs, fmt.Errorf("--env: %q is named twice", e))
		}
		seen[e] = true
	}
	return errors.Join(errs...)
}

// image splits Image into the name the overlays set and its tag or digest.
func (o *Options) image() (name, tag, digest string, err error) {
	ref, err := reference.Parse(o.Image)
	if err != nil {
		return "", "", "", fmt.Errorf("--image %q: not an image reference (%v): want REPOSITORY:TAG or REPOSITORY@sha256:DIGEST, e.g. --image registry.example/shop/api:1.0.0", o.Image, err)
	}
	named, ok := ref.(reference.Named)
	if !ok {
		return "", "", "", fmt.Errorf("--image %q: give the repository too, e.g. --image registry.example/shop/api:1.0.0", o.Image)
	}
	if t, ok := ref.(reference.Tagged); ok {
		tag = t.Tag()
	}
	if d, ok := ref.(reference.Digested); ok {
		digest = d.Digest().String()
	}
	if (tag == "" || tag == "latest") && digest == "" {
		return "", "", "", fmt.Errorf("--image %q: pin a tag other than latest, or a digest (kship's %s rule refuses unpinned images), e.g. --image %s:1.0.0; CI sets the tag of each deploy with --image", o.Image, validate.RuleImageTag, named.Name())
	}
	return named.Name(), tag, digest, nil
}

func (o *Options) envs() []string {
	if len(o.Environments) == 0 {
		return DefaultEnvironments
	}
	return o.Environments
}
