package config

import (
	"errors"
	"flag"
	"io"
	"testing"
)

func parse(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	var c Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	check := c.Flags(fs, func(k string) string { return env[k] })
	checkServe := c.ServeFlags(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, errors.Join(check(), checkServe())
}

func TestDefaultsEnvironmentAndFlags(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.Addr != "127.0.0.1:8080" || c.DataDir != "pactum-data" || !c.Demo || c.DatabaseURL != "" {
		t.Errorf("defaults: %+v %v", c, err)
	}
	env := map[string]string{EnvAddr: ":9000", EnvData: "/srv/pactum", EnvDemo: "false", EnvDatabaseURL: "postgres://db/pactum", EnvAdminPassword: "s3cret-s3cret"}
	c, err = parse(t, env)
	if err != nil || c.Addr != ":9000" || c.DataDir != "/srv/pactum" || c.Demo || c.DatabaseURL != "postgres://db/pactum" || c.AdminPassword != "s3cret-s3cret" {
		t.Errorf("from the environment: %+v %v", c, err)
	}
	c, err = parse(t, env, "--addr", ":9100", "--demo=true", "--data", "here")
	if err != nil || c.Addr != ":9100" || !c.Demo || c.DataDir != "here" {
		t.Errorf("flags over the environment: %+v %v", c, err)
	}
}

func TestBadValuesAreRefused(t *testing.T) {
	if _, err := parse(t, map[string]string{EnvDemo: "perhaps"}); err == nil {
		t.Error("PACTUM_DEMO=perhaps: no error")
	}
	if _, err := parse(t, nil, "--log-format", "xml"); err == nil {
		t.Error("--log-format xml: no error")
	}
	if _, err := parse(t, nil, "--log-level", "loud"); err == nil {
		t.Error("--log-level loud: no error")
	}
}
