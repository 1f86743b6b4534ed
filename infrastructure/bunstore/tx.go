package bunstore

import (
	"context"

	"github.com/beep/iam/application/authn"
	"github.com/uptrace/bun"
)

// TxRunner runs functions in one database transaction. The transaction
// travels in the context, so repositories built on the same *bun.DB join it
// without the application ever seeing a bun.Tx.
type TxRunner struct {
	db *bun.DB
}

var _ authn.TxRunner = (*TxRunner)(nil)

// NewTxRunner returns a TxRunner over db.
func NewTxRunner(db *bun.DB) *TxRunner {
	return &TxRunner{db: db}
}

// txKey is the context key of the current transaction.
type txKey struct{}

// txValue ties a transaction to the database it belongs to, so that a
// context carrying a transaction on one database never leaks it into
// repositories of another.
type txValue struct {
	db *bun.DB
	tx bun.Tx
}

// InTx runs fn in a transaction and commits it when fn returns nil; it rolls
// back when fn returns an error (returned unchanged), panics (the panic goes
// on), or the context ends. Called inside another InTx on the same database
// it joins the outer transaction: fn's writes then commit or roll back with
// the outer ones.
func (r *TxRunner) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if current, ok := ctx.Value(txKey{}).(*txValue); ok && current.db == r.db {
		return fn(ctx)
	}
	// The connection is taken first, within the query timeout, because
	// the context of BEGIN governs the whole transaction.
	conn, err := boundedConn(ctx, r.db)
	if err != nil {
		return storageError(ctx, "begin transaction", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return storageError(ctx, "begin transaction", err)
	}
	committed := false
	defer func() {
		if !committed {
			// The error of a rollback is not actionable: either the
			// transaction is gone with its connection, or the original
			// failure explains it.
			_ = tx.Rollback()
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{}, &txValue{db: r.db, tx: tx})); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return storageError(ctx, "commit transaction", err)
	}
	committed = true
	return nil
}

// idb returns the transaction in ctx when it belongs to db, else db itself,
// so one repository method runs in or out of a transaction.
func idb(ctx context.Context, db *bun.DB) bun.IDB {
	if current, ok := ctx.Value(txKey{}).(*txValue); ok && current.db == db {
		return current.tx
	}
	return db
}
