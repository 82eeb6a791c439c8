// Package report renders a deploy for people and for tools: progress lines
// while it runs (plain and timestamped in CI, a live view on a terminal), a
// summary table at the end, JSON, and JUnit XML for CI test reports.
//
// It only formats; it never decides whether a deploy worked. Nothing it
// writes contains Secret data: it sees object names, states and messages.
package report
