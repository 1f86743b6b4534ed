// End-to-end test of the organization plugin: the unmodified better-auth client SDK (npm 1.7.25, `createAuthClient`
// with `organizationClient()`) against a server under test, every /organization/* endpoint over real HTTP.
//
// How to run (from the repository root, after `make npm build`):
//   Against the better-auth oracle:
//     E2E_FILES=organization.test.mjs scripts/with-postgres.sh e2e/oracle/e2e-oracle.sh
//   Against iamd (once it serves these endpoints), with scripts/e2e.sh's setup (fake Resend, BEEP=1, PostgreSQL and
//   SQLite): E2E_TEST_ARGS lands just before the file list, so it can add this file to client.test.mjs:
//     E2E_OUTAGE=0 E2E_TEST_ARGS=organization.test.mjs scripts/with-postgres.sh scripts/e2e.sh
//   (or add organization.test.mjs to `files` in scripts/e2e.sh once iamd passes it).
// Or by hand (from /work/main/e2e):
//   Against Beep IAM (Beep-specific assertions on; FAKE_RESEND_URL is needed for every flow in which an invitee
//   accepts, because Beep accepts invitations only from verified addresses and the address is verified by opening the
//   link of the sign-up email):
//     BASE_URL=http://127.0.0.1:8080 BEEP=1 FAKE_RESEND_URL=http://127.0.0.1:PORT/ node --test organization.test.mjs
//   Against the better-auth oracle (Beep-specific assertions skipped):
//     DATABASE_URL=postgres://... PORT=3999 node oracle/server.mjs &
//     BASE_URL=http://127.0.0.1:3999 ORACLE_DATABASE_URL=postgres://... node --test organization.test.mjs
//
// Env, as in client.test.mjs: BASE_URL (server origin, no path), E2E_LABEL (optional prefix of the suite's name),
// BEEP=1 (assert the Beep-only behaviour), FAKE_RESEND_URL (with BEEP=1: the fake Resend server, to read the sign-up
// verification email and the invitation email; see mail.mjs), EMAIL_FROM (the sender every email must have).
// ORACLE_DATABASE_URL (oracle mode only; e2e-oracle.sh sets it): the oracle's database. better-auth answers
// list-user-invitations only for a verified address, and the oracle has no mail transport to verify one with, so the
// suite marks that one invitee verified with an UPDATE there. Without it that success path is not checked.
//
// Beep-only behaviour (asserted only with BEEP=1):
//   - Every user gets a personal organization at sign-up (type "individual", isPersonal), the session's active one;
//     it cannot be deleted or left. So `list` answers one organization more than in better-auth.
//   - Organizations carry extra fields (type, isPersonal, subscriptionTier, …); nothing here fails on extra fields.
//   - Accepting an invitation needs a verified address (403
//     EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION before); so does rejecting (ASSUMED).
//   - The invitation email (FAKE_RESEND_URL) links to …/accept-invitation/<invitation id>.
//   - get-session's session.organizationContext follows memberships at once (accept, role change, removal), also
//     when get-session is answered from the session_data cookie cache; when a membership ends, activeOrganizationId
//     falls back to the personal organization (better-auth leaves it, or sets null).
// Places where the oracle's answer differs from what one might expect are marked "ORACLE:"; Beep assertions that go
// beyond the behaviour listed above (and may need adjusting) are marked "ASSUMED".
//
// Each flow is one named subtest with its own fresh users (unique emails), so a failure names the flow and does not
// cascade. customFetchImpl keeps one cookie jar per "browser" and adds `Origin: BASE_URL` (see client.test.mjs).
// Rate limiting is off on both servers (the oracle because NODE_ENV is unset), so flows sign up as many users as they
// need.
import { makeBrowser, show, ok, fails } from "./browser.mjs";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { FAKE_RESEND_URL, SUBJECT, deliveries, violations, waitForMail, linkIn, assertWellFormed } from "./mail.mjs";

const BASE_URL = (process.env.BASE_URL || "http://127.0.0.1:3999").replace(/\/+$/, "");
const makeClient = () => makeBrowser(BASE_URL);
const API = `${BASE_URL}/api/auth`;
const BEEP = process.env.BEEP === "1";
const LABEL = process.env.E2E_LABEL ? `${process.env.E2E_LABEL}: ` : "";
const ORACLE_DATABASE_URL = process.env.ORACLE_DATABASE_URL || "";
const HOUR = 3_600_000;
const PASSWORD = "correct horse battery staple";
const SESSION_TOKEN = "better-auth.session_token";

// Can the suite make a user's address verified? Beep: through the sign-up email (fake Resend). Oracle: in its database.
const CAN_VERIFY = BEEP ? Boolean(FAKE_RESEND_URL) : Boolean(ORACLE_DATABASE_URL);
// Flows in which an invitee accepts need that in Beep.
const NEEDS_ACCEPT = BEEP && !FAKE_RESEND_URL
  ? "Beep accepts invitations only from verified addresses, and verifying one needs FAKE_RESEND_URL"
  : false;

const RUN = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
let seq = 0;
const uniqueEmail = (tag) => `e2e-${tag}-${RUN}-${++seq}@example.com`;
const uniqueSlug = (tag) => `e2e-${tag}-${RUN}-${++seq}`;

// ---------------------------------------------------------------------------------------------------------------------
// Browsers (as in client.test.mjs)

/** Asserts an SDK result is a 4xx refusal, whatever its code (for Beep-only rules whose code is not fixed here). */
function refused(res, what) {
  assert.equal(res.data, null, `${what}: expected a refusal, got data ${show(res.data)}`);
  assert.ok(res.error && res.error.status >= 400 && res.error.status < 500, `${what}: expected a 4xx, got ${show(res.error)}`);
}

/**
 * A fresh user, signed up in a new browser: {client, org (= client.organization), jar, email, user}. In Beep,
 * personalOrgId is the personal organization the session starts in.
 */
async function newUser(tag) {
  const b = makeClient();
  const email = uniqueEmail(tag);
  const data = ok(await b.client.signUp.email({ name: `E2E ${tag}`, email, password: PASSWORD }), `sign-up ${tag}`);
  assert.ok(b.jar.cookies.has(SESSION_TOKEN), "sign-up stored a session cookie");
  const u = { ...b, email, user: data.user, personalOrgId: undefined };
  if (BEEP) {
    const s = await sessionOf(u, `${tag} after sign-up`);
    u.personalOrgId = s.session.activeOrganizationId;
    assert.match(String(u.personalOrgId), /^organization__/, `${tag}: the session starts in the personal organization`);
  }
  return u;
}

/** The browser's get-session answer (asserted to be this user's session). */
async function sessionOf(b, what, query) {
  const data = ok(await b.client.getSession(query ? { query } : undefined), `${what}: get-session`);
  assert.ok(data, `${what}: expected a session, got null`);
  assert.equal(data.user.email, b.email, `${what}: session user`);
  return data;
}

/** The browser's session.activeOrganizationId. */
const activeOrgOf = async (b, what) => (await sessionOf(b, what)).session.activeOrganizationId;

/** Opens an emailed link as a browser would (GET, no redirects followed), with b's cookies, keeping what it sets. */
async function visit(url, b) {
  const headers = {};
  const cookie = b?.jar.header();
  if (cookie) headers.cookie = cookie;
  const res = await fetch(url, { redirect: "manual", headers });
  const text = await res.text();
  if (b) b.jar.store(res.headers.getSetCookie());
  return { status: res.status, location: res.headers.get("location"), text };
}

/**
 * Makes b's address verified. Beep: opens the link of the sign-up verification email in b's browser (as
 * client.test.mjs's email flows do). Oracle: sets user.emailVerified in its database (a fixture step: the oracle has
 * no mail transport). Callers check CAN_VERIFY first.
 */
async function verifyEmail(b) {
  assert.ok(CAN_VERIFY, "verifyEmail needs FAKE_RESEND_URL (Beep) or ORACLE_DATABASE_URL (oracle)");
  if (BEEP) {
    const d = await waitForMail(b.email, { subject: SUBJECT.verification });
    const r = await visit(linkIn(d, `${API}/verify-email?`), b);
    assert.equal(r.status, 302, `open the verification link: ${r.status} ${r.text}`);
  } else {
    const { default: pg } = await import("pg");
    const db = new pg.Client({ connectionString: ORACLE_DATABASE_URL });
    await db.connect();
    try {
      const r = await db.query('update "user" set "emailVerified" = true where id = $1', [b.user.id]);
      assert.equal(r.rowCount, 1, "oracle: the user row was marked verified");
    } finally {
      await db.end();
    }
  }
  assert.equal((await sessionOf(b, "after verifying")).user.emailVerified, true, "the session shows the address verified");
}

// ---------------------------------------------------------------------------------------------------------------------
// Organization helpers

/**
 * better-auth stores metadata as JSON text: create and update answer it parsed, but get-organization,
 * get-full-organization and list answer the stored text (ORACLE: e.g. "metadata":"{\"plan\":\"pro\"}"). Compare parsed.
 */
const meta = (m) => (typeof m === "string" ? JSON.parse(m) : m);

/** Creates an organization as b (fresh slug); returns it. */
async function createOrg(b, tag, extra = {}) {
  const slug = uniqueSlug(tag);
  const org = ok(await b.org.create({ name: `E2E Org ${tag}`, slug, ...extra }), `create ${tag}`);
  assert.equal(org.slug, slug);
  return org;
}

/** Beep: an organization created through the API is a team one (extra fields tolerated, checked when present). */
function assertTeamOrg(o, what) {
  if (!BEEP) return;
  assert.match(o.id, /^organization__/, `${what}: Beep organization id prefix`);
  assert.equal(o.type, "team", `${what}: type (got ${show(o)})`);
  if ("isPersonal" in o) assert.equal(o.isPersonal, false, `${what}: isPersonal`);
}

/** Beep: the slug of a personal organization ends with a suffix of the user id (dashes dropped, lower-cased). */
function assertPersonalSlug(slug, userId) {
  const uid = userId.replace(/-/g, "").toLowerCase();
  const tail = slug.slice(slug.lastIndexOf("-") + 1);
  assert.ok(tail.length >= 6 && uid.endsWith(tail), `personal slug ${slug} ends with a suffix of the user id ${userId}`);
}

/**
 * Has a fresh user join orgId with role: inviter invites them, (Beep) they verify their address, they accept.
 * Returns the user with .member (the member row from accept-invitation) and .invitation.
 */
async function addMember(inviter, orgId, tag, role = "member") {
  const m = await newUser(tag);
  const invitation = ok(await inviter.org.inviteMember({ email: m.email, role, organizationId: orgId }), `invite ${tag}`);
  if (BEEP) await verifyEmail(m);
  const accepted = ok(await m.org.acceptInvitation({ invitationId: invitation.id }), `${tag} accepts`);
  assert.equal(accepted.member.role, role, `${tag}: member role`);
  return Object.assign(m, { member: accepted.member, invitation });
}

/** Beep: the session's organizationContext (asserted to be an object). */
function contextOf(s, what) {
  const ctx = s.session.organizationContext;
  assert.equal(typeof ctx, "object", `${what}: organizationContext is an object (got ${show(ctx)})`);
  assert.notEqual(ctx, null, `${what}: organizationContext`);
  return ctx;
}

/** Beep: the invitation email to `to` that links to /accept-invitation/<invitationId> (polls up to 10 s). */
async function waitForInvitationMail(to, invitationId) {
  const suffix = `/accept-invitation/${invitationId}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const d = (await deliveries(to)).find((x) => x.text.includes(suffix) || x.html.includes(suffix));
    if (d) return d;
    if (Date.now() > deadline) {
      const got = (await deliveries(to)).map((x) => x.subject);
      assert.fail(`no email to ${to} mentioning ${suffix} within 10 s (got subjects ${show(got)})`);
    }
    await sleep(100);
  }
}

const unescapeHTML = (s) =>
  s.replace(/&(amp|lt|gt|quot|#34|#39|#x27);/g, (_, e) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#34": '"', "#39": "'", "#x27": "'" })[e]);

/** Asserts the invitation email links to …/accept-invitation/<id> in its text part and in its HTML part. */
function assertInvitationLinks(d, invitationId) {
  const suffix = `/accept-invitation/${invitationId}`;
  const textLinks = [...d.text.matchAll(/https?:\/\/[^\s<>"]+/g)].map((m) => m[0]);
  assert.ok(textLinks.some((l) => l.endsWith(suffix)), `text part links to …${suffix} (links: ${show(textLinks)})`);
  const hrefs = [...d.html.matchAll(/href="([^"]*)"/g)].map((m) => unescapeHTML(m[1]));
  assert.ok(hrefs.some((h) => /^https?:\/\//.test(h) && h.endsWith(suffix)), `HTML part links to …${suffix} (hrefs: ${show(hrefs)})`);
}

// ---------------------------------------------------------------------------------------------------------------------

describe(`${LABEL}organization plugin through the better-auth client against ${BASE_URL}${BEEP ? " (BEEP)" : " (oracle mode)"}`, () => {
  it("signed out: organization endpoints answer 401", async () => {
    const { org } = makeClient();
    fails(await org.list(), "list", 401, "UNAUTHORIZED");
    fails(await org.getFullOrganization(), "getFullOrganization", 401, "UNAUTHORIZED");
    fails(await org.setActive({ organizationId: "x" }), "setActive", 401, "UNAUTHORIZED");
    fails(await org.checkSlug({ slug: uniqueSlug("anon") }), "checkSlug", 401, "UNAUTHORIZED");
    // ORACLE: create answers 401 with an empty body (no code, no message); get-invitation {message:"Not authenticated"}.
    fails(await org.create({ name: "Anon", slug: uniqueSlug("anon") }), "create", 401, undefined);
    fails(await org.getInvitation({ query: { id: "x" } }), "getInvitation", 401, undefined, "Not authenticated");
  });

  it("a new user's organizations: Beep's personal one (active, cannot be deleted or left); the oracle's none", async () => {
    const a = await newUser("personal");
    const s = await sessionOf(a, "after sign-up");
    const list = ok(await a.org.list(), "list");
    if (!BEEP) {
      assert.deepEqual(list, [], "better-auth: no organization at sign-up");
      assert.equal(s.session.activeOrganizationId, null, "better-auth: no active organization");
      assert.equal(ok(await a.org.getFullOrganization(), "getFullOrganization"), null, "no active organization → null");
      fails(await a.org.getActiveMember(), "getActiveMember", 400, "NO_ACTIVE_ORGANIZATION");
      fails(await a.org.hasPermission({ permissions: { member: ["create"] } }), "hasPermission", 400, "NO_ACTIVE_ORGANIZATION");
      return;
    }
    assert.equal(list.length, 1, `one organization, the personal one (got ${show(list)})`);
    const [p] = list;
    assert.equal(p.id, a.personalOrgId, "it is the active organization");
    assertPersonalSlug(p.slug, a.user.id);
    if ("isPersonal" in p) assert.equal(p.isPersonal, true, "isPersonal");
    if ("type" in p) assert.equal(p.type, "individual", "type");
    const ctx = contextOf(s, "after sign-up");
    assert.deepEqual(Object.keys(ctx), [p.id]);
    assert.equal(ctx[p.id].role, "owner");

    const full = ok(await a.org.getFullOrganization(), "getFullOrganization (active)");
    assert.equal(full.id, p.id);
    assert.deepEqual(full.members.map((m) => [m.userId, m.role, m.user.email]), [[a.user.id, "owner", a.email]]);
    assert.equal(ok(await a.org.getActiveMember(), "getActiveMember").role, "owner");
    assert.deepEqual(ok(await a.org.getActiveMemberRole(), "getActiveMemberRole"), { role: "owner" });

    refused(await a.org.delete({ organizationId: p.id }), "delete the personal organization");
    refused(await a.org.leave({ organizationId: p.id }), "leave the personal organization");
    assert.deepEqual(ok(await a.org.list(), "list after").map((o) => o.id), [p.id], "still there");
    assert.equal(ok(await a.org.getFullOrganization({ query: { organizationId: p.id } }), "getFullOrganization after").members.length, 1);
    const after = await sessionOf(a, "after the refusals");
    assert.equal(after.session.activeOrganizationId, p.id, "still the active organization");
    assert.equal(contextOf(after, "after the refusals")[p.id].role, "owner");
  });

  it("create, checkSlug, list, getOrganization, getFullOrganization, setActive (by id, by slug), getActiveMember(Role)", async () => {
    const a = await newUser("create");
    const slug = uniqueSlug("create");
    assert.deepEqual(ok(await a.org.checkSlug({ slug }), "checkSlug (free)"), { status: true });
    const logo = "https://example.com/logo.png";
    const org = ok(await a.org.create({ name: "E2E Create One", slug, logo, metadata: { plan: "pro", seats: 3 } }), "create");
    assert.equal(typeof org.id, "string");
    assert.equal(org.name, "E2E Create One");
    assert.equal(org.slug, slug);
    assert.equal(org.logo, logo);
    assert.deepEqual(meta(org.metadata), { plan: "pro", seats: 3 });
    assert.ok(org.createdAt instanceof Date, "createdAt revived to a Date");
    assertTeamOrg(org, "create");
    assert.equal(org.members.length, 1, `create answers the owner member (got ${show(org.members)})`);
    const [owner] = org.members;
    assert.equal(owner.role, "owner");
    assert.equal(owner.userId, a.user.id);
    assert.equal(owner.organizationId, org.id);
    assert.equal(typeof owner.id, "string");

    fails(await a.org.checkSlug({ slug }), "checkSlug (taken)", 400, "ORGANIZATION_SLUG_ALREADY_TAKEN");
    fails(await a.org.create({ name: "Again", slug }), "create with a taken slug", 400, "ORGANIZATION_ALREADY_EXISTS");

    // create makes the new organization the active one.
    let s = await sessionOf(a, "after create");
    assert.equal(s.session.activeOrganizationId, org.id, "the new organization is active");
    if (BEEP) {
      const ctx = contextOf(s, "after create");
      assert.deepEqual(Object.keys(ctx).sort(), [a.personalOrgId, org.id].sort(), "personal + new organization");
      assert.equal(ctx[org.id].role, "owner");
      assert.equal(ctx[org.id].type, "team");
    }

    // keepCurrentActiveOrganization leaves the active one alone.
    const org2 = await createOrg(a, "create-two", { keepCurrentActiveOrganization: true });
    assertTeamOrg(org2, "create (keepCurrentActiveOrganization)");
    assert.equal(await activeOrgOf(a, "after keepCurrentActiveOrganization"), org.id);

    const list = ok(await a.org.list(), "list");
    const expected = [org.id, org2.id, ...(BEEP ? [a.personalOrgId] : [])];
    assert.deepEqual(list.map((o) => o.id).sort(), expected.sort(), "list: the user's organizations");
    const listed = list.find((o) => o.id === org.id);
    assert.equal(listed.slug, slug);
    assert.deepEqual(meta(listed.metadata), { plan: "pro", seats: 3 });

    // get-organization has no typed client method; the SDK's path proxy calls it (GET with a query).
    let got = ok(await a.org.getOrganization(), "getOrganization (active)");
    assert.equal(got.id, org.id);
    got = ok(await a.org.getOrganization({ query: { organizationId: org2.id } }), "getOrganization by id");
    assert.equal(got.id, org2.id);
    assert.equal(got.name, org2.name);
    assert.ok(!("members" in got), "get-organization has no members");
    got = ok(await a.org.getOrganization({ query: { organizationSlug: org2.slug } }), "getOrganization by slug");
    assert.equal(got.id, org2.id);
    fails(await a.org.getOrganization({ query: { organizationId: "no-such-organization" } }), "getOrganization unknown", 400, "ORGANIZATION_NOT_FOUND");

    const full = ok(await a.org.getFullOrganization(), "getFullOrganization (active)");
    assert.equal(full.id, org.id);
    assert.equal(full.logo, logo);
    assert.deepEqual(meta(full.metadata), { plan: "pro", seats: 3 });
    assert.deepEqual(full.invitations, []);
    assert.equal(full.members.length, 1);
    assert.equal(full.members[0].id, owner.id);
    assert.equal(full.members[0].role, "owner");
    assert.deepEqual(full.members[0].user, { id: a.user.id, name: a.user.name, email: a.email, image: null });
    assert.equal(ok(await a.org.getFullOrganization({ query: { organizationSlug: org2.slug } }), "getFullOrganization by slug").id, org2.id);
    assert.equal(ok(await a.org.getFullOrganization({ query: { organizationId: org2.id } }), "getFullOrganization by id").id, org2.id);

    // set-active by id, then by slug.
    const set = ok(await a.org.setActive({ organizationId: org2.id }), "setActive by id");
    assert.equal(set.id, org2.id);
    assert.equal(set.slug, org2.slug);
    s = await sessionOf(a, "after setActive");
    assert.equal(s.session.activeOrganizationId, org2.id);
    const am = ok(await a.org.getActiveMember(), "getActiveMember");
    assert.equal(am.organizationId, org2.id);
    assert.equal(am.userId, a.user.id);
    assert.equal(am.role, "owner");
    assert.equal(am.user.email, a.email);
    assert.deepEqual(ok(await a.org.getActiveMemberRole(), "getActiveMemberRole"), { role: "owner" });
    assert.equal(ok(await a.org.setActive({ organizationSlug: slug }), "setActive by slug").id, org.id);
    assert.equal(await activeOrgOf(a, "after setActive by slug"), org.id);
    fails(await a.org.setActive({ organizationSlug: "e2e-no-such-slug" }), "setActive unknown slug", 400, "ORGANIZATION_NOT_FOUND");
    assert.equal(await activeOrgOf(a, "after the unknown slug"), org.id, "unchanged");

    if (BEEP) {
      // In Beep a session always has an active organization; set-active null is not specified for it.
      assert.equal(ok(await a.org.setActive({ organizationId: a.personalOrgId }), "setActive personal").id, a.personalOrgId);
    } else {
      // better-auth: organizationId null unsets it; the org endpoints then have no default.
      assert.equal(ok(await a.org.setActive({ organizationId: null }), "setActive null"), null);
      assert.equal(await activeOrgOf(a, "after setActive null"), null);
      assert.equal(ok(await a.org.getFullOrganization(), "getFullOrganization without an active org"), null);
      assert.equal(ok(await a.org.getOrganization(), "getOrganization without an active org"), null);
      fails(await a.org.getActiveMember(), "getActiveMember without an active org", 400, "NO_ACTIVE_ORGANIZATION");
      fails(await a.org.listMembers(), "listMembers without an active org", 400, "NO_ACTIVE_ORGANIZATION");
    }
  });

  it("update: name, slug, logo, metadata; a taken slug → 400; metadata that is not an object → 400 (create and update)", async () => {
    const a = await newUser("update");
    const org = await createOrg(a, "update", { metadata: { a: 1 } });
    const other = await createOrg(a, "update-other", { keepCurrentActiveOrganization: true });
    const newSlug = uniqueSlug("update-renamed");
    const logo = "https://example.com/new-logo.png";
    const upd = ok(await a.org.update({ organizationId: org.id, data: { name: "E2E Renamed", slug: newSlug, logo, metadata: { tier: "gold" } } }), "update");
    assert.equal(upd.id, org.id);
    assert.equal(upd.name, "E2E Renamed");
    assert.equal(upd.slug, newSlug);
    assert.equal(upd.logo, logo);
    assert.deepEqual(meta(upd.metadata), { tier: "gold" });
    assertTeamOrg(upd, "update");
    assert.deepEqual(ok(await a.org.checkSlug({ slug: org.slug }), "checkSlug (the old slug is free again)"), { status: true });

    // Without organizationId: the active organization (org, made active by create).
    assert.equal(ok(await a.org.update({ data: { name: "E2E Renamed Again" } }), "update the active org").name, "E2E Renamed Again");

    fails(await a.org.update({ organizationId: org.id, data: { slug: other.slug } }), "update to a taken slug", 400, "ORGANIZATION_SLUG_ALREADY_TAKEN");
    // zod's record check: 400 VALIDATION_ERROR "[body.data.metadata] Invalid input: expected record, received string".
    fails(await a.org.update({ organizationId: org.id, data: { metadata: "not an object" } }), "update metadata string", 400, "VALIDATION_ERROR");
    fails(await a.org.update({ organizationId: org.id, data: { metadata: [1, 2] } }), "update metadata array", 400, "VALIDATION_ERROR");
    fails(await a.org.create({ name: "Bad", slug: uniqueSlug("bad-meta"), metadata: "not an object" }), "create metadata string", 400, "VALIDATION_ERROR");
    fails(await a.org.create({ name: "Bad", slug: uniqueSlug("bad-meta"), metadata: [1, 2] }), "create metadata array", 400, "VALIDATION_ERROR");
    fails(await a.org.create({ name: "", slug: uniqueSlug("empty-name") }), "create with an empty name", 400, "VALIDATION_ERROR");

    const got = ok(await a.org.getOrganization({ query: { organizationId: org.id } }), "getOrganization after");
    assert.equal(got.name, "E2E Renamed Again");
    assert.equal(got.slug, newSlug);
    assert.equal(got.logo, logo);
    assert.deepEqual(meta(got.metadata), { tier: "gold" }, "the refused updates changed nothing");
    assert.equal(ok(await a.org.getOrganization({ query: { organizationId: other.id } }), "the other org").slug, other.slug);
    assert.equal(ok(await a.org.list(), "list").length, BEEP ? 3 : 2, "the refused creates created nothing");
  });

  it("delete: the organization and its slug are gone; the active organization moves off it", async () => {
    const a = await newUser("delete");
    const org = await createOrg(a, "delete");
    const spare = await createOrg(a, "delete-spare", { keepCurrentActiveOrganization: true });
    // Deleting a non-active organization leaves the active one alone.
    const del1 = ok(await a.org.delete({ organizationId: spare.id }), "delete (not active)");
    assert.equal(del1.id, spare.id);
    assert.equal(del1.slug, spare.slug);
    assert.equal(await activeOrgOf(a, "after deleting another org"), org.id);

    const del = ok(await a.org.delete({ organizationId: org.id }), "delete (active)");
    assert.equal(del.id, org.id);
    assert.equal(del.name, org.name);
    const s = await sessionOf(a, "after deleting the active org");
    assert.notEqual(s.session.activeOrganizationId, org.id, "no longer active");
    if (BEEP) {
      // ASSUMED (as for removal): the active organization falls back to the personal one.
      assert.equal(s.session.activeOrganizationId, a.personalOrgId, "Beep: back to the personal organization");
      assert.deepEqual(Object.keys(contextOf(s, "after delete")), [a.personalOrgId]);
    } else {
      assert.equal(s.session.activeOrganizationId, null, "better-auth: no active organization");
    }
    assert.deepEqual(ok(await a.org.list(), "list").map((o) => o.id), BEEP ? [a.personalOrgId] : []);
    fails(await a.org.getOrganization({ query: { organizationId: org.id } }), "getOrganization deleted", 400, "ORGANIZATION_NOT_FOUND");
    fails(await a.org.getFullOrganization({ query: { organizationId: org.id } }), "getFullOrganization deleted", 400, "ORGANIZATION_NOT_FOUND");
    fails(await a.org.delete({ organizationId: org.id }), "delete again", 400, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION");
    assert.deepEqual(ok(await a.org.checkSlug({ slug: org.slug }), "checkSlug (freed)"), { status: true });
  });

  it("invitation accepted: invite (+ email in Beep), duplicate → 400, resend, listInvitations, getInvitation, listUserInvitations, accept → member; accept again → 400", { skip: NEEDS_ACCEPT }, async (t) => {
    const owner = await newUser("inv-owner");
    const org = await createOrg(owner, "inv");
    const invitee = await newUser("inv-invitee");
    const stranger = await newUser("inv-stranger");

    const before = Date.now();
    const inv = ok(await owner.org.inviteMember({ email: invitee.email, role: "member", organizationId: org.id }), "inviteMember");
    assert.equal(typeof inv.id, "string");
    assert.equal(inv.email, invitee.email);
    assert.equal(inv.role, "member");
    assert.equal(inv.organizationId, org.id);
    assert.equal(inv.inviterId, owner.user.id);
    assert.equal(inv.status, "pending");
    assert.ok(inv.expiresAt instanceof Date && inv.createdAt instanceof Date, "dates revived");
    const ahead = inv.expiresAt.getTime() - before;
    assert.ok(Math.abs(ahead - 48 * HOUR) < 5 * 60_000, `expires ~48 h ahead (got ${(ahead / HOUR).toFixed(2)} h)`);

    if (BEEP && FAKE_RESEND_URL) {
      const d = await waitForInvitationMail(invitee.email, inv.id);
      assertWellFormed(d, invitee.email);
      assertInvitationLinks(d, inv.id);
    }

    fails(await owner.org.inviteMember({ email: invitee.email, role: "member", organizationId: org.id }), "invite again", 400, "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION");
    fails(await owner.org.inviteMember({ email: invitee.email.toUpperCase(), role: "admin", organizationId: org.id }), "invite again (upper case, other role)", 400, "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION");
    const re = ok(await owner.org.inviteMember({ email: invitee.email, role: "member", organizationId: org.id, resend: true }), "invite with resend:true");
    assert.equal(re.id, inv.id, "resend answers the same invitation");
    assert.ok(re.expiresAt.getTime() >= inv.expiresAt.getTime(), "resend extends the expiry");

    const listed = ok(await owner.org.listInvitations({ query: { organizationId: org.id } }), "listInvitations");
    assert.deepEqual(listed.map((i) => [i.id, i.email, i.status, i.role]), [[inv.id, invitee.email, "pending", "member"]]);
    const full = ok(await owner.org.getFullOrganization({ query: { organizationId: org.id } }), "getFullOrganization");
    assert.deepEqual(full.invitations.map((i) => i.id), [inv.id], "get-full-organization lists the invitation");

    // Someone else's invitation. (better-auth checks the recipient before the verification, so the unverified
    // stranger gets YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION, not an EMAIL_VERIFICATION_* code.)
    fails(await stranger.org.getInvitation({ query: { id: inv.id } }), "stranger getInvitation", 403, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION");
    fails(await stranger.org.acceptInvitation({ invitationId: inv.id }), "stranger accepts", 403, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION");
    fails(await stranger.org.rejectInvitation({ invitationId: inv.id }), "stranger rejects", 403, "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION");
    fails(await invitee.org.acceptInvitation({ invitationId: "no-such-invitation" }), "accept an unknown invitation", 400, "INVITATION_NOT_FOUND");

    // An unverified address: better-auth (and Beep) refuse to list its invitations; Beep also refuses to accept.
    fails(await invitee.org.listUserInvitations(), "listUserInvitations unverified", 403, "EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION");
    if (BEEP) {
      fails(await invitee.org.acceptInvitation({ invitationId: inv.id }), "accept unverified", 403, "EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION");
    }
    if (CAN_VERIFY) {
      await verifyEmail(invitee);
      const mine = ok(await invitee.org.listUserInvitations(), "listUserInvitations verified");
      assert.deepEqual(mine.map((i) => [i.id, i.status, i.organizationId]), [[inv.id, "pending", org.id]]);
      assert.equal(mine[0].organizationName, org.name, "listUserInvitations carries organizationName");
    } else {
      t.diagnostic("listUserInvitations for a verified address not checked: set ORACLE_DATABASE_URL");
    }

    const gi = ok(await invitee.org.getInvitation({ query: { id: inv.id } }), "getInvitation");
    assert.equal(gi.id, inv.id);
    assert.equal(gi.status, "pending");
    assert.equal(gi.organizationName, org.name);
    assert.equal(gi.organizationSlug, org.slug);
    assert.equal(gi.inviterEmail, owner.email);

    const acc = ok(await invitee.org.acceptInvitation({ invitationId: inv.id }), "acceptInvitation");
    assert.equal(acc.invitation.id, inv.id);
    assert.equal(acc.invitation.status, "accepted");
    assert.equal(acc.member.role, "member");
    assert.equal(acc.member.userId, invitee.user.id);
    assert.equal(acc.member.organizationId, org.id);
    assert.equal(typeof acc.member.id, "string");

    // accept-invitation makes the organization active.
    const s = await sessionOf(invitee, "after accept");
    assert.equal(s.session.activeOrganizationId, org.id, "the new organization is active");
    if (BEEP) {
      const ctx = contextOf(s, "after accept");
      assert.deepEqual(Object.keys(ctx).sort(), [invitee.personalOrgId, org.id].sort());
      assert.equal(ctx[org.id].role, "member");
      assert.equal(ctx[invitee.personalOrgId].role, "owner");
    }
    assert.ok(ok(await invitee.org.list(), "invitee list").some((o) => o.id === org.id), "the invitee lists the organization");
    const am = ok(await invitee.org.getActiveMember(), "invitee getActiveMember");
    assert.equal(am.id, acc.member.id);
    assert.equal(am.role, "member");
    assert.deepEqual(ok(await invitee.org.getActiveMemberRole(), "invitee getActiveMemberRole"), { role: "member" });
    assert.deepEqual(
      ok(await owner.org.getActiveMemberRole({ query: { userId: invitee.user.id, organizationId: org.id } }), "owner getActiveMemberRole of the invitee"),
      { role: "member" },
    );
    const members = ok(await owner.org.getFullOrganization({ query: { organizationId: org.id } }), "getFullOrganization after").members;
    assert.deepEqual(members.map((m) => [m.userId, m.role]).sort(), [[owner.user.id, "owner"], [invitee.user.id, "member"]].sort());

    // Used up.
    fails(await invitee.org.acceptInvitation({ invitationId: inv.id }), "accept again", 400, "INVITATION_NOT_FOUND");
    fails(await invitee.org.getInvitation({ query: { id: inv.id } }), "getInvitation after accept", 400, "INVITATION_NOT_FOUND");
    assert.deepEqual(ok(await owner.org.listInvitations({ query: { organizationId: org.id } }), "listInvitations after").map((i) => i.status), ["accepted"]);
    if (CAN_VERIFY) assert.deepEqual(ok(await invitee.org.listUserInvitations(), "listUserInvitations after"), [], "no pending invitation left");
    fails(await owner.org.inviteMember({ email: invitee.email, role: "member", organizationId: org.id }), "invite a member", 400, "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION");
  });

  it("invitation rejected and canceled: then accept → 400 INVITATION_NOT_FOUND; re-invite after cancel; malformed address; unknown role", { skip: NEEDS_ACCEPT }, async () => {
    const owner = await newUser("rej-owner");
    const org = await createOrg(owner, "rej");
    const r = await newUser("rej-rejecter");
    const c = await newUser("rej-canceled");
    const invR = ok(await owner.org.inviteMember({ email: r.email, role: "member", organizationId: org.id }), "invite r");
    const invC = ok(await owner.org.inviteMember({ email: c.email, role: "admin", organizationId: org.id }), "invite c");
    if (BEEP) {
      // ASSUMED: Beep refuses an unverified reject as it refuses an unverified accept (better-auth's
      // requireEmailVerificationOnInvitation governs both, with this code).
      fails(await r.org.rejectInvitation({ invitationId: invR.id }), "reject unverified", 403, "EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION");
      await verifyEmail(r);
      await verifyEmail(c);
    }

    const rej = ok(await r.org.rejectInvitation({ invitationId: invR.id }), "rejectInvitation");
    assert.equal(rej.invitation.id, invR.id);
    assert.equal(rej.invitation.status, "rejected");
    assert.equal(rej.member, null);
    fails(await r.org.acceptInvitation({ invitationId: invR.id }), "accept a rejected invitation", 400, "INVITATION_NOT_FOUND");
    fails(await r.org.rejectInvitation({ invitationId: invR.id }), "reject again", 400, "INVITATION_NOT_FOUND");
    assert.ok(!ok(await r.org.list(), "r list").some((o) => o.id === org.id), "r did not join");
    assert.notEqual(await activeOrgOf(r, "r after reject"), org.id);

    const can = ok(await owner.org.cancelInvitation({ invitationId: invC.id }), "cancelInvitation");
    assert.equal(can.id, invC.id);
    assert.equal(can.status, "canceled");
    fails(await c.org.acceptInvitation({ invitationId: invC.id }), "accept a canceled invitation", 400, "INVITATION_NOT_FOUND");
    fails(await c.org.getInvitation({ query: { id: invC.id } }), "getInvitation canceled", 400, "INVITATION_NOT_FOUND");
    if (CAN_VERIFY) {
      if (!BEEP) await verifyEmail(c);
      assert.deepEqual(ok(await c.org.listUserInvitations(), "listUserInvitations (canceled only)"), [], "a canceled invitation is not listed");
    }
    const statuses = Object.fromEntries(ok(await owner.org.listInvitations({ query: { organizationId: org.id } }), "listInvitations").map((i) => [i.id, i.status]));
    assert.deepEqual(statuses, { [invR.id]: "rejected", [invC.id]: "canceled" });

    // With nothing pending any more, the address can be invited again.
    const inv2 = ok(await owner.org.inviteMember({ email: c.email, role: "member", organizationId: org.id }), "invite c again");
    assert.notEqual(inv2.id, invC.id, "a new invitation");
    assert.equal(ok(await c.org.acceptInvitation({ invitationId: inv2.id }), "accept the new one").member.role, "member");

    fails(await owner.org.inviteMember({ email: "not-an-email", role: "member", organizationId: org.id }), "invite a malformed address", 400, "INVALID_EMAIL", "Invalid email");
    // ORACLE: an unknown role is 400 with the message "ROLE_NOT_FOUND: <role>" and no code.
    fails(await owner.org.inviteMember({ email: uniqueEmail("rej-role"), role: "emperor", organizationId: org.id }), "invite with an unknown role", 400, undefined, "ROLE_NOT_FOUND: emperor");
    assert.equal(ok(await owner.org.listInvitations({ query: { organizationId: org.id } }), "listInvitations after").length, 3, "the refused invitations were not created");
  });

  it("roles: a member cannot invite, remove, update or cancel; an admin cannot grant owner, touch an owner or delete; hasPermission", { skip: NEEDS_ACCEPT }, async () => {
    const owner = await newUser("perm-owner");
    const org = await createOrg(owner, "perm");
    const ownerMemberId = org.members[0].id;
    const admin = await addMember(owner, org.id, "perm-admin", "admin");
    const member = await addMember(owner, org.id, "perm-member", "member");
    const other = await addMember(owner, org.id, "perm-other", "member");
    const pending = ok(await owner.org.inviteMember({ email: uniqueEmail("perm-pending"), role: "member", organizationId: org.id }), "invite pending");
    const organizationId = org.id;

    // A plain member.
    fails(await member.org.inviteMember({ email: uniqueEmail("perm-by-member"), role: "member", organizationId }), "member invites", 403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION");
    fails(await member.org.removeMember({ memberIdOrEmail: other.member.id, organizationId }), "member removes by id", 401, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER");
    fails(await member.org.removeMember({ memberIdOrEmail: other.email, organizationId }), "member removes by email", 401, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER");
    fails(await member.org.updateMemberRole({ memberId: other.member.id, role: "admin", organizationId }), "member updates a role", 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER");
    fails(await member.org.updateMemberRole({ memberId: member.member.id, role: "admin", organizationId }), "member promotes themselves", 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER");
    fails(await member.org.update({ organizationId, data: { name: "Member was here" } }), "member updates the org", 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION");
    fails(await member.org.delete({ organizationId }), "member deletes the org", 403, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION");
    fails(await member.org.cancelInvitation({ invitationId: pending.id }), "member cancels", 403, "YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION");
    fails(await member.org.listInvitations({ query: { organizationId } }), "member lists invitations", 403, "YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS");
    const seen = ok(await member.org.getFullOrganization({ query: { organizationId } }), "member getFullOrganization");
    assert.deepEqual(seen.invitations, [], "a member does not see the invitations");
    assert.equal(seen.members.length, 4, "a member sees the members");
    assert.equal(ok(await member.org.listMembers({ query: { organizationId } }), "member listMembers").total, 4);

    // An admin.
    fails(await admin.org.updateMemberRole({ memberId: member.member.id, role: "owner", organizationId }), "admin grants owner", 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER");
    fails(await admin.org.updateMemberRole({ memberId: admin.member.id, role: "owner", organizationId }), "admin makes themselves owner", 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER");
    fails(await admin.org.updateMemberRole({ memberId: ownerMemberId, role: "member", organizationId }), "admin demotes the owner", 403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER");
    // ORACLE: removing an owner as a non-owner is 400 YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER (a misleading
    // message: the org has an owner). BEEP answers what it is, 403 YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER (README).
    const ownerRemoval = BEEP ? [403, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER"] : [400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER"];
    fails(await admin.org.removeMember({ memberIdOrEmail: ownerMemberId, organizationId }), "admin removes the owner (id)", ...ownerRemoval);
    fails(await admin.org.removeMember({ memberIdOrEmail: owner.email, organizationId }), "admin removes the owner (email)", ...ownerRemoval);
    fails(await admin.org.inviteMember({ email: uniqueEmail("perm-owner-invite"), role: "owner", organizationId }), "admin invites an owner", 403, "YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE");
    fails(await admin.org.delete({ organizationId }), "admin deletes the org", 403, "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION");
    // What an admin may do.
    assert.equal(ok(await admin.org.update({ organizationId, data: { name: "E2E Perm (admin)" } }), "admin updates the org").name, "E2E Perm (admin)");
    const byAdmin = ok(await admin.org.inviteMember({ email: uniqueEmail("perm-by-admin"), role: "member", organizationId }), "admin invites");
    assert.equal(byAdmin.inviterId, admin.user.id);
    // list-invitations answers every invitation of the organization, whatever its status (the three accepted ones too).
    const pendingNow = ok(await admin.org.listInvitations({ query: { organizationId } }), "admin listInvitations").filter((i) => i.status === "pending");
    assert.deepEqual(pendingNow.map((i) => i.id).sort(), [pending.id, byAdmin.id].sort());
    assert.equal(ok(await admin.org.cancelInvitation({ invitationId: byAdmin.id }), "admin cancels").status, "canceled");
    assert.equal(ok(await admin.org.updateMemberRole({ memberId: other.member.id, role: "admin", organizationId }), "admin promotes a member").role, "admin");

    // has-permission, for each role (default access control).
    const cases = [
      [{ organization: ["delete"] }, { owner: true, admin: false, member: false }],
      [{ organization: ["update"] }, { owner: true, admin: true, member: false }],
      [{ organization: ["update", "delete"] }, { owner: true, admin: false, member: false }],
      [{ member: ["delete"] }, { owner: true, admin: true, member: false }],
      [{ invitation: ["create", "cancel"] }, { owner: true, admin: true, member: false }],
      [{ ac: ["read"] }, { owner: true, admin: true, member: true }],
      [{ billing: ["read"] }, { owner: false, admin: false, member: false }], // unknown resource
      [{ member: ["fly"] }, { owner: false, admin: false, member: false }], // unknown action
    ];
    const who = { owner, admin, member };
    for (const [permissions, want] of cases) {
      for (const [role, b] of Object.entries(who)) {
        const res = ok(await b.org.hasPermission({ permissions, organizationId }), `hasPermission ${role} ${show(permissions)}`);
        assert.deepEqual(res, { error: null, success: want[role] }, `hasPermission ${role} ${show(permissions)}`);
      }
    }
    // Without organizationId: the active organization (org, for the member since accepting).
    assert.deepEqual(ok(await member.org.hasPermission({ permissions: { ac: ["read"] } }), "hasPermission (active org)"), { error: null, success: true });

    // Nothing changed by the refusals.
    const full = ok(await owner.org.getFullOrganization({ query: { organizationId } }), "getFullOrganization after");
    const roles = Object.fromEntries(full.members.map((m) => [m.userId, m.role]));
    assert.deepEqual(roles, { [owner.user.id]: "owner", [admin.user.id]: "admin", [member.user.id]: "member", [other.user.id]: "admin" });
    assert.equal(full.name, "E2E Perm (admin)");
    assert.deepEqual(full.invitations.filter((i) => i.status === "pending").map((i) => i.id), [pending.id]);
  });

  it("updateMemberRole, removeMember (by id, by email), leave; in Beep the session's organizationContext follows at once", { skip: NEEDS_ACCEPT }, async () => {
    const owner = await newUser("chg-owner");
    const org = await createOrg(owner, "chg");
    const organizationId = org.id;
    const m1 = await addMember(owner, organizationId, "chg-m1");
    const m2 = await addMember(owner, organizationId, "chg-m2");
    const m3 = await addMember(owner, organizationId, "chg-m3");

    let s = await sessionOf(m1, "m1 after accept");
    assert.equal(s.session.activeOrganizationId, organizationId);
    if (BEEP) assert.equal(contextOf(s, "m1 after accept")[organizationId]?.role, "member");

    // update-member-role
    const upd = ok(await owner.org.updateMemberRole({ memberId: m1.member.id, role: "admin", organizationId }), "updateMemberRole");
    assert.equal(upd.id, m1.member.id);
    assert.equal(upd.userId, m1.user.id);
    assert.equal(upd.role, "admin");
    assert.deepEqual(ok(await m1.org.getActiveMemberRole(), "m1 getActiveMemberRole"), { role: "admin" });
    assert.equal(ok(await m1.org.getActiveMember(), "m1 getActiveMember").role, "admin");
    if (BEEP) {
      // The plain getSession may be answered from the session_data cookie cache: it must show the new role anyway.
      s = await sessionOf(m1, "m1 after role change");
      assert.equal(contextOf(s, "m1 after role change (cookie cache allowed)")[organizationId]?.role, "admin");
      s = await sessionOf(m1, "m1 after role change, no cache", { disableCookieCache: true });
      assert.equal(contextOf(s, "m1 after role change (disableCookieCache)")[organizationId]?.role, "admin");
    }
    fails(await owner.org.updateMemberRole({ memberId: "no-such-member", role: "admin", organizationId }), "updateMemberRole unknown member", 400, "MEMBER_NOT_FOUND");
    // ORACLE: update-member-role with an unknown role has a code (unlike invite-member).
    fails(await owner.org.updateMemberRole({ memberId: m3.member.id, role: "emperor", organizationId }), "updateMemberRole unknown role", 400, "ROLE_NOT_FOUND", "ROLE_NOT_FOUND: emperor");

    // remove-member by id
    const rm = ok(await owner.org.removeMember({ memberIdOrEmail: m2.member.id, organizationId }), "removeMember by id");
    assert.equal(rm.member.id, m2.member.id);
    assert.equal(rm.member.userId, m2.user.id);
    assert.equal(rm.member.role, "member");
    assert.deepEqual(ok(await m2.org.list(), "m2 list").map((o) => o.id), BEEP ? [m2.personalOrgId] : [], "m2 lost the organization");
    s = await sessionOf(m2, "m2 after removal");
    if (BEEP) {
      assert.equal(s.session.activeOrganizationId, m2.personalOrgId, "Beep: back to the personal organization");
      assert.deepEqual(Object.keys(contextOf(s, "m2 after removal")), [m2.personalOrgId], "Beep: the organization left organizationContext");
      s = await sessionOf(m2, "m2 after removal, no cache", { disableCookieCache: true });
      assert.deepEqual(Object.keys(contextOf(s, "m2 after removal (disableCookieCache)")), [m2.personalOrgId]);
    } else {
      // ORACLE: better-auth leaves the removed member's session pointing at the organization (it unsets it only when
      // a member removes themselves); their org calls then fail.
      assert.equal(s.session.activeOrganizationId, organizationId, "better-auth: the removed member's active org is unchanged");
      fails(await m2.org.getActiveMember(), "m2 getActiveMember", 400, "MEMBER_NOT_FOUND");
    }
    fails(await m2.org.getFullOrganization({ query: { organizationId } }), "m2 getFullOrganization", 403, "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION");

    // remove-member by email
    const rm3 = ok(await owner.org.removeMember({ memberIdOrEmail: m3.email, organizationId }), "removeMember by email");
    assert.equal(rm3.member.id, m3.member.id);
    assert.equal(rm3.member.userId, m3.user.id);
    if (BEEP) {
      s = await sessionOf(m3, "m3 after removal");
      assert.equal(s.session.activeOrganizationId, m3.personalOrgId, "Beep: back to the personal organization");
      assert.deepEqual(Object.keys(contextOf(s, "m3 after removal")), [m3.personalOrgId]);
    }
    fails(await owner.org.removeMember({ memberIdOrEmail: m3.email, organizationId }), "remove again (email)", 400, "MEMBER_NOT_FOUND");
    fails(await owner.org.removeMember({ memberIdOrEmail: m2.member.id, organizationId }), "remove again (id)", 400, "MEMBER_NOT_FOUND");

    // leave (m1, an admin)
    const left = ok(await m1.org.leave({ organizationId }), "leave");
    assert.equal(left.id, m1.member.id);
    assert.equal(left.userId, m1.user.id);
    assert.equal(left.role, "admin");
    s = await sessionOf(m1, "m1 after leaving");
    assert.notEqual(s.session.activeOrganizationId, organizationId, "no longer active");
    if (BEEP) {
      // ASSUMED (as for removal): back to the personal organization.
      assert.equal(s.session.activeOrganizationId, m1.personalOrgId, "Beep: back to the personal organization");
      assert.deepEqual(Object.keys(contextOf(s, "m1 after leaving")), [m1.personalOrgId]);
    } else {
      assert.equal(s.session.activeOrganizationId, null, "better-auth: unset");
    }
    assert.ok(!ok(await m1.org.list(), "m1 list").some((o) => o.id === organizationId));
    fails(await m1.org.leave({ organizationId }), "leave again", 400, "MEMBER_NOT_FOUND");

    const rest = ok(await owner.org.listMembers({ query: { organizationId } }), "listMembers after");
    assert.equal(rest.total, 1);
    assert.deepEqual(rest.members.map((m) => [m.userId, m.role]), [[owner.user.id, "owner"]]);
  });

  it("the last owner cannot leave, demote or remove themselves (400); with a second owner they can", { skip: NEEDS_ACCEPT }, async () => {
    const owner = await newUser("last-owner");
    const org = await createOrg(owner, "last");
    const organizationId = org.id;
    const ownerMemberId = org.members[0].id;
    fails(await owner.org.leave({ organizationId }), "the only owner leaves", 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER");
    fails(await owner.org.updateMemberRole({ memberId: ownerMemberId, role: "admin", organizationId }), "the only owner demotes themselves", 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER");
    fails(await owner.org.removeMember({ memberIdOrEmail: ownerMemberId, organizationId }), "the only owner removes themselves", 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER");
    assert.deepEqual(ok(await owner.org.getActiveMemberRole({ query: { organizationId } }), "role after"), { role: "owner" });

    // An owner can grant owner; with two owners the first may step down and leave.
    const second = await addMember(owner, organizationId, "last-second", "member");
    assert.equal(ok(await owner.org.updateMemberRole({ memberId: second.member.id, role: "owner", organizationId }), "grant owner").role, "owner");
    if (BEEP) {
      const s = await sessionOf(second, "second after promotion");
      assert.equal(contextOf(s, "second after promotion")[organizationId]?.role, "owner");
    }
    assert.equal(ok(await owner.org.updateMemberRole({ memberId: ownerMemberId, role: "admin", organizationId }), "the first owner steps down").role, "admin");
    assert.equal(ok(await owner.org.leave({ organizationId }), "the first owner leaves").id, ownerMemberId);

    // The second is now the only owner.
    fails(await second.org.leave({ organizationId }), "the new only owner leaves", 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER");
    fails(await second.org.updateMemberRole({ memberId: second.member.id, role: "member", organizationId }), "the new only owner demotes themselves", 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER");
    const left = ok(await second.org.listMembers({ query: { organizationId } }), "listMembers");
    assert.deepEqual(left.members.map((m) => [m.userId, m.role]), [[second.user.id, "owner"]]);
  });

  it("listMembers: limit/offset, sortBy/sortDirection, filterField/filterOperator/filterValue, by slug; getFullOrganization membersLimit", { skip: NEEDS_ACCEPT }, async () => {
    const owner = await newUser("lm-owner");
    const org = await createOrg(owner, "lm");
    const organizationId = org.id;
    const a = await addMember(owner, organizationId, "lm-admin", "admin");
    const b = await addMember(owner, organizationId, "lm-b", "member");
    const c = await addMember(owner, organizationId, "lm-c", "member");
    const byJoin = [owner.user.id, a.user.id, b.user.id, c.user.id];
    const ids = (r) => r.members.map((m) => m.userId);
    const list = async (query, what) => ok(await owner.org.listMembers({ query: { organizationId, ...query } }), what);

    const all = await list({}, "listMembers");
    assert.equal(all.total, 4);
    assert.deepEqual(ids(all).sort(), [...byJoin].sort());
    for (const m of all.members) {
      assert.equal(m.organizationId, organizationId);
      assert.equal(typeof m.id, "string");
      assert.ok(m.createdAt instanceof Date, "member createdAt revived");
      assert.deepEqual(Object.keys(m.user).sort(), ["email", "id", "image", "name"], `member.user fields (got ${show(m.user)})`);
      assert.equal(m.user.id, m.userId);
    }
    assert.deepEqual(Object.fromEntries(all.members.map((m) => [m.userId, m.role])), {
      [owner.user.id]: "owner", [a.user.id]: "admin", [b.user.id]: "member", [c.user.id]: "member",
    });

    // Sorting (by join time).
    assert.deepEqual(ids(await list({ sortBy: "createdAt", sortDirection: "asc" }, "sort asc")), byJoin);
    assert.deepEqual(ids(await list({ sortBy: "createdAt", sortDirection: "desc" }, "sort desc")), [...byJoin].reverse());
    // Pagination: total counts every member, members is the page.
    const page = (offset) => list({ sortBy: "createdAt", sortDirection: "asc", limit: 2, offset }, `page at ${offset}`);
    const p0 = await page(0);
    assert.deepEqual([ids(p0), p0.total], [byJoin.slice(0, 2), 4]);
    const p1 = await page(2);
    assert.deepEqual([ids(p1), p1.total], [byJoin.slice(2), 4]);
    const p2 = await page(4);
    assert.deepEqual([ids(p2), p2.total], [[], 4]);
    const p3 = await list({ sortBy: "createdAt", sortDirection: "desc", limit: 1, offset: 1 }, "desc limit 1 offset 1");
    assert.deepEqual([ids(p3), p3.total], [[b.user.id], 4]);

    // Filtering: total counts the matches.
    const eq = await list({ filterField: "role", filterOperator: "eq", filterValue: "member", sortBy: "createdAt" }, "filter role eq member");
    assert.deepEqual([ids(eq), eq.total], [[b.user.id, c.user.id], 2]);
    const ne = await list({ filterField: "role", filterOperator: "ne", filterValue: "member", sortBy: "createdAt" }, "filter role ne member");
    assert.deepEqual([ids(ne), ne.total], [[owner.user.id, a.user.id], 2]);
    const byUser = await list({ filterField: "userId", filterValue: a.user.id }, "filter userId (default operator eq)");
    assert.deepEqual([ids(byUser), byUser.total, byUser.members[0].role], [[a.user.id], 1, "admin"]);
    const none = await list({ filterField: "role", filterOperator: "eq", filterValue: "owner", limit: 1, offset: 1 }, "filter + page past the matches");
    assert.deepEqual([ids(none), none.total], [[], 1]);

    // By slug, and the active organization by default.
    assert.equal(ok(await owner.org.listMembers({ query: { organizationSlug: org.slug } }), "listMembers by slug").total, 4);
    assert.equal(await activeOrgOf(owner, "owner"), organizationId);
    assert.equal(ok(await owner.org.listMembers(), "listMembers (active org)").total, 4);
    assert.equal(ok(await c.org.listMembers(), "a member's listMembers (active org since accepting)").total, 4);
    fails(await owner.org.listMembers({ query: { organizationSlug: "e2e-no-such-slug" } }), "listMembers unknown slug", 400, "ORGANIZATION_NOT_FOUND");

    const limited = ok(await owner.org.getFullOrganization({ query: { organizationId, membersLimit: 2 } }), "getFullOrganization membersLimit 2");
    assert.equal(limited.members.length, 2, "membersLimit caps the members");
    assert.equal(ok(await owner.org.getFullOrganization({ query: { organizationId } }), "getFullOrganization").members.length, 4);
  });

  it("a member of org A acting on org B: every call refused (403/400/401 as better-auth), and nothing changed", async () => {
    const a = await newUser("x-a");
    const orgA = await createOrg(a, "x-a");
    const b = await newUser("x-b");
    const orgB = await createOrg(b, "x-b", { metadata: { owner: "b" } });
    const bOwnerMemberId = orgB.members[0].id;
    const pendingB = ok(await b.org.inviteMember({ email: uniqueEmail("x-pending"), role: "member", organizationId: orgB.id }), "B invites");
    const snapshot = ok(await b.org.getFullOrganization({ query: { organizationId: orgB.id } }), "B's org before");
    const organizationId = orgB.id;
    const NOT_MEMBER = "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION";

    // The calls the brief names.
    fails(await a.org.getFullOrganization({ query: { organizationId } }), "getFullOrganization B", 403, NOT_MEMBER);
    fails(await a.org.getFullOrganization({ query: { organizationSlug: orgB.slug } }), "getFullOrganization B by slug", 403, NOT_MEMBER);
    fails(await a.org.setActive({ organizationId }), "setActive B", 403, NOT_MEMBER);
    fails(await a.org.setActive({ organizationSlug: orgB.slug }), "setActive B by slug", 403, NOT_MEMBER);
    fails(await a.org.update({ organizationId, data: { name: "Hijacked", slug: uniqueSlug("hijacked") } }), "update B", 400, NOT_MEMBER);
    fails(await a.org.delete({ organizationId }), "delete B", 400, NOT_MEMBER);
    fails(await a.org.inviteMember({ email: uniqueEmail("x-by-a"), role: "member", organizationId }), "invite into B", 400, "MEMBER_NOT_FOUND");
    // And the rest of the org endpoints.
    fails(await a.org.getOrganization({ query: { organizationId } }), "getOrganization B", 403, NOT_MEMBER);
    fails(await a.org.listMembers({ query: { organizationId } }), "listMembers B", 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION");
    // ORACLE: list-invitations answers a non-member 403 {message:"You are not a member of this organization"}, no code.
    fails(await a.org.listInvitations({ query: { organizationId } }), "listInvitations B", 403, undefined, "You are not a member of this organization");
    fails(await a.org.cancelInvitation({ invitationId: pendingB.id }), "cancel B's invitation", 400, "MEMBER_NOT_FOUND");
    fails(await a.org.removeMember({ memberIdOrEmail: b.email, organizationId }), "remove B's owner in B", 400, "MEMBER_NOT_FOUND");
    fails(await a.org.updateMemberRole({ memberId: bOwnerMemberId, role: "member", organizationId }), "update B's owner in B", 400, "MEMBER_NOT_FOUND");
    // ORACLE: 403 YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER, which tells that the member id exists in another org. BEEP looks
    // members up within the named org only and answers 400 MEMBER_NOT_FOUND, as for any unknown member (README).
    fails(await a.org.updateMemberRole({ memberId: bOwnerMemberId, role: "member", organizationId: orgA.id }), "update B's owner through A",
      ...(BEEP ? [400, "MEMBER_NOT_FOUND"] : [403, "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER"]));
    fails(await a.org.leave({ organizationId }), "leave B", 400, "MEMBER_NOT_FOUND");
    fails(await a.org.getActiveMemberRole({ query: { organizationId } }), "getActiveMemberRole B", 403, "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION");
    // ORACLE: has-permission for a non-member is 401 (not 403).
    fails(await a.org.hasPermission({ organizationId, permissions: { organization: ["update"] } }), "hasPermission B", 401, NOT_MEMBER);

    // Nothing changed in B.
    const after = ok(await b.org.getFullOrganization({ query: { organizationId } }), "B's org after");
    assert.equal(after.name, snapshot.name);
    assert.equal(after.slug, snapshot.slug);
    assert.deepEqual(meta(after.metadata), { owner: "b" });
    assert.deepEqual(after.members.map((m) => [m.id, m.userId, m.role]), snapshot.members.map((m) => [m.id, m.userId, m.role]));
    assert.deepEqual(after.invitations.map((i) => [i.id, i.status]), [[pendingB.id, "pending"]]);
    assert.ok(ok(await b.org.list(), "B's list").some((o) => o.id === organizationId));
    assert.equal(await activeOrgOf(b, "B"), organizationId, "B's active org is unchanged");
    assert.ok(!ok(await a.org.list(), "A's list").some((o) => o.id === organizationId), "A did not join B");

    // A's own session never points at B.
    const active = await activeOrgOf(a, "A after");
    assert.notEqual(active, organizationId);
    // ORACLE: better-auth unsets the caller's active organization when get-full-organization, get-organization or
    // set-active refuses a non-member (adapter.setActiveOrganization(token, null) before the 403).
    if (!BEEP) assert.equal(active, null, "better-auth: the refused calls unset A's active organization");
    assert.equal(ok(await a.org.getFullOrganization({ query: { organizationId: orgA.id } }), "A's own org").id, orgA.id);
  });

  it("at the end (Beep, fake Resend): no request the fake Resend server refused", { skip: !BEEP || !FAKE_RESEND_URL ? "needs BEEP=1 and FAKE_RESEND_URL" : false }, async () => {
    assert.deepEqual(await violations(), [], "every send had the shape Resend expects");
  });
});
