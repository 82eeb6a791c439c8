package validate

import (
	"github.com/kship/kship/pkg/validate/openapi"
)

// schemaRules maps schema errors to the rules that report them.
var schemaRules = map[openapi.Reason]string{
	openapi.UnknownField: RuleUnknownField,
	openapi.WrongType:    RuleType,
	openapi.Required:     RuleRequired,
	openapi.NotInEnum:    RuleEnum,
	openapi.BadFormat:    RuleFormat,
	openapi.BadQuantity:  RuleQuantity,
	openapi.Constraint:   RuleConstraint,
}

// checkSchema checks o against s, with the metadata syntax checks hooked
// in wherever the schema has an ObjectMeta or a LabelSelector, so that pod
// templates and selectors are checked wherever they are.
func (c *checker) checkSchema(f *findings, o *manifest, s *openapi.Schema) {
	hook := func(p openapi.Path, s *openapi.Schema, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		switch s.Name {
		case openapi.ObjectMetaName:
			c.checkLabels(f, o, p.Field("labels"), m["labels"])
			c.checkAnnotations(f, o, p.Field("annotations"), m["annotations"])
		case openapi.LabelSelectorName:
			c.checkSelector(f, o, p, m)
		}
	}
	errs := openapi.Validate(o.m, s, nil, openapi.Options{QuoteValues: !o.secret, Hook: hook})
	for _, e := range errs {
		f.add(o, e.Path, schemaRules[e.Reason], "%s", e.Detail)
	}
	c.checkTemplateSelector(f, o)
}
