package module_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/beep/iam/runtime/config"
	"github.com/beep/iam/runtime/module"
)

func testConfig(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	t.Setenv("BETTER_AUTH_SECRET", strings.Repeat("t", 32))
	t.Setenv("DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "iam.db"))
	t.Setenv("APP_ENV", "dev")
	t.Setenv("LOG_LEVEL", "error")
	t.Setenv("EMAIL_TRANSPORT", "memory")
	// Rate limits would trip the graph tests' bursts; ratelimit_test.go
	// turns them on.
	t.Setenv("RATE_LIMIT_ENABLED", "false")
	for k, v := range env {
		t.Setenv(k, v)
	}
	c, err := config.Load(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func graph(c config.Config) fx.Option { return module.Server(c) }

func TestGraphIsValid(t *testing.T) {
	if err := fx.ValidateApp(graph(testConfig(t, nil))); err != nil {
		t.Fatal(err)
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestStartServeStop(t *testing.T) {
	addr := freeAddr(t)
	app := fxtest.New(t, graph(testConfig(t, map[string]string{"HTTP_ADDR": addr})))
	app.RequireStart()
	resp, err := http.Get(fmt.Sprintf("http://%s/api/auth/ok", addr))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"ok":true}` {
		t.Fatalf("GET /ok = %d %s", resp.StatusCode, body)
	}
	app.RequireStop()
	if _, err := http.Get(fmt.Sprintf("http://%s/api/auth/ok", addr)); err == nil {
		t.Fatal("server still answers after stop")
	}
}

func TestServeRefusesPendingMigrationsWithoutAutoMigrate(t *testing.T) {
	c := testConfig(t, map[string]string{"HTTP_ADDR": freeAddr(t), "DATABASE_AUTO_MIGRATE": "false"})
	app := fx.New(graph(c))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := app.Start(ctx)
	if err == nil {
		_ = app.Stop(ctx)
		t.Fatal("started with pending migrations and auto-migrate off")
	}
	if !strings.Contains(err.Error(), "pending migration") || !strings.Contains(err.Error(), "iamd migrate up") {
		t.Fatalf("error = %v, want it to name the pending migrations and the fix", err)
	}
	var out strings.Builder
	if err := module.Migrate(ctx, c, "up", &out); err != nil {
		t.Fatal(err)
	}
	app = fx.New(graph(c))
	if err := app.Start(ctx); err != nil {
		t.Fatalf("start after migrate up: %v", err)
	}
	_ = app.Stop(ctx)
}

func TestBusyPortFailsStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	app := fx.New(graph(testConfig(t, map[string]string{"HTTP_ADDR": ln.Addr().String()})))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := app.Start(ctx); err == nil {
		_ = app.Stop(ctx)
		t.Fatal("started on a busy port")
	}
}
