package main

import "testing"

func TestGCPercentFor(t *testing.T) {
	tests := []struct {
		base uint64
		want int
	}{
		{0, gcPercentMax},
		{10 << 20, gcPercentMax},         // idle server
		{gcHeadroom / 2, gcPercentMax},   // the last size at the maximum
		{gcHeadroom * 3 / 4, 133},        // in between
		{gcHeadroom, gcPercentMin},       // the first size at the minimum
		{gcHeadroom * 100, gcPercentMin}, // thousands of websockets
	}
	for _, tc := range tests {
		if got := gcPercentFor(tc.base); got != tc.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", tc.base>>20, got, tc.want)
		}
	}
}
