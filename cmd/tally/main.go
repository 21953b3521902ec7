// Command tally is Tally's one binary: the GraphQL API server and its
// operational subcommands (config, migrate, seed, token, subscribe,
// version, …).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"
)

// Exit statuses: 0 success, 1 a command failed, 2 the command line is wrong.
const (
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	dropEmptyEnv()
	os.Exit(run(os.Args[1:], os.Stderr))
}

// newParser builds the command line parser over cli.
func newParser(cli *CLI, options ...kong.Option) (*kong.Kong, error) {
	return kong.New(cli, append([]kong.Option{
		kong.Name("tally"),
		kong.Description("Tally: prepaid-credit billing GraphQL API. Start with `tally serve`; every command's flags are also environment variables (shown in brackets)."),
		kong.Vars{"version": versionLine()},
	}, options...)...)
}

// run parses args, runs the chosen command and returns the exit status.
// Bare `tally` prints the help. Errors are reported on stderr as one line,
// once.
func run(args []string, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"--help"}
	}
	var cli CLI
	parser, err := newParser(&cli)
	if err != nil {
		panic(err) // the CLI struct is malformed: a programming error
	}
	ctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "tally: error: %v\n", err)
		var perr *kong.ParseError
		if errors.As(err, &perr) && perr.Context != nil && perr.Context.Command() != "" {
			fmt.Fprintf(stderr, "Run \"tally %s --help\" for its flags.\n", perr.Context.Command())
		} else {
			fmt.Fprintln(stderr, `Run "tally --help" for the commands.`)
		}
		return exitUsage
	}
	if err := ctx.Run(); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			if ee.err != nil {
				fmt.Fprintf(stderr, "tally: error: %v\n", ee.err)
			}
			return ee.code
		}
		if !errors.As(err, new(loggedError)) {
			fmt.Fprintf(stderr, "tally: error: %v\n", err)
		}
		return exitFailed
	}
	return 0
}

// loggedError is an error a command already reported through its logger
// (serve in production logs JSON for log collectors), so run does not
// print it a second time.
type loggedError struct{ error }

// Unwrap returns the error that was logged.
func (e loggedError) Unwrap() error { return e.error }

// exitError makes run exit with code, printing err unless it is nil (a
// command that reported its outcome itself, like audit's discrepancies).
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

// Unwrap returns the error to print, if any.
func (e exitError) Unwrap() error { return e.err }
