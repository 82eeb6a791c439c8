package build

import (
	"bytes"
	"fmt"
	"strings"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// functionAnnotation marks a KRM function's configuration, and says how the
// function runs: in a container, or as an executable (exec).
const functionAnnotation = "config.kubernetes.io/function"

// declaresExecFunction reports whether data holds a KRM function
// configuration that runs an executable.
func declaresExecFunction(data []byte) bool {
	if !bytes.Contains(data, []byte(functionAnnotation)) {
		return false
	}
	nodes, err := kyaml.Parse(string(data))
	if err != nil {
		return false // not one document: no function configuration
	}
	spec := nodes.GetAnnotations()[functionAnnotation]
	fn, err := kyaml.Parse(spec)
	if err != nil {
		return false
	}
	return fn.Field("exec") != nil
}

// skippedExecFunctions is the error for a build with KRM functions enabled
// but not exec ones, whose tree declares exec functions: kustomize would
// leave them out of the build without saying so.
func skippedExecFunctions(files []string) error {
	return fmt.Errorf("%s declares exec KRM functions, which run executables named in the tree; "+
		"with --enable-alpha-plugins alone kustomize would skip them silently and build something else: "+
		"pass --enable-exec as well if you trust the tree, or remove them", strings.Join(files, ", "))
}
