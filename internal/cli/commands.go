package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"pactum/internal/civil"
	"pactum/internal/config"
	"pactum/internal/demo"
	"pactum/internal/store"
	"pactum/internal/user"
)

func runMigrate(ctx context.Context, env Env, args []string) error {
	var cfg config.Config
	fs := flagSet(env, "migrate", "migrate [up|status] [flags]")
	positional, err := parseData(fs, env, args, &cfg)
	if err != nil {
		return err
	}
	action := "up"
	if len(positional) > 0 {
		action = positional[0]
	}
	if len(positional) > 1 || (action != "up" && action != "status") {
		return fmt.Errorf("%w: want 'migrate up' or 'migrate status'", errUsage)
	}
	db, err := store.Open(ctx, cfg.DataDir, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if action == "status" {
		list, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tNAME\tAPPLIED")
		for _, m := range list {
			applied := "pending"
			if !m.AppliedAt.IsZero() {
				applied = m.AppliedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%04d\t%s\t%s\n", m.Version, m.Name, applied)
		}
		return tw.Flush()
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", db.Location, err)
	}
	if len(applied) == 0 {
		fmt.Fprintln(env.Stdout, "The database is up to date.")
	}
	for _, m := range applied {
		fmt.Fprintf(env.Stdout, "applied %04d_%s\n", m.Version, m.Name)
	}
	return nil
}

func runUser(ctx context.Context, env Env, args []string) error {
	var cfg config.Config
	fs := flagSet(env, "user", "user add USERNAME --role ROLE [flags] | user passwd USERNAME [flags] | user list [flags]")
	role := fs.String("role", "", "role of a new user: admin, officer, regional_officer, viewer or external")
	email := fs.String("email", "", "e-mail address of a new user")
	name := fs.String("name", "", "display name of a new user")
	region := fs.String("region", "", "region of a regional officer (AFR, AMS, ARB, ASP, CIS, EUR)")
	language := fs.String("language", "", "preferred language of a new user (ar, en, es, fr, ru, zh)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input instead of generating one")
	positional, err := parseData(fs, env, args, &cfg)
	if err != nil {
		return err
	}
	if len(positional) == 0 {
		return fmt.Errorf("%w: want 'user add USERNAME', 'user passwd USERNAME' or 'user list'", errUsage)
	}
	action := positional[0]
	wantArgs := map[string]int{"add": 2, "passwd": 2, "list": 1}
	if n, ok := wantArgs[action]; !ok || len(positional) != n {
		return fmt.Errorf("%w: want 'user add USERNAME', 'user passwd USERNAME' or 'user list'", errUsage)
	}
	log := newLogger(&cfg, env.Stderr)
	db, err := openDatabase(ctx, &cfg, log, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()

	switch action {
	case "list":
		users, err := db.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tROLE\tREGION\tE-MAIL\tACTIVE")
		for _, u := range users {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\n", u.Username, u.Role, u.Region, u.Email, u.Active)
		}
		return tw.Flush()
	case "add":
		password, generated, err := choosePassword(env.Stdin, *fromStdin)
		if err != nil {
			return err
		}
		hash, err := user.HashPassword(ctx, password)
		if err != nil {
			return err
		}
		u := &user.User{Username: positional[1], Email: *email, DisplayName: *name, Role: user.Role(*role),
			Region: *region, Language: *language, Active: true, PasswordHash: hash}
		if err := db.CreateUser(ctx, u); err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "Created user %s (%s).\n", u.Username, u.Role)
		if generated {
			fmt.Fprintf(env.Stdout, "password: %s\n", password)
		}
		return nil
	default: // passwd
		u, err := db.UserByUsername(ctx, positional[1])
		if err != nil {
			return describe(err)
		}
		password, generated, err := choosePassword(env.Stdin, *fromStdin)
		if err != nil {
			return err
		}
		hash, err := user.HashPassword(ctx, password)
		if err != nil {
			return err
		}
		if err := db.SetPasswordHash(ctx, u.ID, hash); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Changed the password of %s; their sessions are ended and their API tokens revoked.\n", u.Username)
		if generated {
			fmt.Fprintf(env.Stdout, "password: %s\n", password)
		}
		return nil
	}
}

// choosePassword reads a password from the first line of stdin, or makes a random one.
func choosePassword(stdin io.Reader, fromStdin bool) (password string, generated bool, err error) {
	if !fromStdin {
		return user.NewPassword(), true, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", false, fmt.Errorf("read password: %w", err)
	}
	password = strings.TrimRight(line, "\r\n")
	if err := user.CheckPassword(password); err != nil {
		return "", false, fmt.Errorf("the password needs at least %d characters", user.MinPasswordLength)
	}
	return password, false, nil
}

func runBackup(ctx context.Context, env Env, args []string) error {
	var cfg config.Config
	fs := flagSet(env, "backup", "backup FILE [flags]")
	positional, err := parseData(fs, env, args, &cfg)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		return fmt.Errorf("%w: want 'backup FILE'", errUsage)
	}
	db, err := store.Open(ctx, cfg.DataDir, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, positional[0]); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Copied %s to %s.\n", db.Location, positional[0])
	return nil
}

func runGenerate(ctx context.Context, env Env, args []string) error {
	var cfg config.Config
	fs := flagSet(env, "generate", "generate --partners N --agreements M [flags]")
	partners := fs.Int("partners", 100_000, "number of partners")
	agreements := fs.Int("agreements", 1_000_000, "number of agreements, amendments included")
	if _, err := parseData(fs, env, args, &cfg); err != nil {
		return err
	}
	if *partners < 1 || *agreements < 0 {
		return fmt.Errorf("%w: --partners must be at least 1 and --agreements at least 0", errUsage)
	}
	log := newLogger(&cfg, env.Stderr)
	db, err := openDatabase(ctx, &cfg, log, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	last := time.Time{}
	progress := func(stage string, done, total int) {
		if time.Since(last) < 500*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		fmt.Fprintf(env.Stderr, "\r%-10s %9d / %d", stage, done, total)
		if done == total {
			fmt.Fprintln(env.Stderr)
		}
	}
	if err := demo.Generate(ctx, db, *partners, *agreements, civil.Of(time.Now()), progress); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Generated %d partners and %d agreements in %s.\n", *partners, *agreements, time.Since(start).Round(time.Second))
	return nil
}
