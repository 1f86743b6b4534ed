package module_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/uptrace/bun"
)

// TestJanitorRunsWithTheApp starts the shipped graph with a 1 s janitor
// and sees an expired session disappear while the server runs.
func TestJanitorRunsWithTheApp(t *testing.T) {
	var db *bun.DB
	app := fxtest.New(t, graph(testConfig(t, map[string]string{"HTTP_ADDR": freeAddr(t), "JANITOR_INTERVAL": "1"})), fx.Populate(&db))
	app.RequireStart()
	defer app.RequireStop()
	ctx := context.Background()
	long := time.Now().Add(-48 * time.Hour).UTC()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO users (id, name, email, created_at, updated_at) VALUES ('user__j', 'J', 'j@example.com', ?, ?)", []any{long, long}},
		{"INSERT INTO sessions (id, token, user_id, expires_at, created_at, updated_at) VALUES ('session__j', 'tok', 'user__j', ?, ?, ?)", []any{long.Add(time.Hour), long, long}},
	} {
		if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		n, err := db.NewSelect().TableExpr("sessions").Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the expired session is still there 5 s after start with JANITOR_INTERVAL=1")
}
