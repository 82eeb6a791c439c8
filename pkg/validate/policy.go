package validate

import (
	"strings"

	"sigs.k8s.io/kustomize/api/pkg/util"
)

// probed are the kinds whose containers must have a readiness probe: the
// ones a rollout waits on to be ready.
var probed = map[string]bool{"Deployment": true, "StatefulSet": true, "DaemonSet": true}

// policy reports containers without a readiness probe or resource
// requests, and images without a pinned tag.
func (c *checker) policy(f *findings) {
	for _, t := range c.templates() {
		for _, ctr := range t.containers() {
			if probed[t.o.ref.Kind] && !ctr.init && get(ctr.m, "readinessProbe") == nil {
				f.add(t.o, ctr.path, RuleReadiness, "container %q has no readinessProbe: the rollout counts it ready as soon as it starts", ctr.name())
			}
			if missing := missingRequests(ctr.m); len(missing) > 0 {
				f.add(t.o, ctr.path+".resources.requests", RuleRequests, "container %q requests no %s: the scheduler cannot place it sensibly", ctr.name(), strings.Join(missing, " or "))
			}
			c.imageTag(f, t.o, ctr)
		}
	}
	c.hpaReplicas(f)
}

// hpaReplicas reports spec.replicas on a workload that an HPA of the build
// scales: the HPA owns the count, so the value only matters when the
// workload is created, and reads as if it were the count.
func (c *checker) hpaReplicas(f *findings) {
	scaled := map[string]*manifest{}
	for _, o := range c.objs {
		if o.ref.Kind == "HorizontalPodAutoscaler" {
			key := o.ref.Namespace + "/" + getString(o.m, "spec", "scaleTargetRef", "kind") + "/" + getString(o.m, "spec", "scaleTargetRef", "name")
			scaled[key] = o
		}
	}
	for _, o := range c.objs {
		hpa := scaled[o.ref.Namespace+"/"+o.ref.Kind+"/"+o.ref.Name]
		if hpa == nil || get(o.m, "spec", "replicas") == nil {
			continue
		}
		f.add(o, "spec.replicas", RuleHPAReplicas, "HorizontalPodAutoscaler %s scales it: kship sets replicas only when it creates the %s and then leaves the count to the HPA; "+
			"remove replicas and set the HPA's minReplicas per environment instead", hpa.ref.Name, o.ref.Kind)
	}
}

// missingRequests lists the resources (cpu, memory) a container does not
// request.
func missingRequests(ctr map[string]any) []string {
	req := getMap(ctr, "resources", "requests")
	var out []string
	for _, r := range []string{"cpu", "memory"} {
		if req[r] == nil {
			out = append(out, r)
		}
	}
	return out
}

// imageTag reports an image with no tag or digest, or the tag latest.
func (c *checker) imageTag(f *findings, o *manifest, ctr container) {
	img := getString(ctr.m, "image")
	if img == "" {
		return
	}
	_, tag, digest := util.SplitImageName(img)
	tag = strings.TrimPrefix(tag, ":")
	switch {
	case digest != "":
	case tag == "":
		f.add(o, ctr.path+".image", RuleImageTag, "image %q has no tag: pin a version (kship deploy --image %s=REGISTRY/NAME:TAG, or images: in the kustomization)", img, imageName(img))
	case tag == "latest":
		f.add(o, ctr.path+".image", RuleImageTag, "image %q uses the tag latest: pin a version so that a deploy is repeatable", img)
	}
}

// imageName is the image without tag or digest.
func imageName(img string) string {
	name, _, _ := util.SplitImageName(img)
	return name
}
