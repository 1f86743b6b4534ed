// End-to-end test: the unmodified better-auth client SDK (npm 1.7.25) against a server under test.
//
// How to run (from /work/main/e2e, after `npm ci`):
//   Against Beep IAM (the real target; Beep-specific assertions on):
//     BASE_URL=http://127.0.0.1:8080 BEEP=1 node --test client.test.mjs
//   Against the better-auth oracle (proves the harness itself; Beep-specific assertions skipped):
//     DATABASE_URL=postgres://... PORT=3999 node oracle/server.mjs &
//     BASE_URL=http://127.0.0.1:3999 node --test client.test.mjs
//
// BASE_URL: server origin (no path; the client appends /api/auth). BEEP=1: also assert the Beep-only session fields
// (activeOrganizationId = "organization__…", organizationContext with the personal org, role "owner").
// Node's fetch has no cookie jar, so customFetchImpl keeps one (honouring Max-Age=0 deletion) and adds
// `Origin: BASE_URL`, which the server's CSRF check requires once cookies are sent.
// The flow makes 2 sign-up and 2 sign-in requests, which stays under the built-in 3-per-10s limit for /sign-up*
// and /sign-in*.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createAuthClient } from "better-auth/client";
import { organizationClient } from "better-auth/client/plugins";

const BASE_URL = (process.env.BASE_URL || "http://127.0.0.1:3999").replace(/\/+$/, "");
const BEEP = process.env.BEEP === "1";
const DAY = 86_400_000;

/** Minimal cookie jar: name → value (value kept exactly as sent, i.e. still URL-encoded). */
function makeJar() {
  const cookies = new Map();
  return {
    cookies,
    store(setCookies) {
      for (const line of setCookies) {
        const [pair, ...attrs] = line.split(";");
        const eq = pair.indexOf("=");
        if (eq < 1) continue;
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        const expired = attrs.some((a) => {
          const [k, v = ""] = a.split("=").map((s) => s.trim());
          if (k.toLowerCase() === "max-age") return Number(v) <= 0;
          if (k.toLowerCase() === "expires") return Date.parse(v) <= Date.now();
          return false;
        });
        if (expired || value === "") cookies.delete(name);
        else cookies.set(name, value);
      }
    },
    header() {
      return [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    },
  };
}

function makeClient() {
  const jar = makeJar();
  const client = createAuthClient({
    baseURL: BASE_URL,
    plugins: [organizationClient()],
    fetchOptions: {
      customFetchImpl: async (input, init = {}) => {
        const headers = new Headers(init.headers);
        headers.set("origin", BASE_URL);
        const cookie = jar.header();
        if (cookie) headers.set("cookie", cookie);
        const res = await fetch(input, { ...init, headers });
        jar.store(res.headers.getSetCookie());
        return res;
      },
    },
  });
  return { client, jar };
}

const email = `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
const password = "correct horse battery staple";
const name = "E2E User";

describe(`better-auth client against ${BASE_URL}${BEEP ? " (BEEP)" : " (oracle mode)"}`, () => {
  const { client, jar } = makeClient();

  it("signs up", async () => {
    const { data, error } = await client.signUp.email({ name, email, password });
    assert.equal(error, null, `sign-up error: ${JSON.stringify(error)}`);
    assert.equal(typeof data.token, "string");
    assert.equal(data.user.email, email);
    assert.equal(data.user.name, name);
    assert.equal(data.user.emailVerified, false);
    assert.ok(data.user.createdAt instanceof Date, "user.createdAt revived to Date");
    assert.ok(jar.cookies.has("better-auth.session_token"), "session cookie stored");
  });

  it("getSession returns user + session (dates revived, ~30 d expiry)", async () => {
    const { data, error } = await client.getSession();
    assert.equal(error, null, `get-session error: ${JSON.stringify(error)}`);
    assert.ok(data, "session present");
    const { session, user } = data;
    assert.equal(user.email, email);
    assert.equal(session.userId, user.id);
    assert.equal(typeof session.token, "string");
    assert.ok(session.expiresAt instanceof Date, "session.expiresAt is a Date");
    assert.ok(session.createdAt instanceof Date, "session.createdAt is a Date");
    const ahead = session.expiresAt.getTime() - Date.now();
    assert.ok(Math.abs(ahead - 30 * DAY) < 5 * 60_000, `expiresAt ~30 days ahead (got ${(ahead / DAY).toFixed(3)} d)`);
    assert.ok("activeOrganizationId" in session, "organization plugin field activeOrganizationId present");

    if (BEEP) {
      const orgId = session.activeOrganizationId;
      assert.equal(typeof orgId, "string");
      assert.ok(orgId.startsWith("organization__"), `activeOrganizationId prefix (got ${orgId})`);
      const ctx = session.organizationContext;
      assert.equal(typeof ctx, "object");
      assert.notEqual(ctx, null);
      assert.deepEqual(Object.keys(ctx), [orgId]);
      assert.equal(ctx[orgId].role, "owner");
      assert.equal(ctx[orgId].isPersonal, true);
      assert.equal(ctx[orgId].type, "individual");
    }
  });

  it("signs out; getSession then returns null", async () => {
    const { data, error } = await client.signOut();
    assert.equal(error, null, `sign-out error: ${JSON.stringify(error)}`);
    assert.deepEqual(data, { success: true });
    assert.ok(!jar.cookies.has("better-auth.session_token"), "session cookie deleted by Max-Age=0");
    const after = await client.getSession();
    assert.equal(after.error, null);
    assert.equal(after.data, null);
  });

  it("signs in again", async () => {
    const { data, error } = await client.signIn.email({ email, password });
    assert.equal(error, null, `sign-in error: ${JSON.stringify(error)}`);
    assert.equal(data.redirect, false);
    assert.equal(typeof data.token, "string");
    assert.equal(data.user.email, email);
    const s = await client.getSession();
    assert.equal(s.data?.user.email, email);
  });

  it("rejects a wrong password with 401 INVALID_EMAIL_OR_PASSWORD", async () => {
    const { client: fresh } = makeClient();
    const { data, error } = await fresh.signIn.email({ email, password: "wrong password!" });
    assert.equal(data, null);
    assert.equal(error.status, 401);
    assert.equal(error.code, "INVALID_EMAIL_OR_PASSWORD");
    assert.equal(error.message, "Invalid email or password");
  });

  it("rejects a duplicate sign-up with 422 USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", async () => {
    const { client: fresh } = makeClient();
    const { data, error } = await fresh.signUp.email({ name, email, password });
    assert.equal(data, null);
    assert.equal(error.status, 422);
    assert.equal(error.code, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");
    assert.equal(error.message, "User already exists. Use another email.");
  });
});
