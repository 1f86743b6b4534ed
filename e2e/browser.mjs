// Shared helpers of the client-SDK suites: a "browser" (the unmodified
// better-auth client with its own cookie jar) and assertions on SDK results.
//
// Node's fetch has no cookie jar, so customFetchImpl keeps one per browser
// (honouring Max-Age=0 deletion) and adds `Origin: BASE_URL`, which the
// server's CSRF check requires once cookies are sent. It also records every
// response so a flow can inspect raw Set-Cookie lines and headers the SDK
// does not expose.
import assert from "node:assert/strict";
import { createAuthClient } from "better-auth/client";
import { organizationClient } from "better-auth/client/plugins";

/** Parses one Set-Cookie line into {name, value, attrs} (attrs: lower-case key → value, or true for flags). */
export function parseSetCookie(line) {
  const [pair, ...rest] = line.split(";");
  const eq = pair.indexOf("=");
  const attrs = {};
  for (const a of rest) {
    const i = a.indexOf("=");
    if (i < 0) attrs[a.trim().toLowerCase()] = true;
    else attrs[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs, line };
}

/** Minimal cookie jar: name → value (value kept exactly as sent, i.e. still URL-encoded). */
export function makeJar() {
  const cookies = new Map();
  return {
    cookies,
    store(setCookies) {
      for (const line of setCookies) {
        const { name, value, attrs } = parseSetCookie(line);
        if (!name) continue;
        const expired =
          ("max-age" in attrs && Number(attrs["max-age"]) <= 0) ||
          ("expires" in attrs && Date.parse(attrs.expires) <= Date.now());
        if (expired || value === "") cookies.delete(name);
        else cookies.set(name, value);
      }
    },
    header() {
      return [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    },
  };
}

/**
 * A browser against baseURL: {client, org (= client.organization), jar, responses, last}, where last(path) is the
 * latest response to an /api/auth path (e.g. "/sign-in/email").
 */
export function makeBrowser(baseURL) {
  const jar = makeJar();
  const responses = [];
  const client = createAuthClient({
    baseURL,
    plugins: [organizationClient()],
    fetchOptions: {
      customFetchImpl: async (input, init = {}) => {
        const headers = new Headers(init.headers);
        headers.set("origin", baseURL);
        const cookie = jar.header();
        if (cookie) headers.set("cookie", cookie);
        const res = await fetch(input, { ...init, headers });
        const setCookies = res.headers.getSetCookie();
        const url = new URL(typeof input === "string" ? input : input.url ?? String(input));
        responses.push({ path: url.pathname.replace(/^\/api\/auth/, ""), status: res.status, headers: res.headers, setCookies });
        jar.store(setCookies);
        return res;
      },
    },
  });
  const last = (path) => [...responses].reverse().find((r) => r.path === path);
  return { client, org: client.organization, jar, responses, last };
}

export const show = (v) => JSON.stringify(v);

/** Asserts an SDK result is a success and returns its data. */
export function ok(res, what) {
  assert.equal(res.error, null, `${what}: expected success, got error ${show(res.error)}`);
  return res.data;
}

/** Asserts an SDK result is the given error (message checked when given; code === undefined means "no code"). */
export function fails(res, what, status, code, message) {
  assert.equal(res.data, null, `${what}: expected an error, got data ${show(res.data)}`);
  assert.ok(res.error, `${what}: expected an error`);
  assert.equal(res.error.status, status, `${what}: status (error ${show(res.error)})`);
  assert.equal(res.error.code, code, `${what}: code (error ${show(res.error)})`);
  if (message !== undefined) assert.equal(res.error.message, message, `${what}: message`);
}
