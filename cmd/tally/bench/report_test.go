package bench

import (
	"bufio"
	"strings"
	"testing"
)

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    int64
		wantErr bool
	}{
		{"process", "Name:\ttally\nVmPeak:\t  812345 kB\nVmRSS:\t   23456 kB\nRssAnon:\t   12000 kB\n", 23456, false},
		{"kernel thread", "Name:\tkthreadd\nState:\tS (sleeping)\n", 0, true},
		{"odd unit", "VmRSS:\t 12 MB\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmRSS(bufio.NewScanner(strings.NewReader(tt.status)))
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
