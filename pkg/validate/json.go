package validate

import (
	"encoding/json"
	"io"
)

// jsonDoc is the -o json document.
type jsonDoc struct {
	KubernetesVersion string    `json:"kubernetesVersion"`
	Objects           int       `json:"objects"`
	Errors            int       `json:"errors"`
	Warnings          int       `json:"warnings"`
	Environments      []jsonEnv `json:"environments"`
}

type jsonEnv struct {
	Environment string    `json:"environment"`
	Objects     int       `json:"objects"`
	Errors      int       `json:"errors"`
	Warnings    int       `json:"warnings"`
	Findings    []Finding `json:"findings"`
}

// WriteJSON writes reports as one JSON document, for scripts.
func WriteJSON(w io.Writer, reports []*Report) error {
	doc := jsonDoc{Environments: []jsonEnv{}}
	for _, r := range reports {
		doc.KubernetesVersion = r.KubernetesVersion
		e := jsonEnv{Environment: r.Environment, Objects: len(r.Objects), Errors: r.Errors(), Warnings: r.Warnings(), Findings: r.Findings}
		if e.Findings == nil {
			e.Findings = []Finding{}
		}
		doc.Objects += e.Objects
		doc.Errors += e.Errors
		doc.Warnings += e.Warnings
		doc.Environments = append(doc.Environments, e)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
