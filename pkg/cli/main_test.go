package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain gives the tests that build the sample app's stage overlay the
// demo-only age key its Secret is encrypted for, as `make demo` does.
func TestMain(m *testing.M) {
	if os.Getenv("SOPS_AGE_KEY_FILE") == "" {
		if key, err := filepath.Abs("../../demo/age.key"); err == nil {
			os.Setenv("SOPS_AGE_KEY_FILE", key)
		}
	}
	os.Exit(m.Run())
}
