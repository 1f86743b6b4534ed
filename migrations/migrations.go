// Package migrations holds Beep IAM's database schema as SQL migrations, one
// directory per dialect (postgres/ and sqlite/), embedded in the binary.
//
// Contract: files are named <14-digit timestamp>_<name>.[tx.]up.sql and
// .[tx.]down.sql, the layout bun/migrate's Migrations.Discover reads; both
// dialects carry the same migrations under the same names with the same
// schema semantics; a migration is never edited once released, only
// followed by a new one. The package has no dependencies: the migrator in
// infrastructure/bunstore turns these file systems into bun migrations.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Postgres holds the PostgreSQL migrations at its root.
var Postgres = mustSub("postgres")

// SQLite holds the SQLite migrations at its root.
var SQLite = mustSub("sqlite")

// mustSub roots files at dir. It cannot fail for the directories embedded
// above, so a failure is a build mistake and panics at start-up.
func mustSub(dir string) fs.FS {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		panic("migrations: " + err.Error())
	}
	return sub
}
