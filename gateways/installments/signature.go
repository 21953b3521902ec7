package installments

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// manifest is the text Mercado Pago signs for a notification:
// "id:<data.id>;request-id:<x-request-id>;ts:<ts>;", data.id lowercased
// (ids may be alphanumeric), each part left out when its value is absent.
func manifest(dataID, requestID, ts string) string {
	var b strings.Builder
	if dataID != "" {
		b.WriteString("id:" + strings.ToLower(dataID) + ";")
	}
	if requestID != "" {
		b.WriteString("request-id:" + requestID + ";")
	}
	if ts != "" {
		b.WriteString("ts:" + ts + ";")
	}
	return b.String()
}

// parseSignature reads an x-signature header, "ts=<unix>,v1=<hex hmac>".
func parseSignature(header string) (ts, v1 string, err error) {
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.TrimSpace(k) {
		case "ts":
			ts = strings.TrimSpace(v)
		case "v1":
			v1 = strings.TrimSpace(v)
		}
	}
	if ts == "" || v1 == "" {
		return "", "", errors.New("x-signature lacks ts or v1")
	}
	return ts, v1, nil
}

// verifySignature checks a notification's x-signature against the secret
// and that its ts is within tolerance of now. ts is Unix seconds; a value
// in milliseconds is accepted too.
func verifySignature(h http.Header, dataID, secret string, now time.Time, tolerance time.Duration) error {
	sig := h.Get("X-Signature")
	if sig == "" {
		return errors.New("no x-signature header")
	}
	ts, v1, err := parseSignature(sig)
	if err != nil {
		return err
	}
	got, err := hex.DecodeString(strings.ToLower(v1))
	if err != nil {
		return errors.New("x-signature v1 is not hex")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(manifest(dataID, h.Get("X-Request-Id"), ts)))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errors.New("x-signature does not match")
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("x-signature ts is not a number")
	}
	signed := time.Unix(n, 0)
	if n > 1e11 {
		signed = time.UnixMilli(n)
	}
	if d := now.Sub(signed); d > tolerance || d < -tolerance {
		return errors.New("x-signature ts is outside the tolerance")
	}
	return nil
}
