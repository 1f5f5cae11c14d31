// Package cli is the pactum command: its subcommands, their flags and their output. main only
// calls Main, so tests run the same code with their own arguments, environment and streams.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"

	"pactum/internal/config"
)

// Env is what a command run sees of the world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv config.Getenv
	// Ready, when set, hears the address serve listens on once it accepts requests.
	Ready func(addr string)
}

// errUsage marks a mistake in the command line; Main exits 2 for it after showing the usage.
var errUsage = errors.New("usage")

type command struct {
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"serve":    {"run the web application (the default)", runServe},
		"migrate":  {"apply database migrations (up) or list them (status)", runMigrate},
		"user":     {"manage accounts: add, passwd, list", runUser},
		"token":    {"manage a user's API tokens: create, list, revoke", runToken},
		"backup":   {"write a consistent copy of the SQLite database: backup FILE", runBackup},
		"generate": {"fill an empty database with a large synthetic dataset for benchmarks", runGenerate},
		"import":   {"import partners, agreements or currency rates from a file: import KIND FILE [--dry-run]", runImport},
	}
}

// Main runs the pactum command with args (without the program name) and returns the exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		printUsage(env.Stdout)
		return 0
	}
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(env.Stderr, "pactum: unknown command %q\n\n", name)
		printUsage(env.Stderr)
		return 2
	}
	err := cmd.run(ctx, env, args)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(env.Stderr, "pactum %s: %v\n", name, err)
		return 2
	default:
		fmt.Fprintf(env.Stderr, "pactum %s: %v\n", name, err)
		return 1
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: pactum [command] [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'pactum COMMAND --help' for a command's flags.")
}

// flagSet returns a flag set that writes its usage to env.Stderr.
func flagSet(env Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("pactum "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: pactum %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterleaved parses flags that may come before, between or after positional arguments
// ("user add alice --role officer") and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// newLogger builds the structured logger the configuration asks for, writing to w.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// parseData registers the data flags on fs, parses args and checks the values.
func parseData(fs *flag.FlagSet, env Env, args []string, cfg *config.Config) ([]string, error) {
	check := cfg.Flags(fs, env.Getenv)
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := check(); err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return positional, nil
}
