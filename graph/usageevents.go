package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// CloudEvents content types of POST /v1/usage/events.
const (
	contentTypeCloudEvent      = "application/cloudevents+json"
	contentTypeCloudEventBatch = "application/cloudevents-batch+json"
)

// UsageEventsOptions bound POST /v1/usage/events.
type UsageEventsOptions struct {
	// MaxBodyBytes is the largest accepted body.
	MaxBodyBytes int64
	// MaxEvents is the most events of one request.
	MaxEvents int
	// Options gives the logger.
	Options Options
}

// cloudEvent is one CloudEvents 1.0 event in structured JSON mode, as the
// usage endpoint reads it. Pointers tell an absent attribute from an empty
// one.
type cloudEvent struct {
	SpecVersion     *string         `json:"specversion"`
	ID              *string         `json:"id"`
	Source          *string         `json:"source"`
	Type            *string         `json:"type"`
	Subject         *string         `json:"subject"`
	Time            *string         `json:"time"`
	DataContentType *string         `json:"datacontenttype"`
	Data            json.RawMessage `json:"data"`
}

// usageData is the data of a usage event.
type usageData struct {
	Quantity *json.Number `json:"quantity"`
}

// UsageEventResult is one event's entry in the endpoint's answer.
type UsageEventResult struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	OverLimit bool   `json:"overLimit,omitempty"`
	// PeriodStart is the period an accepted event counts in (RFC 3339).
	PeriodStart string `json:"periodStart,omitempty"`
	Code        string `json:"code,omitempty"`
	Field       string `json:"field,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// UsageEventsResponse is the endpoint's answer: counts and one result per
// event, in the request's order.
type UsageEventsResponse struct {
	Accepted   int                `json:"accepted"`
	Duplicates int                `json:"duplicates"`
	Refused    int                `json:"refused"`
	Invalid    int                `json:"invalid"`
	Results    []UsageEventResult `json:"results"`
}

// UsageEvents returns the handler of POST /v1/usage/events: a batch of
// usage events as CloudEvents 1.0 JSON (`application/cloudevents-batch+json`,
// an array) or one event (`application/cloudevents+json`), reported for
// the caller's org. Mount it behind the same authentication, client
// address and rate limits as /graphql: the org is the API key's (an API
// key is the product backend's credential; members report through
// recordUsage). Each event needs specversion "1.0", id, source, type (the
// metric, e.g. "sessions" or "SESSIONS") and data.quantity (an integer);
// subject is the member's global User ID and time an RFC 3339 time, both
// optional. The answer is 200 with one result per event (ACCEPTED,
// DUPLICATE, REFUSED or INVALID with a code and reason); a request that
// cannot be read at all is a GraphQL-shaped error: 400 INVALID_INPUT
// (malformed JSON, not CloudEvents, too many events), 401, 403, 413 for a
// body past the limit, 415 for another content type, 429.
func UsageEvents(svc *domain.Service, opts UsageEventsOptions) http.Handler {
	o := opts.Options.withDefaults()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			writeError(w, http.StatusMethodNotAllowed, "use POST", domain.CodeInvalidInput, "method")
			return
		}
		actor, signedIn := domain.ActorFrom(r.Context())
		if !signedIn {
			writeCodedError(w, domain.Errorf(domain.CodeUnauthenticated, "sign in required: send the org's API key"))
			return
		}
		if !actor.IsAPIKey() {
			writeCodedError(w, domain.Errorf(domain.CodeForbidden,
				"POST /v1/usage/events takes an org API key (the org is the key's); members report with the recordUsage mutation"))
			return
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || (mt != contentTypeCloudEvent && mt != contentTypeCloudEventBatch) {
			writeError(w, http.StatusUnsupportedMediaType, "send "+contentTypeCloudEventBatch+" (a JSON array of CloudEvents) or "+
				contentTypeCloudEvent+" (one event)", domain.CodeInvalidInput, "Content-Type")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, opts.MaxBodyBytes))
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes; send fewer events per request", opts.MaxBodyBytes),
				domain.CodeInvalidInput, "body")
			return
		case err != nil:
			writeError(w, http.StatusBadRequest, "the body could not be read", domain.CodeInvalidInput, "body")
			return
		}
		var raws []json.RawMessage
		if mt == contentTypeCloudEventBatch {
			if err := strictJSON(body, &raws); err != nil {
				writeError(w, http.StatusBadRequest, "the body is not a JSON array of CloudEvents: "+err.Error(), domain.CodeInvalidInput, "body")
				return
			}
		} else {
			raws = []json.RawMessage{bytes.TrimSpace(body)}
		}
		switch {
		case len(raws) == 0:
			writeError(w, http.StatusBadRequest, "the batch holds no events", domain.CodeInvalidInput, "body")
			return
		case len(raws) > opts.MaxEvents:
			writeError(w, http.StatusBadRequest, fmt.Sprintf("a batch holds at most %d events; this one holds %d", opts.MaxEvents, len(raws)),
				domain.CodeInvalidInput, "body")
			return
		}
		events := make([]domain.UsageEvent, 0, len(raws))
		out := UsageEventsResponse{Results: make([]UsageEventResult, len(raws))}
		pos := make([]int, 0, len(raws)) // out.Results index of each event
		for i, raw := range raws {
			ev, field, reason := parseCloudEvent(raw)
			if reason != "" {
				if mt == contentTypeCloudEvent && len(raws) == 1 && field == "body" {
					writeError(w, http.StatusBadRequest, reason, domain.CodeInvalidInput, "body")
					return
				}
				out.Results[i] = UsageEventResult{ID: ev.ID, Status: string(domain.UsageInvalid), Code: string(domain.CodeInvalidInput),
					Field: field, Reason: reason}
				out.Invalid++
				continue
			}
			events = append(events, ev)
			pos = append(pos, i)
		}
		if len(events) > 0 {
			rs, err := svc.IngestUsage(r.Context(), actor.APIKeyOrgID, events)
			if err != nil {
				if domain.IsCode(err, domain.CodeInternal) {
					o.Logger.ErrorContext(r.Context(), "usage events", "error", err)
				}
				writeCodedError(w, err)
				return
			}
			for j, res := range rs {
				e := UsageEventResult{ID: events[j].ID, Status: string(res.Outcome), OverLimit: res.OverLimit,
					Code: string(res.Code), Field: res.Field, Reason: res.Reason}
				if res.Outcome == domain.UsageAccepted {
					e.PeriodStart = res.PeriodStart.Format(time.RFC3339)
				}
				switch res.Outcome {
				case domain.UsageAccepted:
					out.Accepted++
				case domain.UsageDuplicate:
					out.Duplicates++
				case domain.UsageRefused:
					out.Refused++
				default:
					out.Invalid++
				}
				out.Results[pos[j]] = e
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
}

// strictJSON decodes one JSON value and refuses trailing data.
func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// parseCloudEvent reads one event; reason says why it is not a valid usage
// CloudEvent (field names the attribute).
func parseCloudEvent(raw json.RawMessage) (ev domain.UsageEvent, field, reason string) {
	var ce cloudEvent
	if err := strictJSON(raw, &ce); err != nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return ev, "body", "an event is not a JSON object of CloudEvents attributes"
	}
	if ce.ID != nil {
		ev.ID = *ce.ID
	}
	switch {
	case ce.SpecVersion == nil:
		return ev, "specversion", `the required attribute specversion is missing; send "1.0"`
	case *ce.SpecVersion != "1.0":
		return ev, "specversion", fmt.Sprintf(`specversion %q is not supported; send "1.0"`, *ce.SpecVersion)
	case ce.ID == nil || *ce.ID == "":
		return ev, "id", "the required attribute id is missing or empty"
	case ce.Source == nil || *ce.Source == "":
		return ev, "source", "the required attribute source is missing or empty"
	case ce.Type == nil || *ce.Type == "":
		return ev, "type", "the required attribute type (the metric) is missing or empty"
	case ce.DataContentType != nil && !strings.HasPrefix(*ce.DataContentType, "application/json"):
		return ev, "datacontenttype", "datacontenttype must be application/json"
	}
	ev.Metric = domain.UsageMetric(strings.ToUpper(strings.ReplaceAll(*ce.Type, "-", "_")))
	if !ev.Metric.Valid() {
		return ev, "type", fmt.Sprintf("type %q is not a metric; one of sessions, events, enrichments, storage_bytes, data_transfer_bytes", *ce.Type)
	}
	if ce.Subject != nil && *ce.Subject != "" {
		uid, err := decodeIDOf("subject", *ce.Subject, typeUser)
		if err != nil {
			return ev, "subject", "subject must be the global ID of a member (a User) of the org"
		}
		ev.MemberID = uid
	}
	if ce.Time != nil {
		t, err := time.Parse(time.RFC3339Nano, *ce.Time)
		if err != nil {
			return ev, "time", "time must be an RFC 3339 timestamp"
		}
		ev.Time = t
	}
	var d usageData
	if len(ce.Data) == 0 || strictJSON(ce.Data, &d) != nil || d.Quantity == nil {
		return ev, "data", `data must be a JSON object with an integer "quantity"`
	}
	q, err := d.Quantity.Int64()
	if err != nil {
		return ev, "data", "data.quantity must be an integer"
	}
	ev.Quantity = q
	return ev, "", ""
}
