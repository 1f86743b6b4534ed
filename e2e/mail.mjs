// mail.mjs: helpers for the e2e email flows, which read what iamd sent through its Resend adapter from the fake
// Resend server (fake-resend.mjs). FAKE_RESEND_URL is the fake's base URL (scripts/e2e.sh sets it); without it the
// email flows are skipped.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";

export const FAKE_RESEND_URL = (process.env.FAKE_RESEND_URL || "").replace(/\/+$/, "");

/** The subjects of iamd's emails (infrastructure/mailer/render.go). */
export const SUBJECT = {
  verification: "Verify your email address",
  passwordReset: "Reset your password",
  changeEmailConfirmation: "Approve your email address change",
  passwordChanged: "Your password was changed",
  emailChanged: "Your email address was changed",
};

async function fakeJSON(path, init) {
  const res = await fetch(`${FAKE_RESEND_URL}${path}`, init);
  const text = await res.text();
  assert.equal(res.status, 200, `fake Resend ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Every email the fake accepted for `to` (all of them without `to`), oldest first. */
export const deliveries = (to) => fakeJSON(`/_deliveries${to ? `?to=${encodeURIComponent(to)}` : ""}`);
/** Every well-formed send request for `to`, with its outcome (delivered, replayed, injected-failure, conflict). */
export const attempts = (to) => fakeJSON(`/_attempts${to ? `?to=${encodeURIComponent(to)}` : ""}`);
/** The requests that were not what Resend expects. */
export const violations = () => fakeJSON("/_violations");
/** The next `count` sends (to `to` only, when given) answer `status`. */
export const failNext = (count, status, to) =>
  fakeJSON("/_fail", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ count, status, to }) });

const short = (d) => ({ to: d.to, subject: d.subject, idempotencyKey: d.idempotencyKey, receivedAt: d.receivedAt });

/**
 * Polls the fake until `count` emails to `to` (with `subject`, when given) have arrived, and returns the count-th.
 * timeoutMs defaults to 10 s: iamd's dispatcher is woken when the change commits, so a healthy send takes
 * milliseconds.
 */
export async function waitForMail(to, { subject, count = 1, timeoutMs = 10_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = (await deliveries(to)).filter((d) => subject === undefined || d.subject === subject);
    if (got.length >= count) return got[count - 1];
    if (Date.now() > deadline) {
      const all = (await deliveries(to)).map(short);
      assert.fail(`no email #${count}${subject ? ` "${subject}"` : ""} to ${to} within ${timeoutMs} ms (got ${JSON.stringify(all)})`);
    }
    await sleep(100);
  }
}

/**
 * Asserts that `to` has exactly `count` emails (with `subject`, when given) after `graceMs` more. Call it after an
 * email queued later than the one that must not exist has arrived: iamd's dispatcher sends in queue order, so by
 * then anything queued earlier has been sent; the grace covers a poll interval on top.
 */
export async function assertMailCount(to, count, { subject, graceMs = 1_200, what = "" } = {}) {
  if (graceMs > 0) await sleep(graceMs);
  const got = (await deliveries(to)).filter((d) => subject === undefined || d.subject === subject);
  assert.equal(got.length, count, `${what}: ${count} email(s)${subject ? ` "${subject}"` : ""} to ${to}, got ${JSON.stringify(got.map(short))}`);
}

const unescapeHTML = (s) =>
  s.replace(/&(amp|lt|gt|quot|#34|#39|#x27);/g, (_, e) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#34": '"', "#39": "'", "#x27": "'" })[e]);

/**
 * The one link of an email, as a URL. It must be in the text part (on a line of its own) and in every href of the
 * HTML part (the button and the copy-paste fallback), the same everywhere, and start with `prefix` when given.
 */
export function linkIn(d, prefix) {
  const textLinks = [...d.text.matchAll(/^(https?:\/\/\S+)$/gm)].map((m) => m[1]);
  assert.equal(textLinks.length, 1, `one link in the text part of "${d.subject}" (got ${JSON.stringify(textLinks)})`);
  const hrefs = [...d.html.matchAll(/href="([^"]*)"/g)].map((m) => unescapeHTML(m[1]));
  assert.ok(hrefs.length >= 1, `a link in the HTML part of "${d.subject}"`);
  for (const h of hrefs) assert.equal(h, textLinks[0], `the HTML part links where the text part does ("${d.subject}")`);
  if (prefix) assert.ok(textLinks[0].startsWith(prefix), `link ${textLinks[0]} starts with ${prefix}`);
  return new URL(textLinks[0]);
}

/** Asserts the things every email iamd sends must be: one recipient, the configured sender, a single-line subject. */
export function assertWellFormed(d, to, from = process.env.EMAIL_FROM) {
  assert.deepEqual(d.to, [to], `exactly one recipient, ${to} (got ${JSON.stringify(d.to)})`);
  if (from) assert.equal(d.from, from, "sender is EMAIL_FROM");
  assert.doesNotMatch(d.subject, /[\r\n]/, "single-line subject");
  assert.match(d.idempotencyKey, /\S/, "an idempotency key");
}
