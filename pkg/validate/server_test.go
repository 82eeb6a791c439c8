package validate

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// TestAPIRulesRegistered: every kind of rejection the API server's code
// makes maps to a registered rule, so that none makes a finding panic.
func TestAPIRulesRegistered(t *testing.T) {
	for _, typ := range []field.ErrorType{
		field.ErrorTypeNotFound, field.ErrorTypeRequired, field.ErrorTypeDuplicate, field.ErrorTypeInvalid,
		field.ErrorTypeNotSupported, field.ErrorTypeForbidden, field.ErrorTypeTooLong, field.ErrorTypeTooMany,
		field.ErrorTypeTooFew, field.ErrorTypeInternal, field.ErrorTypeTypeInvalid, field.ErrorTypeTooShort,
		"FieldValueFromTheFuture",
	} {
		if _, ok := ruleByID(apiRule(typ)); !ok {
			t.Errorf("%s: rule %q is not registered", typ, apiRule(typ))
		}
	}
}
