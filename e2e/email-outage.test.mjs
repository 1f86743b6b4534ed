// End-to-end test of an email provider outage: iamd's outbox keeps a verification email through failed sends to the
// fake Resend server (fake-resend.mjs) and delivers it once the provider recovers, exactly once.
//
// Beep only (BEEP=1 and FAKE_RESEND_URL; the oracle has no mail transport). scripts/e2e.sh runs this file beside
// client.test.mjs (node --test --test-concurrency=2): it spends most of its time waiting out iamd's retry backoff,
// which the other file's flows can use. The failures are injected for this file's own recipients only (POST
// /_fail {count, status, to}), so the emails of the other file go through meanwhile.
//
// How long it waits: iamd's dispatcher retries a failed email after 10 s, then 20 s, then 40 s (each less up to a
// quarter of jitter; outbox.backoff), polling every second. Three failed sends therefore put the fourth, successful
// one 52.5 to 70 s after the first: this test allows 90 s, and prints the delay it saw. A single 429 is retried after
// 7.5 to 10 s.
//
//   BASE_URL=http://127.0.0.1:8080 BEEP=1 FAKE_RESEND_URL=http://127.0.0.1:PORT/ node --test email-outage.test.mjs
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { createAuthClient } from "better-auth/client";
import { FAKE_RESEND_URL, SUBJECT, attempts, deliveries, violations, failNext, waitForMail, linkIn, assertWellFormed } from "./mail.mjs";

const BASE_URL = (process.env.BASE_URL || "http://127.0.0.1:3999").replace(/\/+$/, "");
const API = `${BASE_URL}/api/auth`;
const BEEP = process.env.BEEP === "1";
const LABEL = process.env.E2E_LABEL ? `${process.env.E2E_LABEL}: ` : "";
const PASSWORD = "correct horse battery staple";
const RUN = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const OUTAGE_TIMEOUT_MS = 90_000;
const SIGN_UP_AT_ONCE_MS = 5_000;

/** A signed-out SDK client (no cookie jar needed: nothing here uses the session). */
const client = createAuthClient({
  baseURL: BASE_URL,
  fetchOptions: {
    customFetchImpl: (input, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("origin", BASE_URL);
      return fetch(input, { ...init, headers });
    },
  },
});

/** Signs up email and returns how long the answer took, in ms. */
async function timedSignUp(email) {
  const t0 = performance.now();
  const { data, error } = await client.signUp.email({ name: "E2E Outage", email, password: PASSWORD });
  const ms = performance.now() - t0;
  assert.equal(error, null, `sign-up ${email}: ${JSON.stringify(error)}`);
  assert.equal(data.user.email, email);
  return ms;
}

/** Waits for email's verification email through an outage of `failures` sends; checks the attempts the fake saw. */
async function throughOutage(email, failures, status, signedUpAt) {
  const d = await waitForMail(email, { subject: SUBJECT.verification, timeoutMs: OUTAGE_TIMEOUT_MS });
  const delayS = (Date.parse(d.receivedAt) - signedUpAt) / 1000;
  assertWellFormed(d, email);
  const tried = await attempts(email);
  assert.deepEqual(
    tried.map((a) => a.outcome),
    [...Array(failures).fill("injected-failure"), "delivered"],
    `${failures} failed send(s) answered ${status}, then one delivery (attempts: ${JSON.stringify(tried)})`,
  );
  assert.ok(tried.every((a) => a.idempotencyKey === d.idempotencyKey), "every attempt carried the same idempotency key");
  assert.ok(tried.every((a) => a.status === (a.outcome === "delivered" ? 200 : status)), "statuses as injected");
  return { d, delayS, tried };
}

describe(`${LABEL}email provider outage against ${BASE_URL}`, { skip: !BEEP || !FAKE_RESEND_URL ? "needs BEEP=1 and FAKE_RESEND_URL" : false }, () => {
  it(`provider outage: 3 sends answered 500 (and, beside it, one 429) → sign-up still 200 at once; the verification email arrives after the retries, exactly once (waits up to ${OUTAGE_TIMEOUT_MS / 1000} s)`, async (t) => {
    const email = `e2e-outage-${RUN}@example.com`;
    const limited = `e2e-outage-429-${RUN}@example.com`;
    await failNext(3, 500, email);
    await failNext(1, 429, limited);

    const signedUpAt = Date.now();
    const ms = await timedSignUp(email);
    assert.ok(ms < SIGN_UP_AT_ONCE_MS, `sign-up does not wait for the provider (took ${ms.toFixed(0)} ms)`);
    const limitedAt = Date.now();
    const ms429 = await timedSignUp(limited);
    assert.ok(ms429 < SIGN_UP_AT_ONCE_MS, `sign-up does not wait for the provider (took ${ms429.toFixed(0)} ms)`);

    const [outage, rateLimited] = await Promise.all([
      throughOutage(email, 3, 500, signedUpAt),
      throughOutage(limited, 1, 429, limitedAt),
    ]);
    const gaps = outage.tried.map((a, i) => (i === 0 ? 0 : (Date.parse(a.at) - Date.parse(outage.tried[i - 1].at)) / 1000));
    const note =
      `after 3 × 500 the verification email arrived ${outage.delayS.toFixed(1)} s after sign-up ` +
      `(gaps between attempts: ${gaps.slice(1).map((g) => `${g.toFixed(1)} s`).join(", ")}); ` +
      `after 1 × 429, ${rateLimited.delayS.toFixed(1)} s`;
    t.diagnostic(note);
    // The backoff is 10 s, 20 s, 40 s less up to a quarter each: the retries did wait.
    assert.ok(outage.delayS >= 50, `the retries backed off (delivered after ${outage.delayS.toFixed(1)} s)`);

    // The email is usable: its link verifies the address.
    const link = linkIn(outage.d, `${API}/verify-email?`);
    const res = await fetch(link, { redirect: "manual" });
    assert.equal(res.status, 302, `GET the link: ${res.status} ${await res.text()}`);

    // Delivered once: nothing more arrives for either address, with the same key or another.
    await sleep(1_500);
    assert.equal((await deliveries(email)).length, 1, "exactly one delivery to the outage address");
    assert.equal((await deliveries(limited)).length, 1, "exactly one delivery to the rate-limited address");
    assert.equal((await attempts(email)).length, 4, "no send after the delivery");
    assert.deepEqual(await violations(), [], "no request of the wrong shape");
  });
});
