// Package cli is kship's command line: it binds flags onto the library
// packages, chooses how results are printed, and maps errors to exit codes.
//
// It is the only package that writes to the terminal; nothing imports it but
// cmd/kship.
package cli
