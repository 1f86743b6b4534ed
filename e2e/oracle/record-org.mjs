// Records the better-auth organization plugin's wire behaviour from a running oracle (oracle/server.mjs)
// and prints a markdown transcript.
//
//   BASE_URL=http://127.0.0.1:3999 DATABASE_URL=postgres://…/<oracle db> node oracle/record-org.mjs > /tmp/recorded-org-raw.md
//
// Run it against a fresh oracle database. RECORDED-ORG.md is a digest plus this script's output.
// DATABASE_URL (the oracle's database) is optional. The script uses it for two things the HTTP API cannot do
// in this configuration:
//   - setting user.emailVerified = true (list-user-invitations refuses unverified users);
//   - moving an invitation's expiresAt into the past (to see how expired invitations are treated).
// Without DATABASE_URL those steps are skipped and say so in the transcript.
// Each run uses fresh random emails and slugs (suffix RUN). Ids, tokens and dates change per run.
import pg from "pg";

const BASE = process.env.BASE_URL || "http://127.0.0.1:3999";
const API = `${BASE}/api/auth`;
const RUN = Date.now().toString(36);
const email = (tag) => `${tag}-${RUN}@example.com`;
const SHOW_HEADERS = ["content-type", "cache-control", "pragma", "location", "set-auth-token", "access-control-expose-headers"];
const MAX_BODY = 6000;
const db = process.env.DATABASE_URL ? new pg.Pool({ connectionString: process.env.DATABASE_URL }) : null;

const out = (s = "") => process.stdout.write(s + "\n");
const trunc = (s, n = MAX_BODY) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars total)` : s);
const note = (s) => out(`> ${s}\n`);

// ---- users and cookie jars -------------------------------------------------------------------------------------
// A user is {label, email, id, token, jar: Map(cookieName → value)}. The jar is updated from every Set-Cookie the
// user receives; Max-Age=0 deletes the cookie.
const users = {};
function absorb(user, setCookies) {
  if (!user) return;
  for (const c of setCookies) {
    const [pair, ...attrs] = c.split(";");
    const i = pair.indexOf("=");
    const name = pair.slice(0, i).trim();
    const value = pair.slice(i + 1);
    if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) user.jar.delete(name);
    else user.jar.set(name, value);
  }
}
const cookieOf = (user) => [...user.jar].map(([k, v]) => `${k}=${v}`).join("; ");

/**
 * req(title, method, path, {as, json, raw, contentType, query, origin, bearer, bodyNote})
 *   as: user whose cookie jar is sent (and updated); query: object → query string (arrays repeat the key);
 *   origin: undefined → BASE for non-GET, omitted for GET; null → omit; string → as given.
 *   bearer: user whose session token is sent as `Authorization: Bearer` (no cookie unless `as` is also given).
 */
async function req(title, method, path, o = {}) {
  const headers = {};
  let body;
  if ("json" in o) { body = JSON.stringify(o.json); headers["content-type"] = "application/json"; }
  if ("raw" in o) { body = o.raw; }
  if (o.contentType !== undefined) { if (o.contentType === null) delete headers["content-type"]; else headers["content-type"] = o.contentType; }
  if (o.as) headers.cookie = cookieOf(o.as);
  if (o.bearer) headers.authorization = `Bearer ${o.bearer.token}`;
  const origin = o.origin === undefined ? (method === "GET" ? null : BASE) : o.origin;
  if (origin !== null) headers.origin = origin;
  let qs = "";
  if (o.query) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(o.query)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, String(x));
    qs = "?" + p.toString();
  }
  let res, text, err;
  try {
    res = await fetch(API + path + qs, { method, headers, body, redirect: "manual" });
    text = await res.text();
  } catch (e) { err = e; }
  out(`#### ${title}`);
  out("```http");
  out(`${method} /api/auth${path}${qs}`);
  for (const [k, v] of Object.entries(headers)) {
    if (k === "cookie") out(`cookie: <session of ${o.as.label}>`);
    else if (k === "authorization") out(`authorization: Bearer <session token of ${o.bearer.label}>`);
    else out(`${k}: ${v}`);
  }
  if (body !== undefined) out(`\n${o.bodyNote || trunc(body, 1200)}`);
  out("```");
  if (err) { out(`→ **fetch error**: ${err.message} ${err.cause?.code || ""}\n`); return {}; }
  const setCookies = res.headers.getSetCookie();
  out("```http");
  out(`${res.status} ${res.statusText}`);
  for (const h of SHOW_HEADERS) if (res.headers.has(h)) out(`${h}: ${res.headers.get(h)}`);
  if (text === "" && res.headers.has("content-length")) out(`content-length: ${res.headers.get("content-length")}`);
  for (const c of setCookies) out(`set-cookie: ${c}`);
  out(`\n${text === "" ? "<empty body>" : trunc(text)}`);
  out("```\n");
  absorb(o.as, setCookies);
  let parsed; try { parsed = JSON.parse(text); } catch {}
  return { res, status: res.status, text, json: parsed, cookies: setCookies };
}

async function signUp(label, tag) {
  const u = { label, email: email(tag), jar: new Map() };
  const r = await req(`(setup) sign-up ${label}`, "POST", "/sign-up/email", { json: { name: `User ${label}`, email: u.email, password: "password123" } });
  absorb(u, r.cookies);
  u.id = r.json.user.id;
  u.token = r.json.token;
  users[label] = u;
  return u;
}
const session = (u, why = "") => req(`get-session ${u.label}${why ? ` (${why})` : ""}`, "GET", "/get-session", { as: u });

async function sql(what, text, params) {
  if (!db) { note(`[DB step skipped: no DATABASE_URL] ${what}`); return false; }
  const r = await db.query(text, params);
  note(`[DB] ${what}: \`${text}\` ${JSON.stringify(params)} → ${r.rowCount} row(s)`);
  return true;
}

const O = "/organization";
out(`## Transcript\n\nBASE_URL=${BASE}, run ${RUN}, ${new Date().toISOString()}\n`);

// =================================================================================================================
out("### 0. Setup: users\n");
const A = await signUp("A", "a");
const B = await signUp("B", "b");
const C = await signUp("C", "c");
const D = await signUp("D", "d");
const E = await signUp("E", "e");
note(`Users: ${Object.values(users).map((u) => `${u.label} = ${u.id} <${u.email}>`).join("; ")}. Everyone has emailVerified=false unless a [DB] step says otherwise.`);

// =================================================================================================================
out("### 1. No session\n");
await req("create, no cookie", "POST", `${O}/create`, { json: { name: "X", slug: `x-${RUN}` } });
await req("list, no cookie", "GET", `${O}/list`);
await req("get-organization, no cookie", "GET", `${O}/get-organization`);
await req("get-full-organization, no cookie", "GET", `${O}/get-full-organization`);
await req("check-slug, no cookie", "POST", `${O}/check-slug`, { json: { slug: "x" } });
await req("update, no cookie", "POST", `${O}/update`, { json: { data: { name: "x" }, organizationId: "x" } });
await req("delete, no cookie", "POST", `${O}/delete`, { json: { organizationId: "x" } });
await req("set-active, no cookie", "POST", `${O}/set-active`, { json: { organizationId: "x" } });
await req("invite-member, no cookie", "POST", `${O}/invite-member`, { json: { email: "x@example.com", role: "member", organizationId: "x" } });
await req("get-invitation, no cookie", "GET", `${O}/get-invitation`, { query: { id: "x" } });
await req("list-invitations, no cookie", "GET", `${O}/list-invitations`);
await req("list-user-invitations, no cookie", "GET", `${O}/list-user-invitations`);
await req("list-user-invitations?email=…, no cookie", "GET", `${O}/list-user-invitations`, { query: { email: A.email } });
await req("accept-invitation, no cookie", "POST", `${O}/accept-invitation`, { json: { invitationId: "x" } });
await req("reject-invitation, no cookie", "POST", `${O}/reject-invitation`, { json: { invitationId: "x" } });
await req("cancel-invitation, no cookie", "POST", `${O}/cancel-invitation`, { json: { invitationId: "x" } });
await req("list-members, no cookie", "GET", `${O}/list-members`);
await req("remove-member, no cookie", "POST", `${O}/remove-member`, { json: { memberIdOrEmail: "x" } });
await req("update-member-role, no cookie", "POST", `${O}/update-member-role`, { json: { memberId: "x", role: "member" } });
await req("leave, no cookie", "POST", `${O}/leave`, { json: { organizationId: "x" } });
await req("get-active-member, no cookie", "GET", `${O}/get-active-member`);
await req("get-active-member-role, no cookie", "GET", `${O}/get-active-member-role`);
await req("has-permission, no cookie", "POST", `${O}/has-permission`, { json: { permissions: { organization: ["update"] } } });
await req("create with cookie but no Origin", "POST", `${O}/create`, { as: A, origin: null, json: { name: "X", slug: `x-${RUN}` } });
await req("create with cookie, Origin https://evil.example", "POST", `${O}/create`, { as: A, origin: "https://evil.example", json: { name: "X", slug: `x-${RUN}` } });
await req("create with invalid body and no cookie ({}): validation or auth first?", "POST", `${O}/create`, { json: {} });
await req("invite-member with invalid body and no cookie ({}): validation or session middleware first?", "POST", `${O}/invite-member`, { json: {} });
await req("list-members?sortDirection=up, no cookie: query validation or session middleware first?", "GET", `${O}/list-members`, { query: { sortDirection: "up" } });

// =================================================================================================================
out("### 2. POST /organization/create\n");
const org1Slug = `org-one-${RUN}`;
const org2Slug = `org-two-${RUN}`;
const c1 = await req("A creates org1 (name+slug only; A has no active org yet)", "POST", `${O}/create`, { as: A, json: { name: "Org One", slug: org1Slug } });
const org1 = c1.json;
const A_m1 = org1.members[0];
await session(A, "after create: activeOrganizationId = org1?");
const c2 = await req("A creates org2 with metadata object + logo, keepCurrentActiveOrganization:true", "POST", `${O}/create`, { as: A, json: { name: "Org Two", slug: org2Slug, logo: "https://example.com/logo.png", metadata: { plan: "pro", seats: 5, nested: { a: [1, 2] } }, keepCurrentActiveOrganization: true } });
const org2 = c2.json;
const A_m2 = org2.members[0];
await session(A, "after keepCurrentActiveOrganization:true: still org1?");
note(`org1 = ${org1.id} (slug ${org1Slug}); org2 = ${org2.id} (slug ${org2Slug}); A's member ids: org1 ${A_m1.id}, org2 ${A_m2.id}`);
const orgEmpty = (await req("metadata {} (empty object)", "POST", `${O}/create`, { as: A, json: { name: "Empty Meta", slug: `empty-meta-${RUN}`, metadata: {}, keepCurrentActiveOrganization: true } })).json;
await req("logo \"\" (empty string)", "POST", `${O}/create`, { as: A, json: { name: "Empty Logo", slug: `empty-logo-${RUN}`, logo: "", keepCurrentActiveOrganization: true } });
await req("metadata string", "POST", `${O}/create`, { as: A, json: { name: "X", slug: `meta-str-${RUN}`, metadata: "plan=pro", keepCurrentActiveOrganization: true } });
await req("metadata array", "POST", `${O}/create`, { as: A, json: { name: "X", slug: `meta-arr-${RUN}`, metadata: [1, 2], keepCurrentActiveOrganization: true } });
await req("metadata null", "POST", `${O}/create`, { as: A, json: { name: "X", slug: `meta-null-${RUN}`, metadata: null, keepCurrentActiveOrganization: true } });
await req("metadata number", "POST", `${O}/create`, { as: A, json: { name: "X", slug: `meta-num-${RUN}`, metadata: 5, keepCurrentActiveOrganization: true } });
await req("slug taken (org1's slug)", "POST", `${O}/create`, { as: A, json: { name: "Dup", slug: org1Slug, keepCurrentActiveOrganization: true } });
await req("slug = org1's slug in UPPERCASE (case-sensitive uniqueness?)", "POST", `${O}/create`, { as: A, json: { name: "Upper", slug: org1Slug.toUpperCase(), keepCurrentActiveOrganization: true } });
await req("slug with uppercase and spaces", "POST", `${O}/create`, { as: A, json: { name: "Spaced", slug: `My Org ${RUN}`, keepCurrentActiveOrganization: true } });
await req("slug with unicode", "POST", `${O}/create`, { as: A, json: { name: "Unicode", slug: `café-組織-${RUN}`, keepCurrentActiveOrganization: true } });
await req("slug of 200 chars", "POST", `${O}/create`, { as: A, json: { name: "Long", slug: `${RUN}-`.padEnd(200, "s"), keepCurrentActiveOrganization: true }, bodyNote: `{"name":"Long","slug":"${RUN}-s…" (200 chars),"keepCurrentActiveOrganization":true}` });
await req("slug with slash and query chars", "POST", `${O}/create`, { as: A, json: { name: "Slashy", slug: `a/b?c=d#${RUN}`, keepCurrentActiveOrganization: true } });
await req("name empty", "POST", `${O}/create`, { as: A, json: { name: "", slug: `noname-${RUN}`, keepCurrentActiveOrganization: true } });
await req("name whitespace only", "POST", `${O}/create`, { as: A, json: { name: "   ", slug: `ws-${RUN}`, keepCurrentActiveOrganization: true } });
await req("slug empty", "POST", `${O}/create`, { as: A, json: { name: "X", slug: "", keepCurrentActiveOrganization: true } });
await req("slug missing", "POST", `${O}/create`, { as: A, json: { name: "X", keepCurrentActiveOrganization: true } });
await req("body {}", "POST", `${O}/create`, { as: A, json: {} });
await req("name number", "POST", `${O}/create`, { as: A, json: { name: 5, slug: `num-${RUN}` } });
await req("keepCurrentActiveOrganization as string", "POST", `${O}/create`, { as: A, json: { name: "X", slug: `kcao-${RUN}`, keepCurrentActiveOrganization: "yes" } });
await req("logo null, userId of B, extra fields id/createdAt/members (ignored?)", "POST", `${O}/create`, { as: A, json: { name: "Extras", slug: `extras-${RUN}`, logo: null, userId: B.id, id: "chosen-org-id", createdAt: "2000-01-01T00:00:00.000Z", members: [], keepCurrentActiveOrganization: true } });
await session(A, "active still org1 after all keepCurrentActiveOrganization:true creates");

// =================================================================================================================
out("### 3. POST /organization/check-slug\n");
await req("check-slug taken", "POST", `${O}/check-slug`, { as: A, json: { slug: org1Slug } });
await req("check-slug free", "POST", `${O}/check-slug`, { as: A, json: { slug: `free-${RUN}` } });
await req("check-slug taken slug in UPPERCASE", "POST", `${O}/check-slug`, { as: A, json: { slug: org1Slug.toUpperCase() } });
await req("check-slug org1's slug with a capitalised first letter (no such org)", "POST", `${O}/check-slug`, { as: A, json: { slug: "O" + org1Slug.slice(1) } });
await req("check-slug empty string", "POST", `${O}/check-slug`, { as: A, json: { slug: "" } });
await req("check-slug missing", "POST", `${O}/check-slug`, { as: A, json: {} });
await req("check-slug by B (member of nothing), taken slug", "POST", `${O}/check-slug`, { as: B, json: { slug: org1Slug } });

// =================================================================================================================
out("### 4. GET /organization/list\n");
await req("list as A", "GET", `${O}/list`, { as: A });
await req("list as B (no orgs)", "GET", `${O}/list`, { as: B });

// =================================================================================================================
out("### 5. POST /organization/set-active\n");
await req("A set-active org2 by id", "POST", `${O}/set-active`, { as: A, json: { organizationId: org2.id } });
await session(A, "after set-active org2");
await req("A set-active org1 by slug", "POST", `${O}/set-active`, { as: A, json: { organizationSlug: org1Slug } });
await req("A set-active {} while org1 is active", "POST", `${O}/set-active`, { as: A, json: {} });
await req("A set-active both id (org2) and slug (org1): which wins?", "POST", `${O}/set-active`, { as: A, json: { organizationId: org2.id, organizationSlug: org1Slug } });
await req("A set-active organizationId:null", "POST", `${O}/set-active`, { as: A, json: { organizationId: null } });
await session(A, "after set-active null");
await req("A set-active organizationId:null again (nothing active)", "POST", `${O}/set-active`, { as: A, json: { organizationId: null } });
await req("A set-active {} (nothing active)", "POST", `${O}/set-active`, { as: A, json: {} });
await req("A set-active unknown slug", "POST", `${O}/set-active`, { as: A, json: { organizationSlug: `nope-${RUN}` } });
await req("A set-active unknown id", "POST", `${O}/set-active`, { as: A, json: { organizationId: "nope" } });
await req("A set-active organizationId:\"\" (empty string)", "POST", `${O}/set-active`, { as: A, json: { organizationId: "" } });
await req("A set-active organizationSlug:null", "POST", `${O}/set-active`, { as: A, json: { organizationSlug: null } });
await req("B set-active org1 (not a member)", "POST", `${O}/set-active`, { as: B, json: { organizationId: org1.id } });
await req("B set-active org1 by slug (not a member)", "POST", `${O}/set-active`, { as: B, json: { organizationSlug: org1Slug } });
await req("A set-active org1 (restore)", "POST", `${O}/set-active`, { as: A, json: { organizationId: org1.id } });
await req("A set-active org1 with no Origin header", "POST", `${O}/set-active`, { as: A, origin: null, json: { organizationId: org1.id } });

// =================================================================================================================
out("### 6. GET /organization/get-organization\n");
await req("A get-organization (active org1, no query)", "GET", `${O}/get-organization`, { as: A });
await req("A get-organization?organizationId=org2 (has metadata)", "GET", `${O}/get-organization`, { as: A, query: { organizationId: org2.id } });
await req("A get-organization?organizationSlug=org2", "GET", `${O}/get-organization`, { as: A, query: { organizationSlug: org2Slug } });
await req("A get-organization?organizationId=nope", "GET", `${O}/get-organization`, { as: A, query: { organizationId: "nope" } });
await req("B get-organization (no active org)", "GET", `${O}/get-organization`, { as: B });
await req("B get-organization?organizationId=org1 (not a member)", "GET", `${O}/get-organization`, { as: B, query: { organizationId: org1.id } });

// =================================================================================================================
out("### 7. POST /organization/update (owner, non-member)\n");
await req("A update name (active org1, no organizationId)", "POST", `${O}/update`, { as: A, json: { data: { name: "Org One Renamed" } } });
await req("A update org2 metadata object", "POST", `${O}/update`, { as: A, json: { organizationId: org2.id, data: { metadata: { plan: "enterprise" } } } });
await req("A update org2 logo null", "POST", `${O}/update`, { as: A, json: { organizationId: org2.id, data: { logo: null } } });
await req("A update org2 slug to org1's slug (taken)", "POST", `${O}/update`, { as: A, json: { organizationId: org2.id, data: { slug: org1Slug } } });
await req("A update org1 slug to its own slug", "POST", `${O}/update`, { as: A, json: { organizationId: org1.id, data: { slug: org1Slug } } });
await req("A update org \"Empty Meta\" metadata {} → (stored \"{}\")", "POST", `${O}/update`, { as: A, json: { organizationId: orgEmpty.id, data: { metadata: {} } } });
await req("A update org \"Empty Meta\" name only (metadata stays \"{}\")", "POST", `${O}/update`, { as: A, json: { organizationId: orgEmpty.id, data: { name: "Empty Meta 2" } } });
await req("A update data {}", "POST", `${O}/update`, { as: A, json: { organizationId: org1.id, data: {} } });
await req("A update metadata string", "POST", `${O}/update`, { as: A, json: { organizationId: org1.id, data: { metadata: "x" } } });
await req("A update name empty", "POST", `${O}/update`, { as: A, json: { organizationId: org1.id, data: { name: "" } } });
await req("A update without data", "POST", `${O}/update`, { as: A, json: { organizationId: org1.id } });
await req("A update extra data fields id/createdAt (ignored?)", "POST", `${O}/update`, { as: A, json: { organizationId: org1.id, data: { id: "hijack", createdAt: "2000-01-01T00:00:00.000Z", name: "Org One" } } });
await req("A update organizationId nope", "POST", `${O}/update`, { as: A, json: { organizationId: "nope", data: { name: "x" } } });
await req("B update org1 (not a member)", "POST", `${O}/update`, { as: B, json: { organizationId: org1.id, data: { name: "hijacked" } } });
await req("B update, no organizationId and no active org", "POST", `${O}/update`, { as: B, json: { data: { name: "x" } } });

// =================================================================================================================
out("### 8. POST /organization/invite-member\n");
const iB = (await req("A invites B as member (active org1, no organizationId)", "POST", `${O}/invite-member`, { as: A, json: { email: B.email, role: "member" } })).json;
const iC = (await req("A invites C, email in UPPERCASE, role [\"admin\"]", "POST", `${O}/invite-member`, { as: A, json: { email: C.email.toUpperCase(), role: ["admin"] } })).json;
const iD = (await req("A invites D, role [\"member\",\"admin\"], explicit organizationId", "POST", `${O}/invite-member`, { as: A, json: { email: D.email, role: ["member", "admin"], organizationId: org1.id } })).json;
const iE = (await req("A invites E, role \" admin , member \" (string with spaces)", "POST", `${O}/invite-member`, { as: A, json: { email: E.email, role: " admin , member " } })).json;
const ghost = email("ghost");
const iGhost = (await req("A invites a not-yet-registered address as owner", "POST", `${O}/invite-member`, { as: A, json: { email: ghost, role: "owner" } })).json;
const iB2 = (await req("A invites B to org2 (organizationId org2)", "POST", `${O}/invite-member`, { as: A, json: { email: B.email, role: "member", organizationId: org2.id } })).json;
note(`invitations: iB=${iB?.id} iC=${iC?.id} iD=${iD?.id} iE=${iE?.id} iGhost=${iGhost?.id} iB2(org2)=${iB2?.id}`);
await req("unknown role", "POST", `${O}/invite-member`, { as: A, json: { email: email("f1"), role: "superuser" } });
await req("role array with two unknown roles", "POST", `${O}/invite-member`, { as: A, json: { email: email("f2"), role: ["member", "bogus", "x"] } });
await req("role empty string", "POST", `${O}/invite-member`, { as: A, json: { email: email("f3"), role: "" } });
await req("role []", "POST", `${O}/invite-member`, { as: A, json: { email: email("f4"), role: [] } });
await req("role missing", "POST", `${O}/invite-member`, { as: A, json: { email: email("f5") } });
await req("role number", "POST", `${O}/invite-member`, { as: A, json: { email: email("f6"), role: 1 } });
await req("malformed email", "POST", `${O}/invite-member`, { as: A, json: { email: "not-an-email", role: "member" } });
await req("email missing", "POST", `${O}/invite-member`, { as: A, json: { role: "member" } });
await req("duplicate pending invite (B again, same role)", "POST", `${O}/invite-member`, { as: A, json: { email: B.email, role: "member" } });
await req("duplicate pending invite, different case + different role", "POST", `${O}/invite-member`, { as: A, json: { email: B.email.toUpperCase(), role: "admin" } });
await req("resend:true for B with role admin (role ignored? expiresAt renewed?)", "POST", `${O}/invite-member`, { as: A, json: { email: B.email, role: "admin", resend: true } });
await req("resend:false duplicate", "POST", `${O}/invite-member`, { as: A, json: { email: B.email, role: "member", resend: false } });
await req("resend:true for an address with no pending invite (creates a new one?)", "POST", `${O}/invite-member`, { as: A, json: { email: email("resend-new"), role: "member", resend: true } });
await req("A invites A (already a member)", "POST", `${O}/invite-member`, { as: A, json: { email: A.email, role: "member" } });
await req("B invites to org1 (caller not a member)", "POST", `${O}/invite-member`, { as: B, json: { email: email("f7"), role: "member", organizationId: org1.id } });
await req("B invites, no organizationId, no active org", "POST", `${O}/invite-member`, { as: B, json: { email: email("f8"), role: "member" } });
await req("A invites into organizationId nope", "POST", `${O}/invite-member`, { as: A, json: { email: email("f9"), role: "member", organizationId: "nope" } });
await req("A invites with teamId (teams disabled)", "POST", `${O}/invite-member`, { as: A, json: { email: email("team"), role: "member", teamId: "team-1" } });
await req("A invites with extra field status:accepted / inviterId (ignored?)", "POST", `${O}/invite-member`, { as: A, json: { email: email("extra"), role: "member", status: "accepted", inviterId: B.id, expiresAt: "2000-01-01T00:00:00.000Z" } });

// =================================================================================================================
out("### 9. GET /organization/get-invitation\n");
await req("B gets iB (recipient, unverified email)", "GET", `${O}/get-invitation`, { as: B, query: { id: iB.id } });
await req("C gets iB (not the recipient)", "GET", `${O}/get-invitation`, { as: C, query: { id: iB.id } });
await req("A (inviter) gets iB (not the recipient)", "GET", `${O}/get-invitation`, { as: A, query: { id: iB.id } });
await req("B gets unknown id", "GET", `${O}/get-invitation`, { as: B, query: { id: "nope" } });
await req("B gets without id", "GET", `${O}/get-invitation`, { as: B });

// =================================================================================================================
out("### 10. GET /organization/list-invitations (owner, non-member)\n");
await req("A list-invitations (active org1)", "GET", `${O}/list-invitations`, { as: A });
await req("A list-invitations?organizationId=org2", "GET", `${O}/list-invitations`, { as: A, query: { organizationId: org2.id } });
await req("B list-invitations?organizationId=org1 (not a member)", "GET", `${O}/list-invitations`, { as: B, query: { organizationId: org1.id } });
await req("B list-invitations (no active org)", "GET", `${O}/list-invitations`, { as: B });

// =================================================================================================================
out("### 11. GET /organization/list-user-invitations\n");
await req("B list-user-invitations (emailVerified=false)", "GET", `${O}/list-user-invitations`, { as: B });
await sql("verify B's and D's email", `update "user" set "emailVerified" = true where id = any($1)`, [[B.id, D.id]]);
await req("B list-user-invitations (emailVerified=true)", "GET", `${O}/list-user-invitations`, { as: B });
await req("B list-user-invitations?email=<D's email> (client may not pass email)", "GET", `${O}/list-user-invitations`, { as: B, query: { email: D.email } });
await req("D list-user-invitations (verified)", "GET", `${O}/list-user-invitations`, { as: D });

// =================================================================================================================
out("### 12. POST /organization/accept-invitation\n");
await req("C accepts iB (not the recipient)", "POST", `${O}/accept-invitation`, { as: C, json: { invitationId: iB.id } });
await req("B accepts iB", "POST", `${O}/accept-invitation`, { as: B, json: { invitationId: iB.id } });
await session(B, "after accept: activeOrganizationId = org1?");
await req("B set-active org2 (invited there, not a member yet)", "POST", `${O}/set-active`, { as: B, json: { organizationId: org2.id } });
await session(B, "after the 403: does a failed set-active clear the active org?");
await req("B set-active org1 (restore)", "POST", `${O}/set-active`, { as: B, json: { organizationId: org1.id } });
await req("B accepts iB again (already accepted)", "POST", `${O}/accept-invitation`, { as: B, json: { invitationId: iB.id } });
await req("B accepts unknown id", "POST", `${O}/accept-invitation`, { as: B, json: { invitationId: "nope" } });
await req("B accepts, invitationId missing", "POST", `${O}/accept-invitation`, { as: B, json: {} });
await req("B gets iB after acceptance", "GET", `${O}/get-invitation`, { as: B, query: { id: iB.id } });
const accC = await req("C (emailVerified=false) accepts iC (admin)", "POST", `${O}/accept-invitation`, { as: C, json: { invitationId: iC.id } });
const C_m1 = accC.json?.member;

out("**Expired invitations**\n");
if (await sql("expire iB2 (B's org2 invitation)", `update "invitation" set "expiresAt" = now() - interval '1 hour' where id = $1`, [iB2.id])) {
  await req("B gets expired iB2", "GET", `${O}/get-invitation`, { as: B, query: { id: iB2.id } });
  await req("B list-user-invitations (includes the expired one?)", "GET", `${O}/list-user-invitations`, { as: B });
  await req("A list-invitations?organizationId=org2 (expired one still listed, status?)", "GET", `${O}/list-invitations`, { as: A, query: { organizationId: org2.id } });
  await req("B accepts expired iB2", "POST", `${O}/accept-invitation`, { as: B, json: { invitationId: iB2.id } });
  await req("B rejects expired iB2 (reject does not check expiry?)", "POST", `${O}/reject-invitation`, { as: B, json: { invitationId: iB2.id } });
  await req("A re-invites B to org2 (expired one does not count as pending)", "POST", `${O}/invite-member`, { as: A, json: { email: B.email, role: "member", organizationId: org2.id } });
}

// =================================================================================================================
out("### 13. POST /organization/reject-invitation\n");
await req("C rejects iD (not the recipient)", "POST", `${O}/reject-invitation`, { as: C, json: { invitationId: iD.id } });
await req("D rejects iD", "POST", `${O}/reject-invitation`, { as: D, json: { invitationId: iD.id } });
await req("D rejects iD again", "POST", `${O}/reject-invitation`, { as: D, json: { invitationId: iD.id } });
await req("D rejects unknown id", "POST", `${O}/reject-invitation`, { as: D, json: { invitationId: "nope" } });
await req("D accepts rejected iD", "POST", `${O}/accept-invitation`, { as: D, json: { invitationId: iD.id } });
await session(D, "reject does not touch activeOrganizationId");

// =================================================================================================================
out("### 14. POST /organization/cancel-invitation\n");
await req("B (member) cancels iE", "POST", `${O}/cancel-invitation`, { as: B, json: { invitationId: iE.id } });
await req("D (non-member) cancels iE", "POST", `${O}/cancel-invitation`, { as: D, json: { invitationId: iE.id } });
await req("C (admin) cancels iE", "POST", `${O}/cancel-invitation`, { as: C, json: { invitationId: iE.id } });
await req("E accepts canceled iE", "POST", `${O}/accept-invitation`, { as: E, json: { invitationId: iE.id } });
await req("E gets canceled iE", "GET", `${O}/get-invitation`, { as: E, query: { id: iE.id } });
await req("E rejects canceled iE", "POST", `${O}/reject-invitation`, { as: E, json: { invitationId: iE.id } });
await req("A cancels iE again (already canceled)", "POST", `${O}/cancel-invitation`, { as: A, json: { invitationId: iE.id } });
await req("A cancels unknown id", "POST", `${O}/cancel-invitation`, { as: A, json: { invitationId: "nope" } });
await req("C (admin) cancels iGhost (an owner-role invitation)", "POST", `${O}/cancel-invitation`, { as: C, json: { invitationId: iGhost.id } });
const iGhost2 = (await req("A invites ghost2 as owner (for the admin-view checks below)", "POST", `${O}/invite-member`, { as: A, json: { email: email("ghost2"), role: "owner" } })).json;
const iF = (await req("A invites F (pending, member)", "POST", `${O}/invite-member`, { as: A, json: { email: email("f"), role: "member" } })).json;
void iGhost2; void iF;
await req("C (admin) invites as owner", "POST", `${O}/invite-member`, { as: C, json: { email: email("c-owner"), role: "owner" } });
await req("C (admin) invites as [\"admin\",\"owner\"]", "POST", `${O}/invite-member`, { as: C, json: { email: email("c-owner2"), role: ["admin", "owner"] } });
await req("C (admin) invites as admin", "POST", `${O}/invite-member`, { as: C, json: { email: email("c-admin"), role: "admin" } });
await req("B (member) invites", "POST", `${O}/invite-member`, { as: B, json: { email: email("b-inv"), role: "member" } });
await req("B (member) list-invitations", "GET", `${O}/list-invitations`, { as: B });
await req("C (admin) list-invitations (owner-role invitations hidden?)", "GET", `${O}/list-invitations`, { as: C });

// =================================================================================================================
out("### 15. GET /organization/get-full-organization\n");
await req("A (owner) get-full-organization (active org1)", "GET", `${O}/get-full-organization`, { as: A });
await req("C (admin) get-full-organization", "GET", `${O}/get-full-organization`, { as: C });
await req("B (member) get-full-organization", "GET", `${O}/get-full-organization`, { as: B });
await req("A get-full-organization?organizationId=org2", "GET", `${O}/get-full-organization`, { as: A, query: { organizationId: org2.id } });
await req("A get-full-organization?organizationSlug=org1&membersLimit=1", "GET", `${O}/get-full-organization`, { as: A, query: { organizationSlug: org1Slug, membersLimit: 1 } });
await req("A get-full-organization?membersLimit=abc", "GET", `${O}/get-full-organization`, { as: A, query: { membersLimit: "abc" } });
await req("A get-full-organization?organizationId=nope", "GET", `${O}/get-full-organization`, { as: A, query: { organizationId: "nope" } });
await req("D (non-member) get-full-organization?organizationId=org1", "GET", `${O}/get-full-organization`, { as: D, query: { organizationId: org1.id } });
await req("E (no active org) get-full-organization", "GET", `${O}/get-full-organization`, { as: E });

// =================================================================================================================
out("### 16. GET /organization/list-members\n");
const lm = await req("A list-members (active org1)", "GET", `${O}/list-members`, { as: A });
const memberOf = (u) => lm.json.members.find((m) => m.userId === u.id);
const B_mid = memberOf(B).id;
const C_mid = memberOf(C)?.id || C_m1?.id;
note(`org1 member ids: A=${A_m1.id} B=${B_mid} C=${C_mid}`);
await req("limit=1", "GET", `${O}/list-members`, { as: A, query: { limit: 1 } });
await req("limit=1&offset=1", "GET", `${O}/list-members`, { as: A, query: { limit: 1, offset: 1 } });
await req("offset=2", "GET", `${O}/list-members`, { as: A, query: { offset: 2 } });
await req("limit=0", "GET", `${O}/list-members`, { as: A, query: { limit: 0 } });
await req("limit=-1", "GET", `${O}/list-members`, { as: A, query: { limit: -1 } });
await req("offset=-1", "GET", `${O}/list-members`, { as: A, query: { offset: -1 } });
await req("limit=abc", "GET", `${O}/list-members`, { as: A, query: { limit: "abc" } });
await req("sortBy=createdAt&sortDirection=desc", "GET", `${O}/list-members`, { as: A, query: { sortBy: "createdAt", sortDirection: "desc" } });
await req("sortBy=role (direction defaults to asc)", "GET", `${O}/list-members`, { as: A, query: { sortBy: "role" } });
await req("sortDirection=up (invalid)", "GET", `${O}/list-members`, { as: A, query: { sortBy: "role", sortDirection: "up" } });
await req("sortBy=bogus", "GET", `${O}/list-members`, { as: A, query: { sortBy: "bogus" } });
await req("filterField=role&filterValue=admin (operator omitted)", "GET", `${O}/list-members`, { as: A, query: { filterField: "role", filterValue: "admin" } });
await req("filterField=role&filterOperator=ne&filterValue=owner", "GET", `${O}/list-members`, { as: A, query: { filterField: "role", filterOperator: "ne", filterValue: "owner" } });
await req("filterField=role&filterOperator=in&filterValue=admin&filterValue=member", "GET", `${O}/list-members`, { as: A, query: { filterField: "role", filterOperator: "in", filterValue: ["admin", "member"] } });
await req("filterField=role&filterOperator=contains&filterValue=dm", "GET", `${O}/list-members`, { as: A, query: { filterField: "role", filterOperator: "contains", filterValue: "dm" } });
await req("filterField=userId&filterValue=<B>", "GET", `${O}/list-members`, { as: A, query: { filterField: "userId", filterValue: B.id } });
await req("filterField=role&filterOperator=bogus", "GET", `${O}/list-members`, { as: A, query: { filterField: "role", filterOperator: "bogus", filterValue: "x" } });
await req("filterField=bogus&filterValue=x", "GET", `${O}/list-members`, { as: A, query: { filterField: "bogus", filterValue: "x" } });
await req("filterField=role without filterValue", "GET", `${O}/list-members`, { as: A, query: { filterField: "role" } });
await req("organizationId=org2", "GET", `${O}/list-members`, { as: A, query: { organizationId: org2.id } });
await req("organizationSlug=org1", "GET", `${O}/list-members`, { as: A, query: { organizationSlug: org1Slug } });
await req("organizationSlug=nope", "GET", `${O}/list-members`, { as: A, query: { organizationSlug: "nope" } });
await req("B (member) list-members", "GET", `${O}/list-members`, { as: B });
await req("D (non-member) list-members?organizationId=org1", "GET", `${O}/list-members`, { as: D, query: { organizationId: org1.id } });
await req("E (no active org) list-members", "GET", `${O}/list-members`, { as: E });

// =================================================================================================================
out("### 17. get-active-member / get-active-member-role\n");
await req("A get-active-member", "GET", `${O}/get-active-member`, { as: A });
await req("B get-active-member", "GET", `${O}/get-active-member`, { as: B });
await req("E get-active-member (no active org)", "GET", `${O}/get-active-member`, { as: E });
await req("A get-active-member-role", "GET", `${O}/get-active-member-role`, { as: A });
await req("A get-active-member-role?userId=<C>", "GET", `${O}/get-active-member-role`, { as: A, query: { userId: C.id } });
await req("B (member) get-active-member-role?userId=<A>", "GET", `${O}/get-active-member-role`, { as: B, query: { userId: A.id } });
await req("A get-active-member-role?userId=<D> (not a member)", "GET", `${O}/get-active-member-role`, { as: A, query: { userId: D.id } });
await req("A get-active-member-role?organizationSlug=org2", "GET", `${O}/get-active-member-role`, { as: A, query: { organizationSlug: org2Slug } });
await req("A get-active-member-role?organizationSlug=nope", "GET", `${O}/get-active-member-role`, { as: A, query: { organizationSlug: "nope" } });
await req("D get-active-member-role?organizationId=org1 (not a member)", "GET", `${O}/get-active-member-role`, { as: D, query: { organizationId: org1.id } });
await req("E get-active-member-role (no active org)", "GET", `${O}/get-active-member-role`, { as: E });

// =================================================================================================================
out("### 18. POST /organization/has-permission\n");
const hp = (t, u, json) => req(t, "POST", `${O}/has-permission`, { as: u, json });
await hp("A (owner) organization:[delete]", A, { permissions: { organization: ["delete"] } });
await hp("C (admin) organization:[delete]", C, { permissions: { organization: ["delete"] } });
await hp("C (admin) member:[create,update,delete]", C, { permissions: { member: ["create", "update", "delete"] } });
await hp("C (admin) organization:[update] + invitation:[create]", C, { permissions: { organization: ["update"], invitation: ["create"] } });
await hp("B (member) invitation:[create]", B, { permissions: { invitation: ["create"] } });
await hp("B (member) ac:[read]", B, { permissions: { ac: ["read"] } });
await hp("A unknown resource foo:[bar]", A, { permissions: { foo: ["bar"] } });
await hp("A unknown action organization:[fly]", A, { permissions: { organization: ["fly"] } });
await hp("A empty action list organization:[]", A, { permissions: { organization: [] } });
await hp("A permissions {}", A, { permissions: {} });
await hp("A deprecated key `permission` organization:[delete]", A, { permission: { organization: ["delete"] } });
await hp("A both `permission` and `permissions`", A, { permission: { organization: ["delete"] }, permissions: { organization: ["delete"] } });
await hp("A neither key ({})", A, {});
await hp("A permissions value not an array", A, { permissions: { organization: "delete" } });
await hp("A organizationId=org2 organization:[delete]", A, { organizationId: org2.id, permissions: { organization: ["delete"] } });
await hp("E (no active org)", E, { permissions: { organization: ["update"] } });
await hp("D organizationId=org1 (not a member)", D, { organizationId: org1.id, permissions: { organization: ["update"] } });

// =================================================================================================================
out("### 19. POST /organization/update (admin, member)\n");
await req("C (admin) update org1 name", "POST", `${O}/update`, { as: C, json: { data: { name: "Org One by admin" } } });
await req("B (member) update org1 name", "POST", `${O}/update`, { as: B, json: { data: { name: "Org One by member" } } });

// =================================================================================================================
out("### 20. POST /organization/update-member-role\n");
const umr = (t, u, json) => req(t, "POST", `${O}/update-member-role`, { as: u, json });
await umr("A sets B → admin", A, { memberId: B_mid, role: "admin" });
await umr("A sets B → [\"admin\",\"member\"]", A, { memberId: B_mid, role: ["admin", "member"] });
await umr("A sets B → \" member , admin \"", A, { memberId: B_mid, role: " member , admin " });
await umr("A sets B → member (restore)", A, { memberId: B_mid, role: "member" });
await umr("C (admin) sets B → owner", C, { memberId: B_mid, role: "owner" });
await umr("C (admin) sets A (owner) → member", C, { memberId: A_m1.id, role: "member" });
await umr("C (admin) sets B → admin", C, { memberId: B_mid, role: "admin" });
await umr("C (admin) sets B → member (restore)", C, { memberId: B_mid, role: "member" });
await umr("B (member) sets own role → admin", B, { memberId: B_mid, role: "admin" });
await umr("B (member) sets C → member", B, { memberId: C_mid, role: "member" });
await umr("A (last owner) demotes self → admin", A, { memberId: A_m1.id, role: "admin" });
await umr("A (last owner) sets self → [\"owner\",\"admin\"]", A, { memberId: A_m1.id, role: ["owner", "admin"] });
await umr("A sets self → owner (restore)", A, { memberId: A_m1.id, role: "owner" });
await umr("A sets B → superuser (unknown role)", A, { memberId: B_mid, role: "superuser" });
await umr("A sets B → [\"member\",\"x\",\"y\"]", A, { memberId: B_mid, role: ["member", "x", "y"] });
await umr("A sets B → \"\"", A, { memberId: B_mid, role: "" });
await umr("A sets B → []", A, { memberId: B_mid, role: [] });
await umr("A sets B → \" , \"", A, { memberId: B_mid, role: " , " });
await umr("A memberId nope", A, { memberId: "nope", role: "member" });
await umr("A memberId missing", A, { role: "member" });
await umr("A, organizationId org1, memberId = A's org2 member", A, { memberId: A_m2.id, role: "member", organizationId: org1.id });
await umr("D (non-member) organizationId org1", D, { memberId: B_mid, role: "admin", organizationId: org1.id });
await umr("E (no active org)", E, { memberId: B_mid, role: "admin" });

// =================================================================================================================
out("### 21. POST /organization/remove-member\n");
const rm = (t, u, json) => req(t, "POST", `${O}/remove-member`, { as: u, json });
await rm("B (member) removes C by id", B, { memberIdOrEmail: C_mid });
await rm("B (member) removes A (owner) by id", B, { memberIdOrEmail: A_m1.id });
await rm("C (admin) removes A (owner) by id", C, { memberIdOrEmail: A_m1.id });
await rm("A (last owner) removes self by id", A, { memberIdOrEmail: A_m1.id });
await rm("A (last owner) removes self by email", A, { memberIdOrEmail: A.email });
await rm("A removes unknown id", A, { memberIdOrEmail: "nope" });
await rm("A removes unknown email", A, { memberIdOrEmail: email("nobody") });
await rm("A removes D by email (registered, not a member)", A, { memberIdOrEmail: D.email });
await rm("A removes A's org2 member id while org1 is active", A, { memberIdOrEmail: A_m2.id });
await rm("D (non-member) organizationId org1", D, { memberIdOrEmail: B_mid, organizationId: org1.id });
await rm("E (no active org)", E, { memberIdOrEmail: B_mid });
await rm("A removes C by id", A, { memberIdOrEmail: C_mid });
await session(C, "C removed by A: activeOrganizationId still org1?");
await req("C get-full-organization after removal (clears active org?)", "GET", `${O}/get-full-organization`, { as: C });
await session(C, "after the 403");
await rm("A removes B by email in UPPERCASE", A, { memberIdOrEmail: B.email.toUpperCase() });
await session(B, "B removed by A");

out("**Re-join B (member) and C (admin) to org1**\n");
const iB3 = (await req("A invites B (member)", "POST", `${O}/invite-member`, { as: A, json: { email: B.email, role: "member" } })).json;
const iC3 = (await req("A invites C (admin)", "POST", `${O}/invite-member`, { as: A, json: { email: C.email, role: "admin" } })).json;
const B_mid2 = (await req("B accepts", "POST", `${O}/accept-invitation`, { as: B, json: { invitationId: iB3.id } })).json.member.id;
const C_mid2 = (await req("C accepts", "POST", `${O}/accept-invitation`, { as: C, json: { invitationId: iC3.id } })).json.member.id;
await umr("A promotes B → owner (two owners now)", A, { memberId: B_mid2, role: "owner" });
await rm("C (admin) removes B (owner, not the last)", C, { memberIdOrEmail: B_mid2 });
await umr("B (owner) sets A → admin (B is the other owner)", B, { memberId: A_m1.id, role: "admin" });
await umr("A (now admin) sets self → owner", A, { memberId: A_m1.id, role: "owner" });
await umr("B (owner) sets A → owner", B, { memberId: A_m1.id, role: "owner" });
await rm("A (owner) removes B (owner, two owners)", A, { memberIdOrEmail: B_mid2 });
await session(B, "B removed");
await rm("C (admin) removes self", C, { memberIdOrEmail: C_mid2 });
await session(C, "C removed self: activeOrganizationId cleared?");

// =================================================================================================================
out("### 22. POST /organization/leave\n");
const iB4 = (await req("A invites B (member)", "POST", `${O}/invite-member`, { as: A, json: { email: B.email, role: "member" } })).json;
await req("B accepts", "POST", `${O}/accept-invitation`, { as: B, json: { invitationId: iB4.id } });
await req("B leaves org1 (active org1)", "POST", `${O}/leave`, { as: B, json: { organizationId: org1.id } });
await session(B, "after leave");
await req("B leaves org1 again (no longer a member)", "POST", `${O}/leave`, { as: B, json: { organizationId: org1.id } });
await req("A (last owner) leaves org1", "POST", `${O}/leave`, { as: A, json: { organizationId: org1.id } });
await req("A leaves, organizationId missing", "POST", `${O}/leave`, { as: A, json: {} });
await req("D leaves org1 (never a member)", "POST", `${O}/leave`, { as: D, json: { organizationId: org1.id } });
await req("A leaves organizationId nope", "POST", `${O}/leave`, { as: A, json: { organizationId: "nope" } });

// =================================================================================================================
out("### 23. POST /organization/delete\n");
const iB5 = (await req("A invites B to org2 with resend:true (renews and returns the pending re-invite from part 12, or creates one)", "POST", `${O}/invite-member`, { as: A, json: { email: B.email, role: "member", organizationId: org2.id, resend: true } })).json;
const iC5 = (await req("A invites C to org2 (admin)", "POST", `${O}/invite-member`, { as: A, json: { email: C.email, role: "admin", organizationId: org2.id } })).json;
await req("B accepts org2 invite (active → org2)", "POST", `${O}/accept-invitation`, { as: B, json: { invitationId: iB5.id } });
await req("C accepts org2 invite (active → org2)", "POST", `${O}/accept-invitation`, { as: C, json: { invitationId: iC5.id } });
const lmB2 = await req("A list-members?organizationId=org2", "GET", `${O}/list-members`, { as: A, query: { organizationId: org2.id } });
const B_org2_mid = lmB2.json?.members?.find((m) => m.userId === B.id)?.id;
await rm("A (active org1) removes B's org2 member id without organizationId (member of another org)", A, { memberIdOrEmail: B_org2_mid });
await rm("A (active org1) removes B by email without organizationId (B is not in org1)", A, { memberIdOrEmail: B.email });
await umr("A (active org1) sets B's org2 member → admin without organizationId", A, { memberId: B_org2_mid, role: "admin" });
await req("B (member) deletes org2", "POST", `${O}/delete`, { as: B, json: { organizationId: org2.id } });
await req("C (admin) deletes org2", "POST", `${O}/delete`, { as: C, json: { organizationId: org2.id } });
await req("D (non-member) deletes org2", "POST", `${O}/delete`, { as: D, json: { organizationId: org2.id } });
await req("A deletes organizationId nope", "POST", `${O}/delete`, { as: A, json: { organizationId: "nope" } });
await req("A deletes, organizationId missing", "POST", `${O}/delete`, { as: A, json: {} });
await req("A (owner, active org1) deletes org2", "POST", `${O}/delete`, { as: A, json: { organizationId: org2.id } });
await session(A, "active org1 untouched");
await session(B, "B's active org was org2 (deleted)");
await req("B get-full-organization (active org was deleted)", "GET", `${O}/get-full-organization`, { as: B });
await req("B get-organization (active org was deleted)", "GET", `${O}/get-organization`, { as: B });
await req("B get-active-member (active org was deleted)", "GET", `${O}/get-active-member`, { as: B });
await req("B list", "GET", `${O}/list`, { as: B });
await req("A deletes org1 (its active org)", "POST", `${O}/delete`, { as: A, json: { organizationId: org1.id } });
await session(A, "after deleting the active org");
await req("A get-invitation of a deleted org's invitation (iF, addressed to someone else anyway)", "GET", `${O}/get-invitation`, { as: A, query: { id: iF.id } });
await req("A deletes org1 again", "POST", `${O}/delete`, { as: A, json: { organizationId: org1.id } });
await req("A list", "GET", `${O}/list`, { as: A });

// =================================================================================================================
out("### 24. Bearer token instead of cookie\n");
const c3 = await req("A creates org3 with Authorization: Bearer, no cookie, no Origin", "POST", `${O}/create`, { bearer: A, origin: null, json: { name: "Org Three", slug: `org-three-${RUN}` } });
await req("A list with Bearer", "GET", `${O}/list`, { bearer: A });
await req("A set-active null with Bearer, no Origin", "POST", `${O}/set-active`, { bearer: A, origin: null, json: { organizationId: null } });
await req("A set-active org3 with Bearer, no Origin", "POST", `${O}/set-active`, { bearer: A, origin: null, json: { organizationId: c3.json?.id } });

if (db) await db.end();
