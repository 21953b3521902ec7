package installments

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/gateways/gatewaytest/mercadopagoemu"
)

func TestManifest(t *testing.T) {
	cases := []struct {
		dataID, requestID, ts, want string
	}{
		{"1310000001", "req-1", "1704908010", "id:1310000001;request-id:req-1;ts:1704908010;"},
		{"ABC123def", "req-1", "1704908010", "id:abc123def;request-id:req-1;ts:1704908010;"},
		{"1310000001", "", "1704908010", "id:1310000001;ts:1704908010;"},
		{"", "req-1", "1704908010", "request-id:req-1;ts:1704908010;"},
	}
	for _, c := range cases {
		if got := manifest(c.dataID, c.requestID, c.ts); got != c.want {
			t.Errorf("manifest(%q, %q, %q) = %q, want %q", c.dataID, c.requestID, c.ts, got, c.want)
		}
	}
}

func TestVerifySignature(t *testing.T) {
	const secret = "your-secret-signature"
	now := time.Unix(1704908010, 0).Add(2 * time.Minute)
	// Known vectors: openssl dgst -sha256 -hmac your-secret-signature over
	// "id:abc123def;request-id:bb56a2f1-…;ts:1704908010;" and
	// "id:1310000001;ts:1704908010;".
	const (
		rid     = "bb56a2f1-6aae-46ac-982e-9dcd3581d08e"
		vector  = "12ce1c0e34f3086ea89a2011937449ac1aba25e64fa1e308b480dc4bbb92f166"
		noReqID = "3dd9b95c3c6df751c42a024a6c3dd144a8afa46539d7ce70f099f63908eaa2df"
	)
	header := func(sig, requestID string) http.Header {
		h := http.Header{}
		if sig != "" {
			h.Set("X-Signature", sig)
		}
		if requestID != "" {
			h.Set("X-Request-Id", requestID)
		}
		return h
	}
	cases := []struct {
		name   string
		h      http.Header
		dataID string
		now    time.Time
		ok     bool
	}{
		{"known vector", header("ts=1704908010,v1="+vector, rid), "ABC123DEF", now, true},
		{"spaces and uppercase hex", header(" ts=1704908010 , v1="+strings.ToUpper(vector), rid), "abc123def", now, true},
		{"no request id", header("ts=1704908010,v1="+noReqID, ""), "1310000001", now, true},
		{"other data id", header("ts=1704908010,v1="+vector, rid), "abc123de", now, false},
		{"other request id", header("ts=1704908010,v1="+vector, "other"), "abc123def", now, false},
		{"other ts", header("ts=1704908011,v1="+vector, rid), "abc123def", now, false},
		{"missing header", header("", rid), "abc123def", now, false},
		{"missing v1", header("ts=1704908010", rid), "abc123def", now, false},
		{"missing ts", header("v1="+vector, rid), "abc123def", now, false},
		{"not hex", header("ts=1704908010,v1=zz", rid), "abc123def", now, false},
		{"stale", header("ts=1704908010,v1="+vector, rid), "abc123def", now.Add(time.Hour), false},
		{"from the future", header("ts=1704908010,v1="+vector, rid), "abc123def", now.Add(-time.Hour), false},
		{"nil header", nil, "abc123def", now, false},
	}
	for _, c := range cases {
		err := verifySignature(c.h, c.dataID, secret, c.now, 10*time.Minute)
		if (err == nil) != c.ok {
			t.Errorf("%s: verifySignature = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestVerifySignatureMilliseconds(t *testing.T) {
	at := time.UnixMilli(1704908010123)
	sig := mercadopagoemu.Sign("s", "42", "r", at.UnixMilli())
	h := http.Header{"X-Signature": {sig}, "X-Request-Id": {"r"}}
	if err := verifySignature(h, "42", "s", at.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatalf("ms timestamp: %v", err)
	}
	if err := verifySignature(h, "42", "s", at.Add(time.Hour), 5*time.Minute); err == nil {
		t.Fatal("stale ms timestamp accepted")
	}
}

func TestEmulatorSignsLikeTheGateway(t *testing.T) {
	sig := mercadopagoemu.Sign("your-secret-signature", "ABC123DEF", "bb56a2f1-6aae-46ac-982e-9dcd3581d08e", 1704908010)
	if want := "ts=1704908010,v1=12ce1c0e34f3086ea89a2011937449ac1aba25e64fa1e308b480dc4bbb92f166"; sig != want {
		t.Fatalf("emulator signs %s, want %s", sig, want)
	}
}
