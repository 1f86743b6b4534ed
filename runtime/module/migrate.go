package module

import (
	"context"
	"fmt"
	"io"

	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/beep/iam/runtime/config"
)

// Migrate runs one `iamd migrate` command (up, down or status) against the
// configured database and returns; it never serves. It needs no graph.
func Migrate(ctx context.Context, c config.Config, command string, out io.Writer) error {
	db, err := bunstore.Open(ctx, c.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	m := bunstore.NewMigrator(db)
	switch command {
	case "up":
		if err := m.Up(ctx); err != nil {
			return err
		}
	case "down":
		if err := m.Down(ctx); err != nil {
			return err
		}
	case "status":
	default:
		return fmt.Errorf("unknown migrate command %q: want up, down or status", command)
	}
	st, err := m.Status(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, st)
	return err
}
