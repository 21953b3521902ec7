package main

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Thresholds of the HMAC secret check (TALLY_JWT_SECRET,
// TALLY_SANDBOX_WEBHOOK_SECRET). Anyone holding a token or a signed webhook
// can guess the key offline at billions of tries a second, so a secret must
// be long and unpredictable, not merely long.
const (
	// minSecretBytes is RFC 7518's minimum HMAC-SHA256 key size.
	minSecretBytes = 32
	// minGuessBits is the least guessBits estimate accepted. Random
	// secrets of 32 characters and up score 100 bits or more (32 hex
	// characters: over 100 in 2,000 draws; openssl rand -hex 32: over 200);
	// "0123456789abcdef…", "passwordpassword…" and keyboard walks score
	// under 40.
	minGuessBits = 64
	// minAlphabetBits is the least length × log2(distinct characters): it
	// refuses secrets drawn from a short alphabet ("0110…" of 32 characters
	// holds 32 bits, not 100). 32 characters need at least 8 distinct ones.
	minAlphabetBits = 96
	// guessPrefix bounds the part guessBits reads (its cost grows with the
	// cube of the length). Longer secrets must carry their entropy in their
	// first 128 bytes.
	guessPrefix = 128
)

// weakSecret says why secret is too weak to key an HMAC, or "" when it is
// strong enough: at least minSecretBytes bytes, at least minAlphabetBits by
// its alphabet, and at least minGuessBits by guessBits (skipped for secrets
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
	if len(prefix) > guessPrefix {
		prefix = prefix[:guessPrefix]
		for !utf8.ValidString(prefix) { // do not cut a character in two
			prefix = prefix[:len(prefix)-1]
		}
	}
	if bits := guessBits(prefix); bits < minGuessBits {
		return fmt.Sprintf("it is predictable (repeats, sequences, keyboard walks or words: about %.0f bits); use random bytes (e.g. openssl rand -hex 32)", max(bits, 0))
	}
	return ""
}

// sequences are the orders a run of characters can follow: the alphabet,
// the digits and the rows of a QWERTY keyboard, either way round.
var sequences = []string{
	"abcdefghijklmnopqrstuvwxyz",
	"0123456789",
	"1234567890",
	"qwertyuiop",
	"asdfghjkl",
	"zxcvbnm",
}

// commonWords are the few words people put in secrets by hand; the check
// keeps no dictionary beyond them.
var commonWords = []string{
	"password", "passwd", "secret", "changeme", "change", "admin", "letmein",
	"welcome", "qwerty", "default", "example", "test", "tally", "token",
	"jwt", "key", "webhook", "sandbox", "dev", "prod",
}

// guessBits estimates, in bits, how many guesses an attacker who tries
// structured secrets first needs for s. Each stretch of s is counted at
// its cheapest explanation: a character drawn at random from s's own
// alphabet, a repeat of something earlier in s, a run along the alphabet,
// the digits or a keyboard row (either direction), or one of commonWords.
// It is a lower-bound-minded estimate without a dictionary: what it cannot
// explain counts as random.
func guessBits(s string) float64 {
	rs := []rune(strings.ToLower(s))
	n := len(rs)
	distinct := map[rune]bool{}
	for _, r := range s {
		distinct[r] = true
	}
	perChar := math.Log2(float64(max(len(distinct), 2)))

	// best[j] is the cheapest explanation of rs[:j].
	best := make([]float64, n+1)
	for j := 1; j <= n; j++ {
		best[j] = math.Inf(1)
	}
	relax := func(i, j int, cost float64) {
		if c := best[i] + cost; c < best[j] {
			best[j] = c
		}
	}
	for i := 0; i < n; i++ {
		relax(i, i+1, perChar)
		// A repeat: rs[i:i+l] equals an earlier stretch (which may run
		// into it, as in "aaaa"); costs which start and how long.
		for k := 0; k < i; k++ {
			l := 0
			for i+l < n && rs[k+l] == rs[i+l] {
				l++
			}
			for m := 3; m <= l; m++ {
				relax(i, i+m, math.Log2(float64(i))+math.Log2(float64(m)))
			}
		}
		// A run along one of the sequences; costs where it starts, its
		// direction and its length.
		for _, seq := range sequences {
			for _, dir := range []int{1, -1} {
				l := runLength(rs[i:], seq, dir)
				for m := 3; m <= l; m++ {
					relax(i, i+m, math.Log2(float64(len(seq)))+1+math.Log2(float64(m)))
				}
			}
		}
		for _, w := range commonWords {
			if strings.HasPrefix(string(rs[i:]), w) {
				relax(i, i+utf8.RuneCountInString(w), math.Log2(float64(len(commonWords)))+1)
			}
		}
	}
	return best[n]
}

// runLength is how many characters of rs, from the first, follow seq one
// step at a time in direction dir (1 or -1).
func runLength(rs []rune, seq string, dir int) int {
	if len(rs) == 0 {
		return 0
	}
	pos := strings.IndexRune(seq, rs[0])
	if pos < 0 {
		return 0
	}
	l := 1
	for l < len(rs) {
		pos += dir
		if pos < 0 || pos >= len(seq) || rune(seq[pos]) != rs[l] {
			break
		}
		l++
	}
	return l
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
