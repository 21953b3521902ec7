// Command tally is Tally's one binary: the GraphQL API server and its
// operational subcommands (migrate, seed, token, version).
package main

import "github.com/alecthomas/kong"

func main() {
	dropEmptyEnv()
	var cli CLI
	ctx := kong.Parse(&cli,
		kong.Name("tally"),
		kong.Description("Tally: prepaid-credit billing GraphQL API."),
		kong.UsageOnError(),
	)
	ctx.FatalIfErrorf(ctx.Run(&cli.Globals))
}
