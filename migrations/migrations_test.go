package migrations_test

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/beep/iam/migrations"
)

// fileName is bun/migrate's naming: a timestamp, a name, then the kind.
var fileName = regexp.MustCompile(`^(\d{14})_([0-9a-z_]+)\.(tx\.)?(up|down)\.sql$`)

func TestLayout(t *testing.T) {
	t.Parallel()
	dialects := map[string]fs.FS{"postgres": migrations.Postgres, "sqlite": migrations.SQLite}
	names := map[string][]string{}
	for dialect, fsys := range dialects {
		entries, err := fs.ReadDir(fsys, ".")
		if err != nil {
			t.Fatalf("%s: ReadDir: %v", dialect, err)
		}
		ups, downs := map[string]bool{}, map[string]bool{}
		for _, e := range entries {
			m := fileName.FindStringSubmatch(e.Name())
			if m == nil {
				t.Errorf("%s/%s does not follow <timestamp>_<name>.[tx.]up|down.sql", dialect, e.Name())
				continue
			}
			body, err := fs.ReadFile(fsys, e.Name())
			if err != nil {
				t.Fatalf("%s/%s: %v", dialect, e.Name(), err)
			}
			// bun formats migration SQL before running it and reads "?" as
			// a placeholder.
			if strings.Contains(string(body), "?") {
				t.Errorf("%s/%s contains '?', which bun would treat as a placeholder", dialect, e.Name())
			}
			key := m[1] + "_" + m[2]
			if m[4] == "up" {
				ups[key] = true
			} else {
				downs[key] = true
			}
		}
		for key := range ups {
			if !downs[key] {
				t.Errorf("%s: %s has no down migration", dialect, key)
			}
			names[dialect] = append(names[dialect], key)
		}
		if len(ups) != len(downs) {
			t.Errorf("%s: %d up and %d down migrations", dialect, len(ups), len(downs))
		}
		slices.Sort(names[dialect])
	}
	if len(names["postgres"]) == 0 {
		t.Fatal("no migrations embedded")
	}
	if !slices.Equal(names["postgres"], names["sqlite"]) {
		t.Errorf("dialects differ: postgres %v, sqlite %v", names["postgres"], names["sqlite"])
	}
}
