// Package bunstore is the storage adapter of Beep IAM: the authn and tenancy
// repository ports and the transaction runner implemented with bun over PostgreSQL
// (pgdialect on pgx) or SQLite (sqlitedialect on the pure-Go modernc
// driver), plus the migrator that applies the embedded schema of module
// migrations.
//
// Contract: every repository passes authntest.RunContract and
// tenancytest.RunContract on both dialects.
// A repository call joins the transaction of TxRunner.InTx when its context
// carries one and runs on its own otherwise. Driver errors stop here: rows
// that are not there become the port's not-found failure, broken unique
// keys the port's conflict, and any other failure is classified into the
// domain/failure taxonomy (or returned as an internal error) with the driver
// error kept only as the cause, for logs. Rows are bun models private to
// this package; domain values never carry storage tags.
package bunstore
