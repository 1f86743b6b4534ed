package module_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
)

// pgCluster is a PostgreSQL cluster of a test's own, which it may stop and
// start: the shared server of IAM_TEST_POSTGRES_URL serves every other
// test at the same time and must stay up. It needs the server binaries,
// whose directory scripts/with-postgres.sh exports as
// IAM_TEST_POSTGRES_BIN; as root it runs them as the postgres user, as
// with-postgres.sh does (PostgreSQL refuses to run as root).
type pgCluster struct {
	bin   string
	dir   string
	port  int
	runas []string
}

// newPGCluster initialises and starts a cluster, stopped and removed when
// t ends. It skips t without IAM_TEST_POSTGRES_BIN, unless
// IAM_TEST_REQUIRE_POSTGRES=1.
func newPGCluster(t *testing.T) *pgCluster {
	t.Helper()
	bin := os.Getenv("IAM_TEST_POSTGRES_BIN")
	if bin == "" {
		if os.Getenv("IAM_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("IAM_TEST_REQUIRE_POSTGRES=1 but IAM_TEST_POSTGRES_BIN is unset: run under scripts/with-postgres.sh")
		}
		t.Skip("needs PostgreSQL binaries: run under scripts/with-postgres.sh (IAM_TEST_POSTGRES_BIN)")
	}
	dir, err := os.MkdirTemp("", "iam-outage-pg.")
	if err != nil {
		t.Fatal(err)
	}
	c := &pgCluster{bin: bin, dir: dir}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs a postgres user (with-postgres.sh creates it): %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.runas = []string{"runuser", "-u", "postgres", "--"}
	}
	t.Cleanup(func() {
		_ = c.pgCtl("-m", "immediate", "stop")
		_ = os.RemoveAll(dir)
	})
	if out, err := c.command("initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.port = freePort(t)
	if err := c.start(); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

// url is a superuser URL of the cluster's postgres database.
func (c *pgCluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres", c.port)
}

func (c *pgCluster) command(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, c.runas...), filepath.Join(c.bin, name)), args...)
	return exec.Command(argv[0], argv[1:]...)
}

func (c *pgCluster) pgCtl(args ...string) error {
	args = append([]string{"-D", c.data(), "-w", "-t", "60"}, args...)
	if out, err := c.command("pg_ctl", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl %v: %v\n%s", args, err, out)
	}
	return nil
}

// start starts the server and waits until it accepts connections.
func (c *pgCluster) start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100", c.port, c.dir)
	return c.pgCtl("-l", filepath.Join(c.dir, "server.log"), "-o", opts, "start")
}

// stop shuts the server down as an operator or a crash would look to
// clients: "fast" terminates every session (admin_shutdown) and closes
// the port.
func (c *pgCluster) stop() error { return c.pgCtl("-m", "fast", "stop") }

func freePort(t *testing.T) int {
	t.Helper()
	_, port, err := net.SplitHostPort(freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
