// Package config holds Pactum's settings. Each setting is a command-line flag with a PACTUM_*
// environment variable as its default, so the same binary is configured the same way by hand,
// in a service file or in a container. The configuration is built once in main and passed down.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strconv"
)

// Config is the configuration shared by every subcommand that touches data.
type Config struct {
	Addr        string // where serve listens
	BaseURL     string // the address people reach Pactum at, for links in e-mails
	DataDir     string // the SQLite data folder
	DatabaseURL string // postgres://… to use PostgreSQL instead of SQLite
	Demo        bool   // serve only: load the demo dataset into the database this start creates
	LogFormat   string // text or json
	LogLevel    string // debug, info, warn, error
	SMTPURL     string // smtp://… or smtps://… of the mail server; empty: mail waits in the outbox
	MailFrom    string // the sender address of Pactum's e-mail
	// AdminPassword, from PACTUM_ADMIN_PASSWORD only (never a flag, which would show in ps),
	// is the password of the first administrator; empty means a random one is printed.
	AdminPassword string
}

// Environment variables, one per flag.
const (
	EnvAddr          = "PACTUM_ADDR"
	EnvBaseURL       = "PACTUM_BASE_URL"
	EnvData          = "PACTUM_DATA"
	EnvDatabaseURL   = "PACTUM_DATABASE_URL"
	EnvDemo          = "PACTUM_DEMO"
	EnvLogFormat     = "PACTUM_LOG_FORMAT"
	EnvLogLevel      = "PACTUM_LOG_LEVEL"
	EnvSMTPURL       = "PACTUM_SMTP_URL"
	EnvMailFrom      = "PACTUM_MAIL_FROM"
	EnvAdminPassword = "PACTUM_ADMIN_PASSWORD"
)

// Getenv reads an environment variable; tests pass their own.
type Getenv func(string) string

// Flags registers the data flags on fs with defaults from the environment. It returns a function
// to call after fs.Parse that reports an environment variable with a bad value.
func (c *Config) Flags(fs *flag.FlagSet, getenv Getenv) func() error {
	var envErr error
	str := func(name string, fallback string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return fallback
	}
	fs.StringVar(&c.DataDir, "data", str(EnvData, "pactum-data"), "folder of the SQLite database and files (env "+EnvData+")")
	fs.StringVar(&c.DatabaseURL, "database-url", str(EnvDatabaseURL, ""), "postgres://… URL: use PostgreSQL instead of SQLite (env "+EnvDatabaseURL+")")
	fs.StringVar(&c.LogFormat, "log-format", str(EnvLogFormat, "text"), "log format: text or json (env "+EnvLogFormat+")")
	fs.StringVar(&c.LogLevel, "log-level", str(EnvLogLevel, "info"), "log level: debug, info, warn or error (env "+EnvLogLevel+")")
	fs.StringVar(&c.SMTPURL, "smtp-url", str(EnvSMTPURL, ""), "smtp://[user:password@]host[:port] or smtps://…: the mail server; without it e-mail waits in the outbox (env "+EnvSMTPURL+")")
	fs.StringVar(&c.MailFrom, "mail-from", str(EnvMailFrom, "Pactum <pactum@localhost>"), "sender address of Pactum's e-mail (env "+EnvMailFrom+")")
	c.AdminPassword = getenv(EnvAdminPassword)
	return func() error {
		if envErr != nil {
			return envErr
		}
		switch c.LogFormat {
		case "text", "json":
		default:
			return fmt.Errorf("--log-format %q: want text or json", c.LogFormat)
		}
		switch c.LogLevel {
		case "debug", "info", "warn", "error":
		default:
			return fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel)
		}
		if c.SMTPURL != "" {
			// The message names no URL: it may hold a password.
			if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
				return errors.New("--smtp-url: want smtp://[user:password@]host[:port] or smtps://…")
			}
		}
		if _, err := mail.ParseAddress(c.MailFrom); err != nil {
			return fmt.Errorf("--mail-from %q: want an address such as Pactum <pactum@example.org>", c.MailFrom)
		}
		return nil
	}
}

// ServeFlags registers the flags only serve has. It returns a function to call after fs.Parse
// that reports an environment variable with a bad value.
//
// The demo flag is serve's alone: the demo dataset may go only into a database that the same
// start creates, so that no later command (a token, an account, an import) fills a registry that
// was meant to be real with fictional partners.
func (c *Config) ServeFlags(fs *flag.FlagSet, getenv Getenv) func() error {
	var envErr error
	demoDefault := true
	if v := getenv(EnvDemo); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			envErr = fmt.Errorf("%s=%q: want true or false", EnvDemo, v)
		}
		demoDefault = b
	}
	fs.BoolVar(&c.Demo, "demo", demoDefault, "load the demo dataset into the database when this start creates it; --demo=false creates it with reference data only (env "+EnvDemo+")")
	addr := getenv(EnvAddr)
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	fs.StringVar(&c.Addr, "addr", addr, "address to listen on, host:port (env "+EnvAddr+")")
	fs.StringVar(&c.BaseURL, "base-url", getenv(EnvBaseURL), "address people reach Pactum at, for links in e-mails, such as https://pactum.example.org; default: http:// and the listening address (env "+EnvBaseURL+")")
	return func() error { return envErr }
}

// OSGetenv is os.Getenv, for main.
var OSGetenv Getenv = os.Getenv
