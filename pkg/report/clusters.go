package report

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/kship/kship/internal/junit"
	"github.com/kship/kship/pkg/engine"
)

// NotAttempted is the outcome of a cluster that a deploy to several never
// reached: an earlier cluster failed, or a cluster failed its checks
// before anything was written to any.
const NotAttempted = "not-attempted"

// ClusterOutcome is one cluster's part in a deploy to the clusters of an
// environment that lists several.
type ClusterOutcome struct {
	// Cluster is the cluster's name, Target the deploy's (ENV/CLUSTER),
	// Context its kube context.
	Cluster, Target, Context string
	// Outcome is as a Document's, or NotAttempted.
	Outcome string
	// Result is what the deploy did; nil when it was not attempted.
	Result *engine.Result
	// Err is what it failed with.
	Err error
}

// ClusterDocument is one cluster's document in a deploy to several.
type ClusterDocument struct {
	// Cluster is the cluster's name in kship.yaml, Context its kube
	// context.
	Cluster string `json:"cluster"`
	Context string `json:"context"`
	Document
}

// NewClustersDocument is the document of a deploy of env to several
// clusters: its outcome is the worst cluster's, and each cluster has its
// own document under "clusters", in the order they were deployed to.
func NewClustersDocument(env, outcome string, dryRun bool, cs []ClusterOutcome, err error) Document {
	doc := NewDocument(env, outcome, nil, err)
	doc.DryRun = dryRun
	doc.Clusters = []ClusterDocument{}
	for _, c := range cs {
		d := NewDocument(c.Target, c.Outcome, c.Result, c.Err)
		if c.Result == nil || c.Result.Deploy == nil {
			d.DryRun = dryRun
		}
		doc.Clusters = append(doc.Clusters, ClusterDocument{Cluster: c.Cluster, Context: c.Context, Document: d})
	}
	return doc
}

// Clusters prints one line per cluster: its outcome and revision, so that
// the end of a deploy to several says where each cluster stands.
func Clusters(w io.Writer, cs []ClusterOutcome) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tCONTEXT\tOUTCOME\tREVISION\tTIME")
	for _, c := range cs {
		rev, took := "-", "-"
		if r := c.Result; r != nil && r.Revision > 0 {
			rev = fmt.Sprint(r.Revision)
		}
		if r := c.Result; r != nil && r.Deploy != nil {
			took = r.Deploy.Duration.Round(100 * time.Millisecond).String()
		}
		outcome := c.Outcome
		if r := c.Result; r != nil && r.Rollback != nil && r.Rollback.Succeeded() {
			outcome += fmt.Sprintf(", rolled back to %d", r.Rollback.To)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Cluster, c.Context, outcome, rev, took)
	}
	return tw.Flush()
}

// JUnitClusters writes a deploy to several clusters as JUnit XML: one
// suite per cluster, with a case per object (classname
// kship.ENV.CLUSTER.PHASE) and one for its rollback; a cluster not
// attempted is one skipped case, and one that failed before its first
// phase one failed case.
func JUnitClusters(w io.Writer, env string, cs []ClusterOutcome) error {
	doc := junit.Suites{Name: "kship deploy " + env}
	var total time.Duration
	for _, c := range cs {
		s := junit.Suite{Name: c.Target}
		class := "kship." + env + "." + c.Cluster
		var took time.Duration
		switch r := c.Result; {
		case c.Outcome == NotAttempted:
			s.Cases = []junit.Case{{Name: "deploy", Classname: class, Skipped: &junit.Skipped{Message: "not attempted: " + notAttemptedWhy(c)}}}
		case r == nil || r.Deploy == nil:
			msg := c.Outcome
			if c.Err != nil {
				msg = c.Err.Error()
			}
			s.Cases = []junit.Case{{Name: "deploy", Classname: class, Failure: &junit.Failure{Message: firstLine(msg), Type: c.Outcome, Text: msg}}}
		default:
			for _, o := range r.Deploy.Objects {
				s.Cases = append(s.Cases, objectCase(class+"."+o.Phase, o, r.Deploy.DryRun))
			}
			if r.Rollback != nil {
				s.Cases = append(s.Cases, rollbackCase(env+"."+c.Cluster, r.Rollback))
			}
			took = r.Deploy.Duration
		}
		s.Time = junit.Seconds(took.Seconds())
		total += took
		doc.Suites = append(doc.Suites, s)
	}
	doc.Time = junit.Seconds(total.Seconds())
	return junit.Write(w, doc)
}

func notAttemptedWhy(c ClusterOutcome) string {
	if c.Err != nil {
		return c.Err.Error()
	}
	return "the deploy stopped before this cluster"
}
