package main

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alecthomas/kong"
)

// ConfigCmd prints the configuration `tally serve` would run with.
type ConfigCmd struct {
	Args []string `arg:"" optional:"" passthrough:"all" help:"Flags of tally serve to apply on top of the environment, e.g. --addr :9000."`
}

// masked replaces the value of a secret setting in `tally config`.
const masked = "********"

// secretSetting matches the variables whose values `tally config` masks:
// secrets, webhook secrets, access and bearer tokens.
var secretSetting = regexp.MustCompile(`SECRET|PASSWORD|_TOKEN$`)

// Run prints every setting of `tally serve` as VARIABLE=value with where the
// value comes from (a flag, the environment, or the default), secrets
// masked, then checks them as serve would: invalid settings are an error.
func (c ConfigCmd) Run() error {
	var cli CLI
	parser, err := newParser(&cli)
	if err != nil {
		return err
	}
	ctx, err := parser.Parse(append([]string{"serve"}, c.Args...))
	if err != nil {
		return err
	}
	printSettings(os.Stdout, ctx)
	cfg, err := cli.Serve.Config()
	if err != nil {
		return fmt.Errorf("tally serve would refuse these settings: %w", err)
	}
	if cfg.DevSecret {
		fmt.Println("# TALLY_JWT_SECRET is unset: tokens are signed with the public development secret (production refuses it).")
	}
	for _, w := range cfg.Warnings {
		fmt.Println("# warning: " + w)
	}
	fmt.Println("# These settings are valid.")
	return nil
}

// printSettings writes the flags of the command ctx selected, one
// VARIABLE=value line each in declaration order.
func printSettings(w io.Writer, ctx *kong.Context) {
	fromFlag := map[*kong.Flag]bool{}
	for _, p := range ctx.Path {
		if p.Flag != nil {
			fromFlag[p.Flag] = true
		}
	}
	fmt.Fprintln(w, "# The settings of tally serve here, with where each comes from; secrets are masked.")
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, f := range ctx.Selected().Flags {
		if len(f.Tag.Envs) == 0 {
			continue
		}
		name := f.Tag.Envs[0]
		value := settingValue(name, f.Target)
		source := "default"
		switch {
		case fromFlag[f]:
			source = "flag --" + f.Name
		case os.Getenv(name) != "":
			source = "environment"
		case value == "":
			source = "unset"
		}
		fmt.Fprintf(tw, "%s=%s\t# %s\n", name, value, source)
	}
	_ = tw.Flush()
}

// settingValue formats a parsed setting as it would be written in the
// environment, masking secrets and the password of a database or mail
// server URL.
func settingValue(name string, v reflect.Value) string {
	var s string
	switch x := v.Interface().(type) {
	case time.Duration:
		s = shortDuration(x)
	case []string:
		s = strings.Join(x, ",")
	default:
		s = fmt.Sprint(x)
	}
	switch {
	case s == "":
		return ""
	case secretSetting.MatchString(name):
		return masked
	case name == "DATABASE_URL" || name == "TALLY_SMTP_URL":
		return redactURL(s)
	}
	return s
}

// shortDuration writes d as a person would: 24h, 1m, 1h30m, 10s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
