// Records better-auth wire behaviour from a running oracle (oracle/server.mjs) and prints markdown.
//
//   BASE_URL=http://127.0.0.1:3999 node oracle/record.mjs > /tmp/recorded-raw.md
//
// RECORDED.md is the cleaned-up output of this script. Each run uses fresh random emails.
const BASE = process.env.BASE_URL || "http://127.0.0.1:3999";
const API = `${BASE}/api/auth`;
const RUN = Date.now().toString(36);
const email = (tag) => `${tag}-${RUN}@example.com`;
const SHOW_HEADERS = ["content-type", "cache-control", "pragma", "location", "content-length", "x-retry-after"];
const MAX_BODY = 700;

const out = (s = "") => process.stdout.write(s + "\n");
const trunc = (s, n = MAX_BODY) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars total)` : s);

/**
 * req(title, method, path, {json, raw, contentType, cookie, origin, bodyNote})
 *   json: value to JSON.stringify; raw: raw string body; origin: undefined → BASE, null → omit, string → as given.
 */
async function req(title, method, path, o = {}) {
  const headers = {};
  let body;
  if ("json" in o) { body = JSON.stringify(o.json); headers["content-type"] = "application/json"; }
  if ("raw" in o) { body = o.raw; }
  if (o.contentType !== undefined) { if (o.contentType === null) delete headers["content-type"]; else headers["content-type"] = o.contentType; }
  if (o.cookie) headers.cookie = o.cookie;
  const origin = o.origin === undefined ? BASE : o.origin;
  if (origin !== null) headers.origin = origin;
  let res, text, err;
  try {
    res = await fetch(API + path, { method, headers, body, redirect: "manual" });
    text = await res.text();
  } catch (e) { err = e; }
  out(`### ${title}`);
  out("```http");
  out(`${method} /api/auth${path}`);
  for (const [k, v] of Object.entries(headers)) out(`${k}: ${k === "cookie" ? trunc(v, 200) : v}`);
  if (body !== undefined) out(`\n${o.bodyNote || trunc(body, 300)}`);
  out("```");
  if (err) { out(`→ **fetch error**: ${err.message} ${err.cause?.code || ""}\n`); return {}; }
  out("```http");
  out(`${res.status} ${res.statusText}`);
  for (const h of SHOW_HEADERS) if (res.headers.has(h)) out(`${h}: ${res.headers.get(h)}`);
  for (const c of res.headers.getSetCookie()) out(`set-cookie: ${c}`);
  out(`\n${text === "" ? "<empty body>" : trunc(text)}`);
  out("```\n");
  let parsed; try { parsed = JSON.parse(text); } catch {}
  return { res, text, json: parsed, cookies: res.headers.getSetCookie() };
}
// Exact-header request via node:http (Node's fetch silently adds accept, accept-language, sec-fetch-mode: cors,
// user-agent: node, accept-encoding — and sec-fetch-mode changes the sign-in/sign-up form-CSRF outcome).
import http from "node:http";
async function rawReq(title, method, path, headers = {}, body) {
  const u = new URL(API + path);
  const r = await new Promise((resolve, reject) => {
    const q = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: { ...headers, ...(body !== undefined ? { "content-length": Buffer.byteLength(body) } : {}) } }, (res) => {
      let t = ""; res.setEncoding("utf8"); res.on("data", (c) => (t += c)); res.on("end", () => resolve({ res, text: t }));
    });
    q.on("error", reject); if (body !== undefined) q.write(body); q.end();
  });
  out(`### ${title} (node:http, exact headers)`);
  out("```http"); out(`${method} /api/auth${path}`);
  for (const [k, v] of Object.entries(headers)) out(`${k}: ${k === "cookie" ? trunc(v, 200) : v}`);
  if (body !== undefined) out(`\n${trunc(body, 300)}`);
  out("```"); out("```http"); out(`${r.res.statusCode} ${r.res.statusMessage}`);
  for (const h of SHOW_HEADERS) if (r.res.headers[h] !== undefined) out(`${h}: ${r.res.headers[h]}`);
  for (const c of r.res.headers["set-cookie"] || []) out(`set-cookie: ${c}`);
  out(`\n${r.text === "" ? "<empty body>" : trunc(r.text)}`); out("```\n");
  return { res: r.res, text: r.text, cookies: r.res.headers["set-cookie"] || [] };
}
// Build a Cookie header from Set-Cookie lines (name=value pairs, drop Max-Age=0).
const jar = (setCookies) => setCookies.filter((c) => !/Max-Age=0/i.test(c)).map((c) => c.split(";")[0]).join("; ");
const sessionCookieValue = (cookieHeader) => decodeURIComponent(/better-auth\.session_token=([^;]+)/.exec(cookieHeader)[1]);

const u1 = email("u1");
out(`# better-auth 1.7.25 recorded wire behaviour (raw)\n\nBASE_URL=${BASE}, run ${RUN}, ${new Date().toISOString()}\n`);

out("## 1. POST /sign-up/email\n");
const su = await req("sign-up success", "POST", "/sign-up/email", { json: { name: "User One", email: u1, password: "password123" } });
await req("sign-up rememberMe:false", "POST", "/sign-up/email", { json: { name: "User Two", email: email("u2"), password: "password123", rememberMe: false } });
await req("sign-up existing email (different case)", "POST", "/sign-up/email", { json: { name: "Dup", email: u1.toUpperCase(), password: "password123" } });
await req("sign-up email not-an-email", "POST", "/sign-up/email", { json: { name: "X", email: "not-an-email", password: "password123" } });
await req("sign-up password 7 chars", "POST", "/sign-up/email", { json: { name: "X", email: email("p7"), password: "1234567" } });
await req("sign-up password 129 chars", "POST", "/sign-up/email", { json: { name: "X", email: email("p129"), password: "a".repeat(129) }, bodyNote: `{"name":"X","email":"${email("p129")}","password":"a"×129}` });
await req("sign-up password 128 chars (max, ok)", "POST", "/sign-up/email", { json: { name: "X", email: email("p128"), password: "a".repeat(128) }, bodyNote: `{"name":"X","email":"${email("p128")}","password":"a"×128}` });
await req("sign-up empty password", "POST", "/sign-up/email", { json: { name: "X", email: email("p0"), password: "" } });
await req("sign-up missing name", "POST", "/sign-up/email", { json: { email: email("nn"), password: "password123" } });
await req("sign-up missing password", "POST", "/sign-up/email", { json: { name: "X", email: email("np") } });
await req("sign-up missing everything ({})", "POST", "/sign-up/email", { json: {} });
await req("sign-up name as number", "POST", "/sign-up/email", { json: { name: 42, email: email("num"), password: "password123" } });
await req("sign-up email as number", "POST", "/sign-up/email", { json: { name: "X", email: 42, password: "password123" } });
await req("sign-up rememberMe as string", "POST", "/sign-up/email", { json: { name: "X", email: email("rm"), password: "password123", rememberMe: "no" } });
await req("sign-up with extra fields emailVerified/id/createdAt (ignored?)", "POST", "/sign-up/email", { json: { name: "Extra", email: email("extra"), password: "password123", emailVerified: true, id: "attacker-chosen-id", createdAt: "2000-01-01T00:00:00.000Z", role: "admin" } });
await req("sign-up malformed JSON", "POST", "/sign-up/email", { raw: "{", contentType: "application/json" });
await req("sign-up body []", "POST", "/sign-up/email", { raw: "[]", contentType: "application/json" });
await req('sign-up body "s"', "POST", "/sign-up/email", { raw: '"s"', contentType: "application/json" });
await req("sign-up body null", "POST", "/sign-up/email", { raw: "null", contentType: "application/json" });
await req("sign-up empty body, content-type json", "POST", "/sign-up/email", { raw: "", contentType: "application/json" });
await req("sign-up no body, no content-type", "POST", "/sign-up/email", {});
await req("sign-up Content-Type text/plain (valid JSON text)", "POST", "/sign-up/email", { raw: JSON.stringify({ name: "T", email: email("tp"), password: "password123" }), contentType: "text/plain" });
await req("sign-up Content-Type application/json; charset=utf-8", "POST", "/sign-up/email", { raw: JSON.stringify({ name: "CS", email: email("cs"), password: "password123" }), contentType: "application/json; charset=utf-8" });
await req("sign-up x-www-form-urlencoded", "POST", "/sign-up/email", { raw: new URLSearchParams({ name: "Form User", email: email("form"), password: "password123" }).toString(), contentType: "application/x-www-form-urlencoded" });
const big = "x".repeat(10 * 1024 * 1024);
await req("sign-up 10 MB body (10 MB extra field `pad`)", "POST", "/sign-up/email", { raw: JSON.stringify({ name: "Big", email: email("big"), password: "password123", pad: big }), contentType: "application/json", bodyNote: '{"name":"Big","email":…,"password":"password123","pad":"x"×10485760}' });
await req("sign-up 10 MB body (10 MB name)", "POST", "/sign-up/email", { raw: JSON.stringify({ name: big, email: email("bigname"), password: "password123" }), contentType: "application/json", bodyNote: '{"name":"x"×10485760,"email":…,"password":"password123"}' });

out("## 2. POST /sign-in/email\n");
const si = await req("sign-in success", "POST", "/sign-in/email", { json: { email: u1, password: "password123" } });
await req("sign-in with callbackURL /dashboard", "POST", "/sign-in/email", { json: { email: u1, password: "password123", callbackURL: "/dashboard" } });
await req("sign-in with callbackURL https://evil.example/x", "POST", "/sign-in/email", { json: { email: u1, password: "password123", callbackURL: "https://evil.example/x" } });
await req("sign-in wrong password", "POST", "/sign-in/email", { json: { email: u1, password: "wrong-password" } });
await req("sign-in unknown email", "POST", "/sign-in/email", { json: { email: email("nobody"), password: "password123" } });
await req("sign-in bad email syntax", "POST", "/sign-in/email", { json: { email: "not-an-email", password: "password123" } });
await req("sign-in password 129 chars", "POST", "/sign-in/email", { json: { email: u1, password: "a".repeat(129) }, bodyNote: `{"email":"${u1}","password":"a"×129}` });
await req("sign-in password 7 chars (wrong)", "POST", "/sign-in/email", { json: { email: u1, password: "1234567" } });
await req("sign-in missing password", "POST", "/sign-in/email", { json: { email: u1 } });
await req("sign-in rememberMe:false", "POST", "/sign-in/email", { json: { email: u1, password: "password123", rememberMe: false } });

out("## 3. GET /get-session\n");
const cookie = jar(si.cookies);
await req("get-session valid cookie", "GET", "/get-session", { cookie, origin: null });
await req("get-session no cookie", "GET", "/get-session", { origin: null });
const signed = sessionCookieValue(cookie);
const tok = signed.slice(0, signed.lastIndexOf("."));
const sig = signed.slice(signed.lastIndexOf(".") + 1);
const forged = sig.startsWith("A") ? "B" + sig.slice(1) : "A" + sig.slice(1);
await req("get-session forged signature (same length, 1st char changed)", "GET", "/get-session", { cookie: `better-auth.session_token=${encodeURIComponent(tok + "." + forged)}`, origin: null });
await req("get-session truncated signature (last 4 chars cut)", "GET", "/get-session", { cookie: `better-auth.session_token=${encodeURIComponent(tok + "." + sig.slice(0, -4))}`, origin: null });
await req("get-session raw unsigned token", "GET", "/get-session", { cookie: `better-auth.session_token=${tok}`, origin: null });

out("## 4. POST /sign-out\n");
await req("sign-out with cookie + origin", "POST", "/sign-out", { cookie });
await req("get-session after sign-out with old cookie", "GET", "/get-session", { cookie, origin: null });
await req("sign-out without cookie", "POST", "/sign-out", {});
await req("sign-out without cookie, no body, no content-type", "POST", "/sign-out", { origin: null });

out("## 5. Origin / CSRF\n");
const si2 = await req("(setup) sign-in", "POST", "/sign-in/email", { json: { email: u1, password: "password123" } });
const cookie2 = jar(si2.cookies);
await req("sign-out with cookie, Origin https://evil.example", "POST", "/sign-out", { cookie: cookie2, origin: "https://evil.example", json: {} });
await req("sign-out with cookie, no Origin", "POST", "/sign-out", { cookie: cookie2, origin: null, json: {} });
await req("sign-out with cookie, Origin: null", "POST", "/sign-out", { cookie: cookie2, origin: "null", json: {} });
await req("sign-in without cookie, Origin https://evil.example", "POST", "/sign-in/email", { origin: "https://evil.example", json: { email: u1, password: "password123" } });
await req("sign-in without cookie, no Origin", "POST", "/sign-in/email", { origin: null, json: { email: u1, password: "password123" } });
const J = { "content-type": "application/json" };
const siBody = JSON.stringify({ email: u1, password: "password123" });
const rawSi = await rawReq("sign-in, no Origin, no Sec-Fetch-* (curl-like)", "POST", "/sign-in/email", J, siBody);
await rawReq("sign-in, Sec-Fetch-Site: cross-site + Sec-Fetch-Mode: navigate, no Origin", "POST", "/sign-in/email", { ...J, "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate" }, siBody);
await rawReq("sign-in, Sec-Fetch-Site: same-origin + Sec-Fetch-Mode: cors, no Origin", "POST", "/sign-in/email", { ...J, "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" }, siBody);
const rawCookie = jar(rawSi.cookies);
await rawReq("get-session, no user-agent / x-forwarded-for sent at sign-in (ipAddress/userAgent values)", "GET", "/get-session", { cookie: rawCookie });
await rawReq("sign-out with cookie, Referer only (trusted)", "POST", "/sign-out", { ...J, cookie: rawCookie, referer: `${BASE}/some/page` }, "{}");
const xff = await rawReq("sign-in with X-Forwarded-For + User-Agent", "POST", "/sign-in/email", { ...J, "x-forwarded-for": "203.0.113.7", "user-agent": "ua-test/1.0" }, siBody);
await rawReq("get-session for that session", "GET", "/get-session", { cookie: jar(xff.cookies) });

out("## 6. Routing\n");
await req("GET /ok", "GET", "/ok", { origin: null });
await req("GET /does-not-exist", "GET", "/does-not-exist", { origin: null });
await req("PUT /sign-in/email", "PUT", "/sign-in/email", { json: { email: u1, password: "password123" } });
await req("GET /sign-in/email", "GET", "/sign-in/email", { origin: null });
await req("POST /get-session", "POST", "/get-session", { json: {} });
await req("GET /ok/ (trailing slash)", "GET", "/ok/", { origin: null });
await rawReq("GET //ok (double slash)", "GET", "//ok");
await rawReq("HEAD /ok", "HEAD", "/ok");
await req("GET /ok?x=1", "GET", "/ok?x=1", { origin: null });
