package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// Secrets as operators make them; fixed, so that the table is repeatable.
const (
	hexSecret32   = "356b125de8a719ab0914c6e9a73ca2e50de9deb6c17ebda75bdb9f4db9cf2c56" // openssl rand -hex 32
	base64Secret  = "gZXhXfTQwWmBXeR6SYrVhXvCX1SoCQ+VDS4WGk730fY="                     // openssl rand -base64 32
	base64URL24   = "3AepTBT1elDbq7EClKmy59s4XdQUZfOg"                                 // 24 random bytes, base64url
	hexSecret16   = "6e978df20da70d7507455f91d115451d"                                 // openssl rand -hex 16: 32 characters
	hexSecret100  = "3ec0224f6d26ce5f649a361a2fd848078743d7ec341c1913a638347772239f28925aa5151d48a68f358c5d6fd5e74d5eb1a7a5936971c8046d1a1de2df902f9a2649f02f3330ec5714dbd34e6f01a8e319dff3ddb695cd8ee19347cf8d9cb3fccd4352dd"
	binarySecret  = "00011011111010010111110101101100" // 32 random bits written out
	binary128     = "10111010110000011000001100010110101111101001101011010110111001111001101110011100101010110100100011011110000111011011101111001111"
	dnaSecret     = "aacgttcgggctccactgatcttaattcttac" // 64 random bits in 32 characters
	shortHex      = "dd81c8ec4f41fa154af6df2856ae1c"   // 30 characters
	sequentialHex = "0123456789abcdef0123456789abcdef"
)

func TestWeakSecret(t *testing.T) {
	rawBytes := string([]byte{0x8f, 0x02, 0xd1, 0xfe, 0x7a, 0x33, 0x90, 0xc4, 0x1e, 0xaa, 0x5b, 0x07, 0xe9, 0x6d, 0xf0, 0x48,
		0x9c, 0x21, 0xb6, 0x7f, 0x13, 0xcd, 0x84, 0x5e, 0xa1, 0x39, 0xef, 0x62, 0x0b, 0xd8, 0x95, 0x4c})
	tests := []struct {
		name    string
		secret  string
		wantWhy string // "" means accepted
	}{
		{"openssl rand -hex 32", hexSecret32, ""},
		{"openssl rand -base64 32", base64Secret, ""},
		{"24 random bytes in base64url (32 characters)", base64URL24, ""},
		{"16 random bytes in hex (32 characters)", hexSecret16, ""},
		{"100 random bytes in hex (past the checked prefix)", hexSecret100, ""},
		{"32 raw random bytes (not UTF-8)", rawBytes, ""},
		{"128 random bits written in binary", binary128, ""},

		{"empty", "", "it is 0 bytes"},
		{"30 random hex characters", shortHex, "it is 30 bytes"},
		{"one character repeated", strings.Repeat("a", 32), "only 1 distinct"},
		{"one character repeated, long", strings.Repeat("x", 500), "only 1 distinct"},
		{"a raw byte repeated", strings.Repeat("\xff", 64), "only 1 distinct"},
		{"two characters alternating", strings.Repeat("01", 16), "only 2 distinct"},
		{"32 random bits written in binary", binarySecret, "only 2 distinct"},
		{"a four-letter alphabet", dnaSecret, "only 4 distinct"},
		{"a short block repeated", strings.Repeat("aB3$", 8), "only 4 distinct"},
		{"the hex digits twice", sequentialHex, "predictable"},
		{"the alphabet and digits in order", "abcdefghijklmnopqrstuvwxyz012345", "predictable"},
		{"backwards alphabet", "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvut", "predictable"},
		{"a keyboard walk", "qwertyuiopasdfghjklzxcvbnmqwertyuiop", "predictable"},
		{"a keyboard walk backwards", "poiuytrewqlkjhgfdsamnbvcxzpoiuytrewq", "predictable"},
		{"common words joined", "letmein-admin-password-changeme!", "predictable"},
		{"common words in capitals", "SECRET_TOKEN_FOR_TALLY_WEBHOOK_KEY", "predictable"},
		{"a word repeated", "passwordpasswordpasswordpassword", "only 7 distinct"},
		{"a word repeated, longer", strings.Repeat("password", 8), "predictable"},
		{"changeme four times", "changeme-changeme-changeme-changeme", "predictable"},
		{"a strong secret repeated", strings.Repeat("Tr0ub4dor&3", 4), "predictable"},
		{"a test fixture", "0123456789abcdef0123456789abcdef-test", "predictable"},
		{"random tail after a weak 128-byte head", strings.Repeat("a", 128) + hexSecret32, "predictable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			why := weakSecret(tt.secret)
			if tt.wantWhy == "" && why != "" {
				t.Fatalf("weakSecret refused it: %s", why)
			}
			if tt.wantWhy != "" && !strings.Contains(why, tt.wantWhy) {
				t.Fatalf("weakSecret = %q, want a refusal containing %q", why, tt.wantWhy)
			}
		})
	}
}

// TestRandomSecretsPass: secrets drawn at random, even in the shortest
// accepted forms, are never taken for predictable ones (a fixed seed keeps
// the draws repeatable).
func TestRandomSecretsPass(t *testing.T) {
	rng := rand.NewChaCha8([32]byte{'t', 'a', 'l', 'l', 'y'})
	for i := 0; i < 500; i++ {
		b := make([]byte, 32)
		_, _ = rng.Read(b)
		var bin strings.Builder
		for _, x := range b[:16] {
			fmt.Fprintf(&bin, "%08b", x)
		}
		for _, s := range []string{
			hex.EncodeToString(b[:16]), hex.EncodeToString(b), base64.StdEncoding.EncodeToString(b),
			base64.RawURLEncoding.EncodeToString(b[:24]), bin.String(),
		} {
			if why := weakSecret(s); why != "" {
				t.Fatalf("random secret %q refused: %s", s, why)
			}
		}
	}
}

func TestWeakSecretIsQuick(t *testing.T) {
	long := strings.Repeat(hexSecret32, 200) // 12,800 bytes: guessBits reads only the head
	start := time.Now()
	if why := weakSecret(long); why != "" {
		t.Fatal(why)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("checking a 12.8 kB secret took %v", d)
	}
}

func TestCheckSecret(t *testing.T) {
	if w, err := checkSecret("TALLY_JWT_SECRET", hexSecret32, true); w != "" || err != nil {
		t.Fatalf("strong secret in production: %q, %v", w, err)
	}
	if w, err := checkSecret("TALLY_JWT_SECRET", sequentialHex, true); w != "" || err == nil ||
		!strings.Contains(err.Error(), "production refuses a weak TALLY_JWT_SECRET") {
		t.Fatalf("weak secret in production: %q, %v; want an error", w, err)
	}
	if w, err := checkSecret("TALLY_SANDBOX_WEBHOOK_SECRET", sequentialHex, false); err != nil ||
		!strings.Contains(w, "TALLY_SANDBOX_WEBHOOK_SECRET is weak") {
		t.Fatalf("weak secret in development: %q, %v; want a warning", w, err)
	}
}
