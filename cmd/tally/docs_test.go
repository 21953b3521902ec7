package main

import (
	"fmt"
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
// and every relative link of every markdown file (README, the rule book,
// the generated API reference, …) must lead to a file or directory of the
// repository, and its #anchor to a heading or an id of the page.
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

	for _, path := range texts {
		if filepath.Ext(path) == ".md" {
			checkMarkdownLinks(t, root, path)
		}
	}
}

var (
	// mdLink is an inline link or image: [text](target) or ![alt](target).
	mdLink = regexp.MustCompile(`\]\(([^()\s]*)\)`)
	// mdFence opens or closes a fenced code block.
	mdFence = regexp.MustCompile("(?m)^ {0,3}(```|~~~)")
	// mdHeading is an ATX heading.
	mdHeading = regexp.MustCompile(`(?m)^#{1,6}[ \t]+(.+?)[ \t#]*$`)
	// mdID is an explicit anchor: <a id="x"> or <a name="x">.
	mdID = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
	// notSlug is what GitHub drops from a heading to make its anchor.
	notSlug = regexp.MustCompile(`[^\p{L}\p{N}_ -]`)
)

// checkMarkdownLinks fails t for each relative link of the markdown file
// path whose file does not exist or whose #anchor is not on the page it
// points to. Links out of the repository (a scheme, //host) are not
// followed; links inside fenced code blocks are not links.
func checkMarkdownLinks(t *testing.T, root, path string) {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(root, path)
	for _, m := range mdLink.FindAllStringSubmatch(stripFences(string(body)), -1) {
		target := m[1]
		if target == "" || strings.Contains(target, "://") || strings.HasPrefix(target, "//") ||
			strings.HasPrefix(target, "mailto:") {
			continue
		}
		file, anchor, _ := strings.Cut(target, "#")
		dest := path
		if file != "" {
			dest = filepath.Join(filepath.Dir(path), filepath.FromSlash(file))
			info, err := os.Stat(dest)
			if err != nil {
				t.Errorf("%s links to %s, which is not in the repository", rel, target)
				continue
			}
			if info.IsDir() {
				if anchor != "" {
					t.Errorf("%s links to %s: an anchor on a directory", rel, target)
				}
				continue
			}
		}
		if anchor == "" {
			continue
		}
		if filepath.Ext(dest) != ".md" {
			// Anchors into source files (GitHub's #L10) are not checked.
			continue
		}
		if !markdownAnchors(t, dest)[anchor] {
			t.Errorf("%s links to %s: no heading or id %q on that page", rel, target, anchor)
		}
	}
}

// anchorCache holds each page's anchors once computed.
var anchorCache = map[string]map[string]bool{}

// markdownAnchors are the anchors of a markdown page: its headings slugged
// as GitHub does (lower case, punctuation dropped, spaces to hyphens, a
// repeated heading suffixed -1, -2, …) and its explicit <a id> anchors.
func markdownAnchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	if a, ok := anchorCache[path]; ok {
		return a
	}
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := stripFences(string(body))
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, h := range mdHeading.FindAllStringSubmatch(text, -1) {
		slug := strings.ReplaceAll(notSlug.ReplaceAllString(strings.ToLower(h[1]), ""), " ", "-")
		if n := seen[slug]; n > 0 {
			anchors[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			anchors[slug] = true
		}
		seen[slug]++
	}
	for _, m := range mdID.FindAllStringSubmatch(text, -1) {
		anchors[m[1]] = true
	}
	anchorCache[path] = anchors
	return anchors
}

// stripFences blanks the fenced code blocks of a markdown text.
func stripFences(text string) string {
	var out strings.Builder
	in := false
	for _, line := range strings.SplitAfter(text, "\n") {
		if mdFence.MatchString(line) {
			in = !in
			continue
		}
		if !in {
			out.WriteString(line)
		}
	}
	return out.String()
}

// TestMarkdownAnchors pins the slugs the link check computes on headings
// of the forms the documents use.
func TestMarkdownAnchors(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "page.md")
	text := "# Tally\n## Buying credits: orders and gateways\n### `cmd/tally/`\n" +
		"## Add-ons, extra credits and the Free plan's credits\n## Notes\n## Notes\n" +
		"```sh\n# not a heading\n```\n<a id=\"type-org\"></a>\n"
	if err := os.WriteFile(page, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	got := markdownAnchors(t, page)
	for _, want := range []string{"tally", "buying-credits-orders-and-gateways", "cmdtally",
		"add-ons-extra-credits-and-the-free-plans-credits", "notes", "notes-1", "type-org"} {
		if !got[want] {
			t.Errorf("no anchor %q in %v", want, got)
		}
	}
	if got["not-a-heading"] {
		t.Error("a comment in a code block counted as a heading")
	}
}
