package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/beep/iam/runtime/config"
)

var opsKeys = []string{"DATABASE_CONNECT_TIMEOUT", "DATABASE_QUERY_TIMEOUT", "JANITOR_INTERVAL", "JANITOR_OUTBOX_RETENTION"}

func TestOps(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    config.Ops
		wantErr []string
	}{
		{"defaults", nil, config.Ops{DatabaseConnectTimeout: time.Second, DatabaseQueryTimeout: 2 * time.Second, JanitorInterval: 10 * time.Minute, OutboxRetention: 7 * 24 * time.Hour}, nil},
		{"set, zero turning the query bound and the janitor off",
			map[string]string{"DATABASE_CONNECT_TIMEOUT": "3", "DATABASE_QUERY_TIMEOUT": "0", "JANITOR_INTERVAL": "0", "JANITOR_OUTBOX_RETENTION": "60"},
			config.Ops{DatabaseConnectTimeout: 3 * time.Second, JanitorInterval: 0, OutboxRetention: time.Minute}, nil},
		{"invalid", map[string]string{"DATABASE_CONNECT_TIMEOUT": "0", "DATABASE_QUERY_TIMEOUT": "-1", "JANITOR_INTERVAL": "soon", "JANITOR_OUTBOX_RETENTION": "0"},
			config.Ops{}, opsKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "iam.db")}
			for k, v := range tt.env {
				env[k] = v
			}
			setenv(t, env)
			for _, k := range opsKeys {
				if _, ok := tt.env[k]; !ok {
					t.Setenv(k, "")
					os.Unsetenv(k)
				}
			}
			c, err := config.Load(quiet)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("Load = %+v, want errors naming %v", c.Ops, tt.wantErr)
				}
				for _, k := range tt.wantErr {
					if !strings.Contains(err.Error(), k) {
						t.Errorf("Load error %q does not name %s", err, k)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Ops != tt.want {
				t.Fatalf("Ops = %+v, want %+v", c.Ops, tt.want)
			}
		})
	}
}
