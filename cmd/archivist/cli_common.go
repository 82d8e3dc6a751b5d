package main

// The CLI verbs (status, files, upload, download, node start|stop|restart,
// devices) talk to a running Archivist over its UI API, found from --home
// (or the default home) like `syncthing cli` finds its instance.
//
// Exit codes (cli.ExitCodesHelp; main exits with exitCode(err)):
//
//	0  ok
//	1  the operation failed (the API's error message is printed to stderr)
//	2  usage error: bad flags or arguments, an invalid CID (checked locally)
//	3  Archivist is not running / unreachable
//	4  the node is not running (the API answered 503 "Node not running")
//	5  not found (404)

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/archivist-desktop/archivist/internal/app/paths"
	"github.com/archivist-desktop/archivist/internal/cli"
	"github.com/archivist-desktop/archivist/internal/node/dag"
)

// cliCommands are the CLI verbs for the root command.
func cliCommands() []*cobra.Command {
	return []*cobra.Command{statusCommand(), filesCommand(), uploadCommand(), downloadCommand(), devicesCommand(), foldersCommand(), backupCommand(),
		backupServerCommand(), versionsCommand(), restoreCommand(), updateCommand()}
}

// cliFlags are the flags every CLI verb takes.
type cliFlags struct {
	home  string
	json  bool
	quiet bool
}

// register adds the flags; --home is persistent so that it works on a
// group's subcommands (`archivist files ls --home DIR`).
func (f *cliFlags) register(cmd *cobra.Command, persistent bool) {
	fs := cmd.Flags()
	if persistent {
		fs = cmd.PersistentFlags()
	}
	f.registerOn(fs)
}

func (f *cliFlags) registerOn(fs *pflag.FlagSet) {
	fs.StringVar(&f.home, "home", "", "the home of the running Archivist (default: the OS locations)")
	fs.BoolVar(&f.json, "json", false, "print the API's JSON, for scripts")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress and no messages besides the result")
}

// connect finds the running instance of the chosen home.
func (f *cliFlags) connect() (*cli.Client, error) {
	layout, err := paths.Default()
	if f.home != "" {
		layout, err = paths.ForHome(f.home)
	}
	if err != nil {
		return nil, err
	}
	return cli.Connect(layout)
}

// cliCommand sets what all CLI verbs share: exit codes in the help, usage
// errors for bad flags.
func cliCommand(cmd *cobra.Command) *cobra.Command {
	cmd.Long = strings.TrimSpace(cmd.Long+"\n\n"+cli.ExitCodesHelp) + "\n"
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &cli.UsageError{Err: err}
	})
	return cmd
}

// groupCommand is a verb with subcommands only: alone it shows its help,
// with an unknown subcommand it is a usage error.
func groupCommand(cmd *cobra.Command, subs ...*cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return cli.Usagef("unknown command %q for %q (see `%s --help`)", args[0], cmd.CommandPath(), cmd.CommandPath())
	}
	for _, s := range subs {
		cmd.AddCommand(cliCommand(s))
	}
	return cliCommand(cmd)
}

// args checks the number of positional arguments, as a usage error.
func args(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) >= lo && (hi < 0 || len(args) <= hi) {
			return nil
		}
		return cli.Usagef("%s: wrong number of arguments (usage: %s)", cmd.CommandPath(), cmd.UseLine())
	}
}

// parseCID checks a CID locally, before anything is sent.
func parseCID(s string) error {
	if _, err := dag.ParseCID(s); err != nil {
		return cli.Usagef("%q is not a valid CID: %v", s, err)
	}
	return nil
}

// exitCode is the process exit status for what the command returned:
// cli.ExitCode, plus usage errors that cobra reports as plain errors (an
// unknown command or flag outside the CLI verbs).
func exitCode(err error) int {
	if err == nil {
		return cli.ExitOK
	}
	var usage *cli.UsageError
	if !errors.As(err, &usage) {
		msg := err.Error()
		for _, p := range []string{"unknown command ", "unknown flag: ", "unknown shorthand flag: ", "flag needs an argument: ", "invalid argument "} {
			if strings.HasPrefix(msg, p) {
				return cli.ExitUsage
			}
		}
	}
	return cli.ExitCode(err)
}

// note prints a message for people on stderr, unless --quiet.
func (f *cliFlags) note(cmd *cobra.Command, format string, a ...any) {
	if !f.quiet {
		fmt.Fprintf(cmd.ErrOrStderr(), format+"\n", a...)
	}
}
