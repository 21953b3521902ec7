package emu

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
)

func TestHold(t *testing.T) {
	var f Faults
	if held, _ := f.Hold(context.Background()); held {
		t.Fatal("a healthy API held a call")
	}

	synctest.Test(t, func(t *testing.T) {
		var f Faults
		f.Hang(true)
		released := make(chan bool, 1)
		go func() {
			_, ok := f.Hold(context.Background())
			released <- ok
		}()
		synctest.Wait() // the call is held
		select {
		case <-released:
			t.Fatal("the call went through a hang")
		default:
		}
		f.Hang(false)
		if !<-released {
			t.Fatal("Hang(false) did not release the held call")
		}
	})

	f.Hang(true)
	defer f.Hang(false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if held, ok := f.Hold(ctx); !held || ok {
		t.Fatalf("Hold with a canceled caller = %v, %v; want held and given up", held, ok)
	}
}

func TestOutage(t *testing.T) {
	var f Faults
	for _, on := range []bool{true, false} {
		f.Outage(on)
		if f.Down() != on {
			t.Fatalf("Outage(%v): Down() = %v", on, f.Down())
		}
	}
}

func TestReplays(t *testing.T) {
	var r Replays
	if _, ok := r.Get("k"); ok {
		t.Fatal("an empty store had an answer")
	}
	r.Put("k", Answer{Status: 201, Body: []byte("{}")})
	if a, ok := r.Get("k"); !ok || a.Status != 201 || string(a.Body) != "{}" {
		t.Fatalf("Get = %+v, %v", a, ok)
	}
}

func TestBearerToken(t *testing.T) {
	for _, tc := range []struct {
		header, token string
		ok            bool
	}{
		{"Bearer abc", "abc", true},
		{"Basic abc", "Basic abc", false},
		{"", "", false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tc.header != "" {
			r.Header.Set("Authorization", tc.header)
		}
		if tok, ok := BearerToken(r); tok != tc.token || ok != tc.ok {
			t.Errorf("%q: got %q, %v; want %q, %v", tc.header, tok, ok, tc.token, tc.ok)
		}
	}
}

func TestDeliverAndClose(t *testing.T) {
	got := make(chan string, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r.Header.Get("X-Test") + " " + string(b)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer hook.Close()

	s := Start(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusTeapot, "application/json", map[string]int{"n": 1})
	}))
	resp, err := s.Client().Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot || string(body) != "{\"n\":1}\n" || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("answer %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}

	status := 0
	s.Deliver(hook.URL, http.Header{"X-Test": {"h"}}, []byte("b"), func(st int, err error) {
		if err != nil {
			t.Error(err)
		}
		status = st
	})
	s.Close() // waits for the delivery
	if status != http.StatusAccepted {
		t.Fatalf("delivery status %d", status)
	}
	if g := <-got; g != "h b" {
		t.Fatalf("hook got %q", g)
	}
}
