package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kong"

	"github.com/tallyhq/tally/cmd/tally/catalog"
	"github.com/tallyhq/tally/db/jobs"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/auth"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

// MigrateCmd applies pending migrations.
type MigrateCmd struct {
	StoreOptions `embed:""`
	EnvOptions   `embed:""`
}

// storeCommon validates the settings of a command that only opens the store.
func storeCommon(store StoreOptions, env EnvOptions) (Common, error) {
	var c Common
	if err := env.apply(&c); err != nil {
		return Common{}, err
	}
	if err := store.apply(&c); err != nil {
		return Common{}, err
	}
	return c, nil
}

// Run applies every pending migration to DATABASE_URL: Tally's and the
// job queue's (River's own migrations).
func (m MigrateCmd) Run() error {
	c, err := storeCommon(m.StoreOptions, m.EnvOptions)
	if err != nil {
		return err
	}
	logger := newLogger(os.Stderr, c.Production, c.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := openStore(ctx, c, true, logger)
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	q, err := openJobs(ctx, c, true, logger, jobs.Options{})
	if err != nil {
		return err
	}
	defer func() { _ = q.Close() }()
	logger.Info("migrations applied", "dialect", d.Dialect())
	return nil
}

// SeedCmd loads a catalog.
type SeedCmd struct {
	StoreOptions `embed:""`
	EnvOptions   `embed:""`

	File    string `name:"file" short:"f" type:"existingfile" help:"Catalog file (YAML or JSON, see cmd/tally/catalog/default.yaml); default: the embedded catalog."`
	Migrate bool   `name:"migrate" help:"Apply pending migrations first (SQLite always does)."`
}

// Run upserts the catalog's plans and packs by code.
func (s SeedCmd) Run() error {
	c, err := storeCommon(s.StoreOptions, s.EnvOptions)
	if err != nil {
		return err
	}
	logger := newLogger(os.Stderr, c.Production, c.LogLevel)
	cat, err := s.catalog()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := openStore(ctx, c, s.Migrate, logger)
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	stored, err := domain.NewService(d, domain.Config{}).LoadCatalog(ctx, cat)
	if err != nil {
		return err
	}
	source := s.File
	if source == "" {
		source = "embedded default"
	}
	fmt.Printf("loaded %d plans, %d packs and %d top-up rules from %s\n", len(stored.Plans), len(stored.Packs), len(stored.TopUps), source)
	return nil
}

func (s SeedCmd) catalog() (domain.Catalog, error) {
	if s.File == "" {
		return catalog.Parse(catalog.Default())
	}
	return catalog.ReadFile(s.File)
}

// TokenCmd mints a development token.
type TokenCmd struct {
	EnvOptions    `embed:""`
	SecretOptions `embed:""`

	Email string        `name:"email" required:"" help:"The user's email."`
	Name  string        `name:"name" help:"The user's display name."`
	Sub   string        `name:"sub" help:"Subject (default: derived from the email)."`
	Admin bool          `name:"admin" help:"Make the user a platform admin (may grant credits)."`
	TTL   time.Duration `name:"ttl" default:"24h" help:"Validity; at most TALLY_JWT_MAX_TTL."`
	// Issuer and Audience match a server that checks iss and aud (one
	// with TALLY_JWKS_URL must), read from the same variables as serve.
	Issuer   string `name:"jwt-issuer" env:"TALLY_JWT_ISSUER" help:"iss claim (default: TALLY_JWT_ISSUER)."`
	Audience string `name:"jwt-audience" env:"TALLY_JWT_AUDIENCE" help:"aud claim (default: TALLY_JWT_AUDIENCE)."`
}

// Run prints one HS256 JWT signed with TALLY_JWT_SECRET on stdout.
func (t TokenCmd) Run() error {
	var c Common
	if err := t.EnvOptions.apply(&c); err != nil {
		return err
	}
	if err := t.SecretOptions.apply(&c, false); err != nil {
		return err
	}
	if strings.TrimSpace(t.Email) == "" {
		return errors.New("--email is required")
	}
	if t.TTL <= 0 {
		return errors.New("--ttl must be positive")
	}
	if t.TTL > c.JWTMaxTTL {
		return fmt.Errorf("--ttl %s is longer than TALLY_JWT_MAX_TTL (%s): the server would refuse the token", t.TTL, c.JWTMaxTTL)
	}
	if c.DevSecret {
		fmt.Fprintln(os.Stderr, "warning: signed with the public development secret (TALLY_JWT_SECRET unset)")
	}
	for _, w := range c.Warnings {
		fmt.Fprintln(os.Stderr, "warning: "+w)
	}
	tok, err := auth.Mint(c.JWTSecret, auth.Claims{
		Subject: t.Sub, Email: t.Email, Name: t.Name, Admin: t.Admin, TTL: t.TTL,
		Issuer: strings.TrimSpace(t.Issuer), Audience: strings.TrimSpace(t.Audience),
	})
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the build's version and Go version.
func (VersionCmd) Run() error {
	fmt.Println(versionLine())
	return nil
}

// versionLine is what `tally version` and `tally --version` print.
func versionLine() string {
	return fmt.Sprintf("tally %s (%s %s/%s)", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// HelpCmd prints the help of tally or of one of its commands, as --help does.
type HelpCmd struct {
	Command []string `arg:"" optional:"" help:"The command to explain (e.g. serve)."`
}

// Run prints the help of the named command, or of tally.
func (h HelpCmd) Run(kctx *kong.Context) error {
	ctx, err := kong.Trace(kctx.Kong, h.Command)
	if err != nil {
		return err
	}
	if ctx.Error != nil {
		return fmt.Errorf("no such command: tally %s (see tally help)", strings.Join(h.Command, " "))
	}
	return ctx.PrintUsage(false)
}
