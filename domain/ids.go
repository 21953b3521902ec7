package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"

	"github.com/google/uuid"
)

// newID returns a new time-ordered identifier (UUIDv7).
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// ValidID reports whether s has the form of an identifier newID makes, so a
// malformed ID is refused before it reaches storage.
func ValidID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// newSecret returns a random secret with the given prefix and the hex
// SHA-256 under which it is stored.
func newSecret(prefix string) (secret, hash string) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	secret = prefix + hex.EncodeToString(b)
	return secret, hashSecret(secret)
}

// hashSecret is how API key secrets and invitation tokens are stored.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
