package validate

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
)

// minSecretLen is the shortest Secret value redact looks for: shorter ones
// ("1", "no") would blank out ordinary words in messages.
const minSecretLen = 4

// redact is the last guard that no finding shows a Secret's data. The
// checks never quote Secret values; this also removes any of them, raw or
// base64-decoded, that a message or field might contain by any other route.
func redact(fs []Finding, objs []*manifest, also []string) {
	values := append([]string(nil), also...)
	for _, o := range objs {
		if !o.secret {
			continue
		}
		for _, field := range []string{"data", "stringData"} {
			for _, v := range getMap(o.m, field) {
				s, ok := v.(string)
				if !ok {
					continue
				}
				values = append(values, s)
				if field == "data" {
					if dec, err := base64.StdEncoding.DecodeString(s); err == nil {
						values = append(values, string(dec))
					}
				}
			}
		}
	}
	var spellings []string
	for _, v := range values {
		if len(v) < minSecretLen {
			continue
		}
		spellings = append(spellings, v)
		// As a quoted string shows it, the way field errors quote values.
		if q := strconv.Quote(v); q[1:len(q)-1] != v {
			spellings = append(spellings, q[1:len(q)-1])
		}
	}
	// The longest first, so that a value that holds another (a DSN around
	// its password) is not shown in part.
	slices.SortFunc(spellings, func(a, b string) int { return len(b) - len(a) })
	for i := range fs {
		for _, v := range spellings {
			fs[i].Message = strings.ReplaceAll(fs[i].Message, v, "[redacted]")
			fs[i].Field = strings.ReplaceAll(fs[i].Field, v, "[redacted]")
		}
	}
}
