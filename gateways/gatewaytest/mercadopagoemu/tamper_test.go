package mercadopagoemu

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// rawCall makes one API call and returns the answer's status and raw body
// (and the error reading it).
func rawCall(t *testing.T, e *Emulator, method, path, body string, h map[string]string) (int, string, error) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.URL()+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+AccessToken)
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := e.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestTamper(t *testing.T) {
	e := New()
	defer e.Close()
	h := map[string]string{"X-Idempotency-Key": "tamper-1"}
	_, created := call(t, e, "POST", "/v1/payments", payWith(TokenApprove), h)
	id := jsonID(created)

	cases := []struct {
		name   string
		arm    func()
		method string
		path   string
		status int
		check  func(body string) bool
		cut    bool
	}{
		{"garble", func() { e.GarbleNext(RouteGetPayment, "null") }, "GET", "/v1/payments/" + id, 200,
			func(b string) bool { return b == "null" }, false},
		{"garble an error too", func() { e.GarbleNext(RouteGetPayment, "{") }, "GET", "/v1/payments/999", 404,
			func(b string) bool { return b == "{" }, false},
		{"edit", func() {
			e.EditNext(RouteGetPayment, func(o map[string]any) { delete(o, "status"); o["currency_id"] = "ARS" })
		}, "GET", "/v1/payments/" + id, 200, func(b string) bool {
			var o map[string]any
			_ = json.Unmarshal([]byte(b), &o)
			_, hasStatus := o["status"]
			return o["currency_id"] == "ARS" && !hasStatus && jsonID(o) == id
		}, false},
		{"status", func() { e.Tamper(RouteGetPayment, func(a *Answer) { a.Status = 204; a.Body = nil }) }, "GET", "/v1/payments/" + id, 204,
			func(b string) bool { return b == "" }, false},
		{"cut", func() { e.CutNext(RouteGetPayment) }, "GET", "/v1/payments/" + id, 200, nil, true},
		{"any route", func() { e.GarbleNext("", "garbage") }, "GET", "/v1/payments/search?external_reference=order-1", 200,
			func(b string) bool { return b == "garbage" }, false},
		{"garbled replay", func() { e.GarbleNext(RouteCreatePayment, "") }, "POST", "/v1/payments", 201,
			func(b string) bool { return b == "" }, false},
	}
	for _, c := range cases {
		c.arm()
		st, body, err := rawCall(t, e, c.method, c.path, payWith(TokenApprove), h)
		if st != c.status {
			t.Errorf("%s: status %d, want %d", c.name, st, c.status)
		}
		if c.cut {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%s: read %q, %v; want the answer cut short", c.name, body, err)
			}
		} else if err != nil || !c.check(body) {
			t.Errorf("%s: body %q, %v", c.name, body, err)
		}
		if n := e.PendingTampers(); n != 0 {
			t.Errorf("%s: %d tampers left", c.name, n)
		}
	}
	// The garbled create was a replay; replayed again it is intact.
	if _, again := call(t, e, "POST", "/v1/payments", payWith(TokenApprove), h); jsonID(again) != id || len(e.PaymentIDs()) != 1 {
		t.Fatalf("replay after a garbled answer: %v, %d payments", again, len(e.PaymentIDs()))
	}

	// A tamper waits for its route and tampers apply in order.
	e.GarbleNext(RouteGetPreference, "first")
	e.GarbleNext(RouteGetPayment, "second")
	e.GarbleNext(RouteGetPayment, "third")
	for _, want := range []string{"second", "third"} {
		if _, body, _ := rawCall(t, e, "GET", "/v1/payments/"+id, "", nil); body != want {
			t.Errorf("body %q, want %q", body, want)
		}
	}
	if _, body, _ := rawCall(t, e, "GET", "/v1/payments/"+id, "", nil); !strings.Contains(body, `"status":"approved"`) {
		t.Errorf("untampered answer %q", body)
	}
	if n := e.PendingTampers(); n != 1 {
		t.Errorf("%d tampers pending, want the preference's", n)
	}
}
