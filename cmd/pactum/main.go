// Command pactum runs Pactum, the partnership and resource-mobilisation platform. With no
// command it serves the web application; see 'pactum help'.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"pactum/internal/cli"
	"pactum/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: config.OSGetenv})
	stop()
	os.Exit(code)
}
