package graph

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/tallyhq/tally/graph/httperror"
)

// The response media types of the GraphQL over HTTP specification.
const (
	mediaJSON            = httperror.JSON
	mediaGraphQLResponse = httperror.GraphQLResponseJSON
)

// negotiate picks the media type of the answer to a POST whose Accept
// header is accept, as the GraphQL over HTTP specification asks:
// application/json without an Accept header (the legacy default the
// specification's audit still expects), else the acceptable type of
// higher quality (q), each type taking the q of the most specific range
// that names it (type/subtype over application/* over */*). On a tie
// application/graphql-response+json wins when the header names it
// outright, application/json otherwise (so "*/*" and "application/*" get
// application/json). ok is false when neither type is acceptable: the
// request is answered 406.
func negotiate(accept string) (mediaType string, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, true
	}
	jsonQ, _ := acceptQuality(accept, mediaJSON)
	gqlQ, named := acceptQuality(accept, mediaGraphQLResponse)
	switch {
	case jsonQ == 0 && gqlQ == 0:
		return "", false
	case gqlQ > jsonQ, gqlQ == jsonQ && named:
		return mediaGraphQLResponse, true
	default:
		return mediaJSON, true
	}
}

// acceptQuality returns the quality (0 to 1) an Accept header gives
// mediaType, and whether the header names the type itself rather than a
// range holding it. Entries that do not parse are ignored.
func acceptQuality(accept, mediaType string) (q float64, named bool) {
	typ, _, _ := strings.Cut(mediaType, "/")
	best := 0 // specificity of the range that set q: 3 type/subtype, 2 type/*, 1 */*
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		var spec int
		switch mt {
		case mediaType:
			spec = 3
		case typ + "/*":
			spec = 2
		case "*/*":
			spec = 1
		default:
			continue
		}
		pq := 1.0
		if s, ok := params["q"]; ok {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || v < 0 || v > 1 {
				continue
			}
			pq = v
		}
		if spec > best || spec == best && pq > q {
			best, q = spec, pq
		}
	}
	return q, best == 3
}

// responseMediaType is the media type chosen for r's answer by
// precheckBody; negotiated again when nothing chose one, and
// application/json when nothing is acceptable (ok false).
func responseMediaType(r *http.Request) (mediaType string, ok bool) {
	if c := checkedFrom(r.Context()); c != nil {
		return c.media, true
	}
	mt, ok := negotiate(r.Header.Get("Accept"))
	if !ok {
		return mediaJSON, false
	}
	return mt, true
}

// contentType is the Content-Type header of an answer in mediaType.
func contentType(mediaType string) string {
	switch mediaType { // the usual two without building the string
	case mediaJSON:
		return mediaJSON + "; charset=utf-8"
	case mediaGraphQLResponse:
		return mediaGraphQLResponse + "; charset=utf-8"
	}
	return mediaType + "; charset=utf-8"
}

// isJSON reports whether a Content-Type header names application/json.
func isJSON(contentType string) bool {
	if contentType == mediaJSON { // the usual header, without parsing it
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == mediaJSON
}
