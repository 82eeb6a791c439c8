// Package crdrules runs the API server's validation of custom resources
// against a CustomResourceDefinition version's schema, offline, with the
// apiextensions-apiserver's own code: the object is pruned of unknown
// fields and defaulted as on a create, then checked against the schema
// (types, formats, patterns, bounds), its list types and its
// x-kubernetes-validations CEL rules, within the API server's cost limits.
// Metadata is not checked here (kship's own checks do).
package crdrules

import (
	"context"
	"encoding/json"
	"fmt"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
)

// Validator checks instances of one CRD version.
type Validator struct {
	structural *structuralschema.Structural
	schema     validation.SchemaValidator
	rules      *cel.Validator // nil without x-kubernetes-validations
}

// Compile prepares a Validator for a CRD version's openAPIV3Schema (as
// decoded YAML). Its CEL rules are compiled here, once.
func Compile(openAPIV3Schema map[string]any) (*Validator, error) {
	b, err := json.Marshal(openAPIV3Schema)
	if err != nil {
		return nil, err
	}
	var v1 apiextensionsv1.JSONSchemaProps
	if err := json.Unmarshal(b, &v1); err != nil {
		return nil, err
	}
	var internal apiextensions.JSONSchemaProps
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(&v1, &internal, nil); err != nil {
		return nil, err
	}
	ss, err := structuralschema.NewStructural(&internal)
	if err != nil {
		return nil, fmt.Errorf("not a structural schema: %w", err)
	}
	if errs := structuralschema.ValidateStructural(nil, ss); len(errs) > 0 {
		return nil, fmt.Errorf("not a structural schema: %w", errs.ToAggregate())
	}
	sv, _, err := validation.NewSchemaValidator(&internal)
	if err != nil {
		return nil, err
	}
	return &Validator{structural: ss, schema: sv, rules: cel.NewValidator(ss, true, celconfig.PerCallLimit)}, nil
}

// Check returns what the API server's create of obj would reject: schema
// errors and failed CEL rules, with the server's field paths and wording.
// obj is not changed.
func (v *Validator) Check(obj map[string]any) field.ErrorList {
	// A copy, with numbers as the API server decodes them: int64 for
	// integers, which CEL tells from float64.
	b, err := json.Marshal(obj)
	if err != nil {
		return field.ErrorList{field.InternalError(nil, err)}
	}
	var u map[string]any
	if err := utiljson.Unmarshal(b, &u); err != nil {
		return field.ErrorList{field.InternalError(nil, err)}
	}
	pruning.Prune(u, v.structural, true)
	defaulting.Default(u, v.structural)
	errs := validation.ValidateCustomResource(nil, u, v.schema)
	errs = append(errs, listtype.ValidateListSetsAndMaps(nil, v.structural, u)...)
	if v.rules == nil {
		return errs
	}
	// As the API server does: rules are not run on an object that is
	// invalid in a way they could trip over.
	for _, e := range errs {
		switch e.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return errs
		}
	}
	celErrs, _ := v.rules.Validate(context.Background(), nil, v.structural, u, nil, celconfig.RuntimeCELCostBudget)
	return append(errs, celErrs...)
}
