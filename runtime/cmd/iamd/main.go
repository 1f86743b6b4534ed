// Command iamd is the Beep IAM server.
//
//	iamd [serve]                 serve the REST API (the default)
//	iamd migrate up|down|status  manage the database schema, then exit
//
// Every setting is an environment variable; see the README.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"go.uber.org/fx"

	"github.com/beep/iam/infrastructure/telemetry"
	"github.com/beep/iam/runtime/config"
	"github.com/beep/iam/runtime/module"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	boot := telemetry.NewLogger(os.Stderr, slog.LevelInfo)
	cfg, err := config.Load(boot)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "serve":
		return serve(cfg)
	case "migrate":
		if len(args) != 2 {
			fmt.Fprintln(os.Stderr, "usage: iamd migrate up|down|status")
			return 2
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := module.Migrate(ctx, cfg, args[1], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "migrate:", err)
			return 1
		}
		return 0
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q; usage: iamd [serve] | iamd migrate up|down|status\n", cmd)
		return 2
	}
}

func serve(cfg config.Config) int {
	app := fx.New(module.Server(cfg))
	if err := app.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		return 1
	}
	sig := <-app.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := app.Stop(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "stop:", err)
		return 1
	}
	return sig.ExitCode
}
