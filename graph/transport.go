package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/httperror"
)

// postTransport serves queries and mutations sent with POST as JSON, as
// the GraphQL over HTTP specification says for both of its response media
// types (chosen from the Accept header by negotiate):
//
//   - a body that is not JSON, or whose parameters have the wrong shape
//     or no query: 400, with no data entry;
//   - a document refused before it runs (it does not parse, fails
//     validation or one of Tally's document limits, names no operation of
//     the document, or its variables do not coerce): 200 in
//     application/json, 400 in application/graphql-response+json, with no
//     data entry either way;
//   - an error of Tally's own raised before the operation runs
//     (UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED, UNAVAILABLE, …): the
//     status of its code (httperror.Status), with no data entry;
//   - an operation that ran: 200 with its data, errors or not.
type postTransport struct{}

var _ graphql.Transport = postTransport{}

// Supports takes POST requests with a JSON body.
func (postTransport) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" || r.Method != http.MethodPost {
		return false
	}
	return isJSON(r.Header.Get("Content-Type"))
}

// Do runs one request.
func (postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	media, ok := responseMediaType(r)
	if !ok {
		writeNotAcceptable(w)
		return
	}
	if ct := contentType(media); w.Header().Get("Content-Type") != ct { // precheckBody set it
		w.Header().Set("Content-Type", ct)
	}
	start := graphql.Now()

	var params graphql.RawParams
	if c := checkedFrom(ctx); c != nil && c.params != nil {
		// precheckBody decoded the body already, as below.
		params, c.params = *c.params, nil
	} else {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeRequestErrors(w, http.StatusBadRequest, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("request body could not be read")}))
			return
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&params); err != nil {
			writeRequestErrors(w, http.StatusBadRequest, exec.DispatchError(ctx, gqlerror.List{
				gqlerror.Errorf("json request body could not be decoded: %v", err)}))
			return
		}
	}
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		writeRequestErrors(w, http.StatusBadRequest, exec.DispatchError(ctx, gqlerror.List{
			gqlerror.Errorf("the request has no query: send {\"query\": \"…\"}")}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	opCtx, errs := exec.CreateOperationContext(ctx, &params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		writeRequestErrors(w, refusedStatus(media, resp.Errors), resp)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeJSON(w, responses(ctx))
}

// refusedStatus is the status of an answer to a request refused before
// its operation ran, from the codes of its (presented) errors: an error
// with a code of Tally's own other than INVALID_INPUT has the status of
// that code; a document refused as such is 200 in application/json and
// 400 in application/graphql-response+json.
func refusedStatus(media string, errs gqlerror.List) int {
	for _, e := range errs {
		code, _ := e.Extensions["code"].(string)
		switch domain.Code(code) {
		case domain.CodeInvalidInput, codePersistedQueryNotFound:
		default:
			return httperror.Status(domain.Code(code))
		}
	}
	return refusedDocumentStatus(media)
}

// refusedDocumentStatus is the status of an answer to a well-formed
// request whose document was refused before it ran.
func refusedDocumentStatus(media string) int {
	if media == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// requestErrors is a GraphQL response to a request refused before its
// operation ran: errors, and no data entry at all.
type requestErrors struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// writeRequestErrors answers status with resp's errors and no data entry.
func writeRequestErrors(w http.ResponseWriter, status int, resp *graphql.Response) {
	w.WriteHeader(status)
	writeBody(w, requestErrors{Errors: resp.Errors, Extensions: resp.Extensions})
}

// writeJSON answers 200 with the response of an operation that ran.
func writeJSON(w http.ResponseWriter, resp *graphql.Response) {
	if resp != nil && len(resp.Errors) == 0 && resp.Label == "" && resp.Path == nil && resp.HasNext == nil &&
		len(resp.Extensions) == 0 && plainJSON(resp.Data) {
		// What json.Marshal writes for it, without encoding/json
		// scanning the data again.
		b := make([]byte, 0, len(`{"data":}`)+len(resp.Data))
		b = append(append(append(b, `{"data":`...), resp.Data...), '}')
		_, _ = w.Write(b)
		return
	}
	writeBody(w, resp)
}

// plainJSON reports whether json.Marshal copies data, a json.RawMessage,
// unchanged: it is not empty, has no white space outside its strings and
// nothing json.Marshal escapes (<, >, &, U+2028, U+2029). It does not
// check that data is valid JSON; gqlgen writes it.
func plainJSON(data []byte) bool {
	if len(data) == 0 {
		return false
	}
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case c == '<' || c == '>' || c == '&' || c == 0xE2: // 0xE2 starts U+2028 and U+2029 (and more)
			return false
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return false
		}
	}
	return true
}

func writeBody(w io.Writer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only a resolver's value that cannot be JSON gets here: a bug.
		panic(err)
	}
	_, _ = w.Write(b)
}

// writeNotAcceptable answers 406: the Accept header admits neither
// response media type.
func writeNotAcceptable(w http.ResponseWriter) {
	writeError(w, http.StatusNotAcceptable, "Accept must admit application/graphql-response+json or application/json",
		domain.CodeInvalidInput, "Accept")
}
