package graph

import (
	"encoding/base64"
	"testing"

	"github.com/tallyhq/tally/domain"
)

func TestEncodeDecodeID(t *testing.T) {
	const id = "0190b3a0-1234-7000-8000-000000000001"
	tests := []struct {
		name     string
		gid      string
		wantType string
		wantID   string
		wantErr  bool
	}{
		{"org round trip", EncodeID(typeOrg, id), typeOrg, id, false},
		{"ledger entry round trip", EncodeID(typeLedgerEntry, id), typeLedgerEntry, id, false},
		{"id with a colon keeps it", EncodeID(typePlan, "a:b"), typePlan, "a:b", false},
		{"is base64 of Type:id", base64.StdEncoding.EncodeToString([]byte("User:" + id)), typeUser, id, false},
		{"empty", "", "", "", true},
		{"not base64", "!!!", "", "", true},
		{"unpadded base64", base64.RawStdEncoding.EncodeToString([]byte("Org:" + id)), "", "", true},
		{"no colon", base64.StdEncoding.EncodeToString([]byte("Org" + id)), "", "", true},
		{"empty id", base64.StdEncoding.EncodeToString([]byte("Org:")), "", "", true},
		{"unknown type", base64.StdEncoding.EncodeToString([]byte("Foo:" + id)), "", "", true},
		{"lower-case type", base64.StdEncoding.EncodeToString([]byte("org:" + id)), "", "", true},
		{"too long", EncodeID(typeOrg, string(make([]byte, 300))), "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ, got, err := DecodeID("id", tc.gid)
			if tc.wantErr {
				var de *domain.Error
				if err == nil || !asDomain(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != "id" {
					t.Fatalf("DecodeID(%q) = %q, %q, %v; want INVALID_INPUT on field id", tc.gid, typ, got, err)
				}
				return
			}
			if err != nil || typ != tc.wantType || got != tc.wantID {
				t.Fatalf("DecodeID(%q) = %q, %q, %v; want %q, %q", tc.gid, typ, got, err, tc.wantType, tc.wantID)
			}
		})
	}
}

func TestDecodeIDOf(t *testing.T) {
	tests := []struct {
		name    string
		gid     string
		want    string
		wantErr bool
	}{
		{"right type", EncodeID(typeOrg, "o1"), "o1", false},
		{"other type", EncodeID(typeUser, "u1"), "", true},
		{"malformed", "x", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeIDOf("orgId", tc.gid, typeOrg)
			if tc.wantErr {
				var de *domain.Error
				if !asDomain(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != "orgId" {
					t.Fatalf("got %q, %v; want INVALID_INPUT on orgId", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func asDomain(err error, de **domain.Error) bool {
	e, ok := err.(*domain.Error)
	*de = e
	return ok
}
