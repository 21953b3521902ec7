package gwconfig

import (
	"slices"
	"testing"

	"github.com/tallyhq/tally/domain"
)

func TestHTTPURL(t *testing.T) {
	for s, want := range map[string]bool{
		"https://api.example.com": true,
		"http://localhost:8080/":  true,
		"ftp://example.com":       false,
		"/relative":               false,
		"https://":                false,
		"":                        false,
		"http://[::1":             false,
	} {
		if got := HTTPURL(s); got != want {
			t.Errorf("HTTPURL(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestCurrencies(t *testing.T) {
	def := []domain.Currency{domain.EUR, domain.USD}
	for _, tc := range []struct {
		name    string
		list    []domain.Currency
		want    []domain.Currency
		wantErr string
	}{
		{name: "default", want: def},
		{name: "given", list: []domain.Currency{domain.BRL}, want: []domain.Currency{domain.BRL}},
		{name: "unsupported", list: []domain.Currency{domain.EUR, "XYZ"}, wantErr: `p: unsupported currency "XYZ"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Currencies("p", tc.list, def)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
			if len(got) > 0 {
				got[0] = "XXX"
				if def[0] == "XXX" || (len(tc.list) > 0 && tc.list[0] == "XXX") {
					t.Fatal("the result shares its array with the input")
				}
			}
		})
	}
}
