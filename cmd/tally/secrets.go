package main

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
)

// Thresholds of the HMAC secret check (TALLY_JWT_SECRET,
// TALLY_SANDBOX_WEBHOOK_SECRET). Anyone holding a token or a signed webhook
// can guess the key offline at billions of tries a second, so a secret must
// be long and unpredictable, not merely long.
const (
	// minSecretBytes is RFC 7518's minimum HMAC-SHA256 key size.
	minSecretBytes = 32
	// minGuessBits is the least zxcvbn estimate accepted, in bits (log2 of
	// its guess count). zxcvbn (Dropbox's estimator) finds repeats,
	// sequences, keyboard walks, dates and dictionary words; everything it
	// cannot explain counts as brute force. Random secrets of 32 characters
	// and up score 90 bits or more (32 hex characters: 91 at the least in
	// 2,000 draws; openssl rand -hex 32: 197), "aaa…", "0123456789abcdef…"
	// and "passwordpassword…" score under 30.
	minGuessBits = 64
	// minAlphabetBits is the least length × log2(distinct characters): it
	// refuses secrets drawn from a short alphabet, which zxcvbn scores as
	// if each character were a digit ("0110…" of 32 characters holds 32
	// bits, not 100). 32 characters need at least 8 distinct ones.
	minAlphabetBits = 96
	// zxcvbnPrefix bounds the part zxcvbn reads: its cost grows faster than
	// the length (128 bytes: ~40 ms; 1,000 bytes: 30 s). Longer secrets
	// must carry their entropy in their first 128 bytes.
	zxcvbnPrefix = 128
)

// weakSecret says why secret is too weak to key an HMAC, or "" when it is
// strong enough: at least minSecretBytes bytes, at least minAlphabetBits by
// its alphabet, and at least minGuessBits by zxcvbn (skipped for secrets
// that are not UTF-8: raw random bytes).
func weakSecret(secret string) string {
	if len(secret) < minSecretBytes {
		return fmt.Sprintf("it is %d bytes; use at least %d random bytes (e.g. openssl rand -hex 32)", len(secret), minSecretBytes)
	}
	text := utf8.ValidString(secret)
	distinct := map[rune]bool{}
	n := 0
	if text {
		for _, r := range secret {
			distinct[r] = true
			n++
		}
	} else { // raw bytes
		for i := 0; i < len(secret); i++ {
			distinct[rune(secret[i])] = true
		}
		n = len(secret)
	}
	if bits := float64(n) * math.Log2(float64(len(distinct))); bits < minAlphabetBits {
		return fmt.Sprintf("it uses only %d distinct characters (about %.0f bits); use random bytes (e.g. openssl rand -hex 32)", len(distinct), bits)
	}
	if !text {
		return ""
	}
	prefix := secret
	if len(prefix) > zxcvbnPrefix {
		prefix = prefix[:zxcvbnPrefix]
		for !utf8.ValidString(prefix) { // do not cut a character in two
			prefix = prefix[:len(prefix)-1]
		}
	}
	if bits := math.Log2(zxcvbn.PasswordStrength(prefix, nil).Guesses); bits < minGuessBits {
		return fmt.Sprintf("it is predictable (repeats, sequences, keyboard walks or words: about %.0f bits); use random bytes (e.g. openssl rand -hex 32)", max(bits, 0))
	}
	return ""
}

// checkSecret applies weakSecret to the secret in env var name: in
// production a weak secret is an error; elsewhere it is a warning to log.
func checkSecret(name, secret string, production bool) (warning string, err error) {
	why := weakSecret(secret)
	switch {
	case why == "":
		return "", nil
	case production:
		return "", fmt.Errorf("TALLY_ENV=production refuses a weak %s: %s", name, why)
	}
	return fmt.Sprintf("%s is weak: %s. TALLY_ENV=production would refuse it", name, why), nil
}
