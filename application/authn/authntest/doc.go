// Package authntest provides test doubles for the authn ports: an in-memory
// store implementing every repository and the TxRunner (with real rollback),
// deterministic clock, ids and tokens, a cheap password hasher, and the
// repository contract suite that every storage adapter must pass.
package authntest
