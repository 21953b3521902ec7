package graph

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/tallyhq/tally/domain"
)

func TestLoaderBatchesInKeyOrder(t *testing.T) {
	var (
		mu    sync.Mutex
		calls [][]string
	)
	load := func(_ context.Context, ids []string) (map[string]string, error) {
		mu.Lock()
		calls = append(calls, slices.Clone(ids))
		mu.Unlock()
		m := map[string]string{}
		for _, id := range ids {
			if id != "missing" {
				m[id] = "v-" + id
			}
		}
		return m, nil
	}
	conv := func(s string) *string { return &s }
	l := newLoader(load, conv, "thing")

	keys := []string{"b", "a", "missing", "b", "c"}
	thunks := make([]func() (*string, error), len(keys))
	for i, k := range keys {
		thunks[i] = l.Load(context.Background(), k)
	}
	tests := []struct {
		key      string
		want     string
		notFound bool
	}{
		{"b", "v-b", false}, {"a", "v-a", false}, {"missing", "", true}, {"b", "v-b", false}, {"c", "v-c", false},
	}
	for i, tc := range tests {
		got, err := thunks[i]()
		if tc.notFound {
			if !domain.IsCode(err, domain.CodeNotFound) {
				t.Errorf("key %s: %v, %v; want NOT_FOUND", tc.key, got, err)
			}
			continue
		}
		if err != nil || got == nil || *got != tc.want {
			t.Errorf("key %s: %v, %v; want %s", tc.key, got, err, tc.want)
		}
	}
	if len(calls) != 1 || len(calls[0]) != 4 {
		t.Fatalf("load calls = %v, want one batch of the 4 distinct keys", calls)
	}
}

func TestLoaderBatchError(t *testing.T) {
	boom := errors.New("db down")
	l := newLoader(func(context.Context, []string) (map[string]int, error) { return nil, boom },
		func(v int) *int { return &v }, "thing")
	a, b := l.Load(context.Background(), "a"), l.Load(context.Background(), "b")
	for _, th := range []func() (*int, error){a, b} {
		if _, err := th(); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the batch's error for every key", err)
		}
	}
}
