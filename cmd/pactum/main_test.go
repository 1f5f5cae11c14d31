package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"pactum/internal/store/storetest"
)

// binary is the pactum command built once for these tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pactum-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "pactum")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build pactum:", err)
		os.Exit(1)
	}
	code := storetest.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// instance is a running pactum serve.
type instance struct {
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan error
}

func (in *instance) output() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.stdout.String()
}

var runningAt = regexp.MustCompile(`running at (http://\S+)`)

// start runs the binary with args and env, waits until it says where it runs and /healthz
// answers 200, and stops it when the test ends.
func start(t *testing.T, env []string, args ...string) *instance {
	t.Helper()
	in := &instance{cmd: exec.Command(binary, args...), done: make(chan error, 1)}
	in.cmd.Env = append(os.Environ(), env...)
	stdout, err := in.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in.cmd.Stderr = &lockedWriter{mu: &in.mu, w: &in.stderr}
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			line := scanner.Text()
			in.mu.Lock()
			in.stdout.WriteString(line + "\n")
			in.mu.Unlock()
			if m := runningAt.FindStringSubmatch(line); m != nil {
				urls <- m[1]
			}
		}
		in.done <- in.cmd.Wait()
	}()
	t.Cleanup(func() {
		if in.cmd.ProcessState == nil {
			in.cmd.Process.Kill()
			<-in.done
		}
	})
	select {
	case in.url = <-urls:
	case err := <-in.done:
		t.Fatalf("pactum exited before serving: %v\nstdout:\n%s\nstderr:\n%s", err, in.output(), in.stderr.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("pactum did not start within 90s\nstderr:\n%s", in.stderr.String())
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(in.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return in
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz did not answer 200 within 30s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and expects a clean exit.
func (in *instance) stop(t *testing.T) {
	t.Helper()
	in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-in.done:
		if err != nil {
			t.Fatalf("pactum exited with %v after SIGTERM\nstderr:\n%s", err, in.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("pactum did not stop within 30s of SIGTERM")
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// signIn posts the sign-in form and reports whether it led to the start page.
func signIn(t *testing.T, base, username, password string) bool {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/login", url.Values{"username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/start"
}

var printedPassword = regexp.MustCompile(`(?m)^\s*password:\s*(\S+)\s*$`)

func TestFirstStartPrintsAnAdminLoginThatSignsIn(t *testing.T) {
	data := t.TempDir()
	in := start(t, nil, "--data", data, "--addr", "127.0.0.1:0")
	m := printedPassword.FindStringSubmatch(in.output())
	if m == nil || !strings.Contains(in.output(), "user:     admin") {
		t.Fatalf("no admin login printed:\n%s", in.output())
	}
	if !signIn(t, in.url, "admin", m[1]) {
		t.Fatal("the printed admin password does not sign in")
	}
	if signIn(t, in.url, "admin", m[1]+"x") {
		t.Fatal("a wrong password signs in")
	}
	if _, err := os.Stat(filepath.Join(data, "pactum.db")); err != nil {
		t.Errorf("no database in the data folder: %v", err)
	}
	in.stop(t)

	// A second start reuses the data and prints no new password.
	again := start(t, nil, "--data", data, "--addr", "127.0.0.1:0")
	if printedPassword.MatchString(again.output()) {
		t.Errorf("second start printed a password:\n%s", again.output())
	}
	if !signIn(t, again.url, "admin", m[1]) {
		t.Error("the admin password of the first start no longer signs in")
	}
	again.stop(t)
}

func TestAdminPasswordFromTheEnvironmentIsNotPrinted(t *testing.T) {
	const password = "a long secret for tests"
	in := start(t, []string{"PACTUM_ADMIN_PASSWORD=" + password, "PACTUM_DEMO=false"}, "--data", t.TempDir(), "--addr", "127.0.0.1:0")
	if strings.Contains(in.output(), password) || printedPassword.MatchString(in.output()) {
		t.Errorf("the password was printed:\n%s", in.output())
	}
	if !signIn(t, in.url, "admin", password) {
		t.Error("PACTUM_ADMIN_PASSWORD does not sign in")
	}
	in.stop(t)
}

// run runs the binary to completion and returns its exit code and output.
func run(t *testing.T, env []string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

func TestStartFailsClearlyWhenThePortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, stderr := run(t, []string{"PACTUM_DEMO=false"}, "", "--data", t.TempDir(), "--addr", ln.Addr().String())
	if code == 0 || !strings.Contains(stderr, "cannot listen on "+ln.Addr().String()) {
		t.Errorf("port taken: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestStartFailsClearlyWhenTheDatabaseCannotBeOpened(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, nil, "", "--data", file, "--addr", "127.0.0.1:0")
	if code == 0 || !strings.Contains(stderr, "data folder") {
		t.Errorf("data folder is a file: exit %d, stderr:\n%s", code, stderr)
	}
	code, _, stderr = run(t, nil, "", "--database-url", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", "--addr", "127.0.0.1:0")
	if code == 0 || !strings.Contains(stderr, "connect to postgres") {
		t.Errorf("unreachable PostgreSQL: exit %d, stderr:\n%s", code, stderr)
	}
	code, _, stderr = run(t, nil, "", "--database-url", "mysql://somewhere/db")
	if code == 0 || !strings.Contains(stderr, "postgres://") {
		t.Errorf("wrong database URL: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestServesOnPostgreSQL(t *testing.T) {
	server := os.Getenv(storetest.EnvPostgresURL)
	if server == "" {
		t.Skip(storetest.EnvPostgresURL + " is not set")
	}
	dbURL := storetest.CreatePostgresDatabase(t, server)
	in := start(t, []string{"PACTUM_DATABASE_URL=" + dbURL}, "--data", t.TempDir(), "--addr", "127.0.0.1:0")
	m := printedPassword.FindStringSubmatch(in.output())
	if m == nil || !signIn(t, in.url, "admin", m[1]) {
		t.Fatalf("no working admin login on PostgreSQL:\n%s", in.output())
	}
	in.stop(t)
}

func TestSubcommands(t *testing.T) {
	data := t.TempDir()
	env := []string{"PACTUM_DATA=" + data}

	code, out, stderr := run(t, env, "", "user", "add", "alice", "--role", "officer", "--email", "alice@example.org")
	m := printedPassword.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("user add: exit %d\n%s%s", code, out, stderr)
	}
	alicePassword := m[1]
	if code, _, stderr := run(t, env, "", "user", "add", "alice", "--role", "officer"); code == 0 || !strings.Contains(stderr, "alice") {
		t.Errorf("adding alice twice: exit %d, %s", code, stderr)
	}
	if code, _, stderr := run(t, env, "", "user", "add", "bob", "--role", "chief"); code == 0 || !strings.Contains(stderr, "role") {
		t.Errorf("unknown role: exit %d, %s", code, stderr)
	}
	if code, out, _ := run(t, env, "another password for bob\n", "user", "add", "bob", "--role", "viewer", "--password-stdin"); code != 0 || printedPassword.MatchString(out) {
		t.Errorf("user add --password-stdin: exit %d, printed %q", code, out)
	}
	if code, out, _ := run(t, env, "", "user", "list"); code != 0 || !strings.Contains(out, "alice") || !strings.Contains(out, "officer") || !strings.Contains(out, "bob") {
		t.Errorf("user list: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, env, "", "token", "create", "alice", "--name", "tests")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	if code != 0 || !strings.HasPrefix(token, "pct_") {
		t.Fatalf("token create: exit %d\n%s", code, out)
	}
	if code, out, _ := run(t, env, "", "migrate", "status"); code != 0 || !strings.Contains(out, "0001") || strings.Contains(out, "pending") {
		t.Errorf("migrate status: exit %d\n%s", code, out)
	}
	if code, out, _ := run(t, env, "", "migrate"); code != 0 || !strings.Contains(out, "up to date") {
		t.Errorf("migrate: exit %d\n%s", code, out)
	}

	// Accounts exist but no administrator: serve creates one, and prints its login.
	in := start(t, nil, "--data", data, "--addr", "127.0.0.1:0")
	if !strings.Contains(in.output(), "user:     admin") {
		t.Errorf("serve did not create an administrator when there was none:\n%s", in.output())
	}
	if !signIn(t, in.url, "alice", alicePassword) {
		t.Error("the password printed by 'user add' does not sign in")
	}
	req, _ := http.NewRequest(http.MethodGet, in.url+"/api/v1/reports/agreements?from=2014&to=2017", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The database was created by 'user add', not by a start of serve: it holds no demo data.
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"total":{"new":0,"amendments":0`) {
		t.Errorf("API with the created token: %d\n%s", resp.StatusCode, body)
	}

	// A backup taken while the server runs is a database that opens and holds the same data.
	backup := filepath.Join(t.TempDir(), "copy.db")
	if code, out, stderr := run(t, env, "", "backup", backup); code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, out, stderr)
	}
	in.stop(t)
	copyDir := filepath.Dir(backup)
	if err := os.Rename(backup, filepath.Join(copyDir, "pactum.db")); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(t, []string{"PACTUM_DATA=" + copyDir}, "", "user", "list"); code != 0 || !strings.Contains(out, "alice") {
		t.Errorf("the backup does not hold the users: exit %d\n%s", code, out)
	}
	if code, _, stderr := run(t, env, "", "backup", filepath.Join(copyDir, "pactum.db")); code == 0 || !strings.Contains(stderr, "exists") {
		t.Errorf("backup over an existing file: exit %d, %s", code, stderr)
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, cmd := range []string{"serve", "migrate", "user", "token", "backup", "generate"} {
		code, _, stderr := run(t, nil, "", cmd, "--help")
		if code != 0 || !strings.Contains(stderr, "Usage: pactum "+cmd) || !strings.Contains(stderr, "-data") {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, stderr)
		}
	}
	if code, out, _ := run(t, nil, "", "help"); code != 0 || !strings.Contains(out, "generate") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
	if code, _, _ := run(t, nil, "", "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

func TestGenerateMakesALargeDataset(t *testing.T) {
	data := t.TempDir()
	code, out, stderr := run(t, nil, "", "generate", "--data", data, "--partners", "300", "--agreements", "2000")
	if code != 0 || !strings.Contains(out, "Generated 300 partners") {
		t.Fatalf("generate: exit %d\n%s%s", code, out, stderr)
	}
	code, _, stderr = run(t, nil, "", "generate", "--data", data, "--partners", "3", "--agreements", "3")
	if code == 0 || !strings.Contains(stderr, "already holds") {
		t.Errorf("generate into a full database: exit %d\n%s", code, stderr)
	}
}
