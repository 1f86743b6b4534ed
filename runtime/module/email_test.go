package module_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/fx/fxtest"

	"github.com/beep/iam/infrastructure/bunstore"
	"github.com/beep/iam/infrastructure/mailer/mailertest"
)

// TestMailOutlivesAnOutageAndARestart runs the whole server against a fake
// Resend: while the provider fails, sign-up still succeeds and its email
// waits in the outbox; a restarted server delivers it once the provider
// recovers, exactly once.
func TestMailOutlivesAnOutageAndARestart(t *testing.T) {
	resend := mailertest.NewResendServer(t, "re_test_key")
	resend.FailNext(1_000_000, http.StatusInternalServerError)
	addr := freeAddr(t)
	c := testConfig(t, map[string]string{"HTTP_ADDR": addr, "EMAIL_TRANSPORT": "resend", "RESEND_API_KEY": "re_test_key",
		"RESEND_API_URL": resend.URL, "EMAIL_FROM": "Beep <no-reply@beep.example>"})

	first := fxtest.New(t, graph(c))
	first.RequireStart()
	resp, err := http.Post("http://"+addr+"/api/auth/sign-up/email", "application/json",
		strings.NewReader(`{"name":"Ada","email":"ada@example.com","password":"correct horse battery"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-up during a provider outage: status %d", resp.StatusCode)
	}
	waitForFailedAttempt(t, c.DatabaseURL)
	first.RequireStop()
	if n := len(resend.Deliveries()); n != 0 {
		t.Fatalf("%d deliveries while the provider was failing", n)
	}

	resend.FailNext(0, http.StatusInternalServerError) // recovered
	second := fxtest.New(t, graph(c))
	second.RequireStart()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := resend.WaitForDelivery(ctx, func(d mailertest.Delivery) bool { return len(d.To) == 1 && d.To[0] == "ada@example.com" })
	if err != nil {
		t.Fatalf("the queued email never arrived after the restart: %v", err)
	}
	if !strings.Contains(d.Text, "/api/auth/verify-email?") || d.From != "Beep <no-reply@beep.example>" {
		t.Fatalf("delivery = %+v", d)
	}
	second.RequireStop() // no dispatcher left to send a duplicate
	if n := len(resend.Deliveries()); n != 1 {
		t.Fatalf("%d deliveries, want exactly 1", n)
	}
	db, err := bunstore.Open(context.Background(), c.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var pending int
	if err := db.NewRaw("SELECT count(*) FROM outbox WHERE status <> 'sent'").Scan(context.Background(), &pending); err != nil || pending != 0 {
		t.Fatalf("%d emails not marked sent (%v)", pending, err)
	}
}

// waitForFailedAttempt waits until the outbox records a failed delivery, so
// the test covers an email that already met the outage, not one that was
// never tried.
func waitForFailedAttempt(t *testing.T, databaseURL string) {
	t.Helper()
	db, err := bunstore.Open(context.Background(), databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var failed int
		if err := db.NewRaw("SELECT count(*) FROM outbox WHERE last_error IS NOT NULL AND status = 'pending'").Scan(context.Background(), &failed); err == nil && failed > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no failed delivery attempt was recorded during the outage")
}
