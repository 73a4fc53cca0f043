package main

import (
	"encoding/json"
	"io"
	"path/filepath"

	"github.com/seclambda/seclambda/examples/samcheck"
)

// The subset of SARIF 2.1.0 (OASIS, sarif-v2.1.0-os) that samcheck writes:
// one run, its rules, one result per finding located at the resource's
// line and named as a logical location, in-source suppressions, and a tool
// execution notification per file that could not be checked.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		Results     []sarifResult     `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string       `json:"id"`
		ShortDescription     sarifMessage `json:"shortDescription"`
		DefaultConfiguration sarifConfig  `json:"defaultConfiguration"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifInvocation struct {
		ExecutionSuccessful bool                `json:"executionSuccessful"`
		Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations"`
	}
	sarifResult struct {
		RuleID       string             `json:"ruleId"`
		RuleIndex    int                `json:"ruleIndex"`
		Level        string             `json:"level"`
		Message      sarifMessage       `json:"message"`
		Locations    []sarifLocation    `json:"locations"`
		Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical     `json:"physicalLocation"`
		LogicalLocations []sarifLogicalLoc `json:"logicalLocations,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifLogicalLoc struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
	sarifSuppression struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification"`
	}
)

// writeSARIF writes the results as one SARIF 2.1.0 log.
func writeSARIF(w io.Writer, results []result) error {
	driver := sarifDriver{Name: "samcheck", InformationURI: "https://github.com/seclambda/seclambda"}
	index := map[string]int{}
	addRule := func(id, summary string) int {
		if i, ok := index[id]; ok {
			return i
		}
		index[id] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sarifRule{ID: id, ShortDescription: sarifMessage{summary}, DefaultConfiguration: sarifConfig{"error"}})
		return index[id]
	}
	for _, r := range samcheck.Rules() {
		addRule(r.Name, r.Summary)
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	run := sarifRun{Results: []sarifResult{}}
	for _, res := range results {
		uri := filepath.ToSlash(res.file)
		if res.err != nil {
			inv.ExecutionSuccessful = false
			inv.Notifications = append(inv.Notifications, sarifNotification{
				Level:     "error",
				Message:   sarifMessage{res.err.Error()},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{uri}}}},
			})
			continue
		}
		for _, f := range res.findings {
			loc := sarifLocation{
				PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{uri}},
				LogicalLocations: []sarifLogicalLoc{{Name: f.Resource, Kind: "resource"}},
			}
			if f.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Line}
			}
			sr := sarifResult{
				RuleID:    f.Rule,
				RuleIndex: addRule(f.Rule, f.Rule),
				Level:     "error",
				Message:   sarifMessage{f.Resource + ": " + f.Message},
				Locations: []sarifLocation{loc},
			}
			if f.Suppressed != "" {
				sr.Suppressions = []sarifSuppression{{Kind: "inSource", Justification: f.Suppressed}}
			}
			run.Results = append(run.Results, sr)
		}
	}
	run.Tool = sarifTool{Driver: driver}
	run.Invocations = []sarifInvocation{inv}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	})
}
