package validate_test

import (
	"strings"
	"testing"

	"github.com/kship/kship/pkg/validate"
)

const widgetCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: string, enum: [small, large]}
                color: {type: string, pattern: '^#[0-9a-f]{6}$'}
                replicas: {type: integer, minimum: 1}
                port: {x-kubernetes-int-or-string: true}
                tags: {type: array, items: {type: string}, x-kubernetes-list-type: set}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
                opaque: {type: object}
                template: {type: object, x-kubernetes-embedded-resource: true, properties: {spec: {type: object}}}
                mode: {type: string, anyOf: [{pattern: '^a'}, {pattern: '^b'}]}
    - name: v2
      served: false
      storage: false
      schema: {openAPIV3Schema: {type: object}}
`

func widget(spec string) string {
	return "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec:\n" + spec
}

const wid = "Widget/shop/w"

func TestCRDs(t *testing.T) {
	crdObjs, err := validate.ReadManifests(strings.NewReader(widgetCRD), "crd")
	if err != nil {
		t.Fatal(err)
	}
	inBuild := func(spec string) string { return widgetCRD + "---\n" + widget(spec) }
	runChecks(t, []check{
		{name: "valid", yaml: inBuild("  size: small\n  color: '#00ff00'\n  port: http\n  tags: [a, b]\n  extra: {any: {thing: 1}}\n  template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {}}\n  mode: abc\n")},
		{
			name: "unknown field",
			yaml: inBuild("  size: small\n  colour: red\n"),
			want: []brief{{wid, "spec.colour", validate.RuleUnknownField, validate.Error}},
		},
		{
			name:     "an object without properties allows no fields",
			yaml:     inBuild("  size: small\n  opaque: {a: 1}\n"),
			want:     []brief{{wid, "spec.opaque.a", validate.RuleUnknownField, validate.Error}},
			messages: []string{"this object allows no fields"},
		},
		{
			name: "metadata is checked strictly",
			yaml: widgetCRD + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop, label: {a: b}}\nspec: {size: small}\n",
			want: []brief{{wid, "metadata.label", validate.RuleUnknownField, validate.Error}},
		},
		{
			name: "required, enum, pattern, minimum, set, int-or-string, anyOf",
			yaml: inBuild("  color: green\n  replicas: 0\n  tags: [a, a]\n  port: [1]\n  mode: c\n"),
			want: []brief{
				{wid, "spec.color", validate.RuleConstraint, validate.Error},
				{wid, "spec.mode", validate.RuleConstraint, validate.Error},
				{wid, "spec.port", validate.RuleType, validate.Error},
				{wid, "spec.replicas", validate.RuleConstraint, validate.Error},
				{wid, "spec.size", validate.RuleRequired, validate.Error},
				{wid, "spec.tags[1]", validate.RuleConstraint, validate.Error},
			},
		},
		{
			name: "enum",
			yaml: inBuild("  size: huge\n"),
			want: []brief{{wid, "spec.size", validate.RuleEnum, validate.Error}},
		},
		{
			name: "CRD from --crds",
			yaml: widget("  size: huge\n"),
			opts: validate.Options{CRDs: crdObjs},
			want: []brief{{wid, "spec.size", validate.RuleEnum, validate.Error}},
		},
		{
			name:     "missing CRD is a warning",
			yaml:     widget("  size: huge\n"),
			want:     []brief{{wid, "", validate.RuleMissingCRD, validate.Warning}},
			messages: []string{"no CustomResourceDefinition for example.com/v1 Widget"},
		},
		{
			name:     "version the CRD does not serve",
			yaml:     widgetCRD + "---\napiVersion: example.com/v2\nkind: Widget\nmetadata: {name: w, namespace: shop}\n",
			want:     []brief{{wid, "apiVersion", validate.RuleRemovedAPI, validate.Error}},
			messages: []string{"the CRD for Widget does not serve example.com/v2; it serves example.com/v1"},
		},
		{
			name: "a CRD schema that does not compile",
			yaml: edit(widgetCRD, "pattern: '^#[0-9a-f]{6}$'", "pattern: '(['") + "---\n" + widget("  size: small\n"),
			want: []brief{
				{"CustomResourceDefinition/widgets.example.com", "spec.versions", validate.RuleCRDSchema, validate.Error},
				{wid, "", validate.RuleMissingCRD, validate.Warning},
			},
		},
	})
}
