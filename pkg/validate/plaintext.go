package validate

import (
	"regexp"
	"strings"
)

// PlaintextFile is a file the build read in plaintext that holds a Secret
// although a .sops.yaml creation rule says it is to be encrypted. It has
// the fields of secrets.Unencrypted, which converts to it:
// validate.PlaintextFile(u). It holds no value of the file.
type PlaintextFile struct {
	// Path is the file, as findings name it.
	Path string
	// What it is: "Secret manifest" or "secretGenerator source".
	What string
	// Config is the .sops.yaml whose creation rule matches Path.
	Config string
	// Rule is that rule's index in creation_rules.
	Rule int
	// PathRegex is the rule's path_regex, empty if it has none.
	PathRegex string
}

// plaintext reports each of opts.Plaintext: a Secret committed, or about
// to be, in plaintext. The finding is about the file, not an object.
func (c *checker) plaintext(f *findings) {
	for _, p := range c.opts.Plaintext {
		rule := "no path_regex: it matches every file"
		if p.PathRegex != "" {
			rule = "path_regex: " + p.PathRegex
		}
		f.addFile(p.Path, RulePlaintext, "plaintext %s, but creation_rules[%d] of %s (%s) says to encrypt it: "+
			"run `sops --encrypt --in-place %s` (kship decrypts it when it builds); "+
			"if it was committed in plaintext, its values are in git history: rotate them",
			p.What, p.Rule, p.Config, rule, shellWord(p.Path))
	}
}

// addFile records a finding about the file source rather than an object,
// unless its rule is off.
func (f *findings) addFile(source, rule, format string, a ...any) {
	f.add(&manifest{source: source}, "", rule, format, a...)
}

var plainWord = regexp.MustCompile(`^[-A-Za-z0-9_./@%+=:,]+$`)

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if plainWord.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
