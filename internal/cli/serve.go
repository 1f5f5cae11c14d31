package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"pactum/internal/apperr"
	"pactum/internal/config"
	"pactum/internal/i18n"
	"pactum/internal/importjob"
	"pactum/internal/jobs"
	"pactum/internal/mail"
	"pactum/internal/store"
	"pactum/internal/user"
	"pactum/internal/web"
)

// shutdownGrace is how long requests in flight may take to finish after SIGINT or SIGTERM.
const shutdownGrace = 15 * time.Second

func runServe(ctx context.Context, env Env, args []string) error {
	var cfg config.Config
	fs := flagSet(env, "serve", "serve [flags]")
	checkServe := cfg.ServeFlags(fs, env.Getenv)
	if _, err := parseData(fs, env, args, &cfg); err != nil {
		return err
	}
	if err := checkServe(); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	log := newLogger(&cfg, env.Stderr)

	db, err := store.Open(ctx, cfg.DataDir, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	// Take the port before the slower start-up work, so that a port in use is reported at once.
	listener, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w (is another Pactum running? choose another with --addr)", cfg.Addr, err)
	}
	defer listener.Close()
	created, err := prepareDatabase(ctx, db, log)
	if err != nil {
		return err
	}
	if created && cfg.Demo {
		if err := loadDemo(ctx, db, log); err != nil {
			return err
		}
	}
	db.CopyAgreementCodesInBackground()
	if err := ensureAdmin(ctx, db, &cfg, env); err != nil {
		return err
	}
	sender, err := mail.NewSender(db, cfg.SMTPURL, cfg.MailFrom, log)
	if err != nil {
		return err
	}
	senderCtx, cancelSender := context.WithCancel(ctx)
	senderDone := make(chan struct{})
	go func() { defer close(senderDone); sender.Run(senderCtx) }()
	stopSender := func() { cancelSender(); <-senderDone }
	defer stopSender()
	bundle, err := i18n.Load()
	if err != nil {
		return err
	}
	baseURL := cfg.BaseURL
	if baseURL == "" {
		baseURL = "http://" + listener.Addr().String()
	}
	imports := importjob.New(db, log)
	server, err := web.New(db, bundle, log, web.Options{BaseURL: baseURL, MailQueued: sender.Wake,
		ImportQueued: imports.Wake, ImportRowsDone: imports.RowsDone})
	if err != nil {
		return err
	}
	runner := &jobs.Runner{DB: db, Bundle: bundle, BaseURL: baseURL, Log: log, MailQueued: sender.Wake}
	jobsCtx, cancelJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() { defer close(jobsDone); runner.Run(jobsCtx) }()
	stopJobs := func() { cancelJobs(); <-jobsDone }
	defer stopJobs()
	// Every server runs the imports confirmed on the web pages, its own and other servers'; one
	// that the shutdown interrupts is queued again, for this or another server to run.
	importsCtx, cancelImports := context.WithCancel(ctx)
	importsDone := make(chan struct{})
	go func() { defer close(importsDone); imports.Run(importsCtx) }()
	stopImports := func() { cancelImports(); <-importsDone }
	defer stopImports()
	httpServer := server.HTTPServer(cfg.Addr)
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpServer.Serve(listener) }()

	url := "http://" + listener.Addr().String()
	log.Info("Pactum is ready", "url", url, "database", db.Location)
	fmt.Fprintf(env.Stdout, "Pactum is running at %s (stop it with Ctrl+C)\n", url)
	if env.Ready != nil {
		env.Ready(listener.Addr().String())
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	stopJobs()
	stopImports()
	stopSender()
	log.Info("stopped")
	return nil
}

// ensureAdmin creates the first administrator when there is none yet and prints its login
// once: user admin, with PACTUM_ADMIN_PASSWORD as password when set (then nothing secret is
// printed) or a random one.
func ensureAdmin(ctx context.Context, db *store.DB, cfg *config.Config, env Env) error {
	n, err := db.CountAdmins(ctx)
	if err != nil || n > 0 {
		return err
	}
	password := cfg.AdminPassword
	generated := password == ""
	if generated {
		password = user.NewPassword()
	} else if err := user.CheckPassword(password); err != nil {
		return fmt.Errorf("%s is too short: at least %d characters", config.EnvAdminPassword, user.MinPasswordLength)
	}
	hash, err := user.HashPassword(ctx, password)
	if err != nil {
		return err
	}
	admin := &user.User{Username: "admin", DisplayName: "Administrator", Role: user.RoleAdmin, Active: true, PasswordHash: hash}
	if err := db.CreateUser(ctx, admin); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil // another server created it first
		}
		return fmt.Errorf("create administrator: %w", err)
	}
	if generated {
		fmt.Fprintf(env.Stdout, "\nPactum created an administrator account. Sign in with:\n  user:     admin\n  password: %s\n"+
			"This password is shown only this once; change it with 'pactum user passwd admin'.\n\n", password)
	} else {
		fmt.Fprintf(env.Stdout, "Pactum created the administrator account 'admin' with the password from %s.\n", config.EnvAdminPassword)
	}
	return nil
}
