package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNoDanglingDocReferences: a fresh clone holds every document its
// files cite. A document name in capitals with the .md extension, in any
// source, schema, script or document, must be a file of the repository,
// and README's relative links and #anchors must lead somewhere.
func TestNoDanglingDocReferences(t *testing.T) {
	const root = "../.."
	docName := regexp.MustCompile(`\b[A-Z][A-Z0-9_-]*\.md\b`)
	present := map[string]bool{}
	var texts []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "vendor", "testdata", "generated", "node_modules", "bin":
				return filepath.SkipDir
			}
			return nil
		}
		present[d.Name()] = true
		switch filepath.Ext(path) {
		case ".go", ".md", ".graphqls", ".yaml", ".yml", ".sh", ".html", ".js", ".css":
			texts = append(texts, path)
		}
		if d.Name() == "Makefile" || strings.HasPrefix(path, filepath.Join(root, ".ci")) {
			texts = append(texts, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range texts {
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range docName.FindAllString(string(body), -1) {
			if !present[name] {
				t.Errorf("%s cites %s, which is not in the repository", path, name)
			}
		}
	}

	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\]\(([^)#:]+)(#[^)]*)?\)`).FindAllStringSubmatch(string(readme), -1) {
		if _, err := os.Stat(filepath.Join(root, m[1])); err != nil {
			t.Errorf("README links to %s: %v", m[1], err)
		}
	}
	headings := map[string]bool{}
	for _, h := range regexp.MustCompile(`(?m)^#+ (.+)$`).FindAllStringSubmatch(string(readme), -1) {
		anchor := strings.ToLower(strings.ReplaceAll(h[1], " ", "-"))
		anchor = regexp.MustCompile(`[^a-z0-9_-]`).ReplaceAllString(anchor, "")
		headings[anchor] = true
	}
	for _, m := range regexp.MustCompile(`\]\(#([^)]+)\)`).FindAllStringSubmatch(string(readme), -1) {
		if !headings[m[1]] {
			t.Errorf("README links to #%s, which is no heading", m[1])
		}
	}
}
