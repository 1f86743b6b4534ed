// fake-oidc.mjs: a fake OpenID Connect provider for the end-to-end suite (no dependencies: node:http, node:crypto).
//
// It is the identity provider "acme" that iamd is configured with (OAUTH_PROVIDER_NAMES=acme,
// OAUTH_PROVIDER_ACME_ISSUER=<this server>), and it is strict about what a relying party sends, as a real provider is:
//   GET  /.well-known/openid-configuration  discovery: issuer http://127.0.0.1:<port> (exactly, no trailing slash), the
//                                endpoints below, RS256, client_secret_post only, PKCE S256 only
//   GET  /jwks                   the RSA public key (a fresh 2048-bit key per process, kid "fake-oidc-<random>")
//   GET  /authorize              no login page: answers at once with 302 <redirect_uri>?code=…&state=… (the state echoed
//                                verbatim). Requires response_type=code, the client id, a redirect_uri (one of
//                                FAKE_OIDC_REDIRECT_URIS when that is set), a state, a scope with openid, a nonce, and
//                                code_challenge_method=S256 with a 43-character code_challenge. A bad client id or
//                                redirect_uri is answered 400 in place (never redirected, as RFC 6749 §4.1.2.1 says);
//                                the other problems redirect with error=invalid_request. Both are violations.
//   POST /token                  application/x-www-form-urlencoded; client_secret_post (client_id + client_secret in the
//                                body; Basic or a wrong secret → 401 invalid_client). grant_type=authorization_code needs
//                                a code this server issued to that client, unexpired (60 s) and never redeemed before,
//                                the redirect_uri of its /authorize, and a code_verifier (RFC 7636 syntax) whose S256 is
//                                the code_challenge; anything else → 400 invalid_grant. grant_type=refresh_token needs
//                                a live refresh token of that client; it is rotated (the answer carries a new one, the
//                                old one and the grant's old access tokens stop working). Answers {access_token,
//                                token_type, expires_in, refresh_token, id_token, scope}.
//   GET  /userinfo               Authorization: Bearer <a live access token> → {sub, email, email_verified, name}; else
//                                401 with WWW-Authenticate.
// A request a correct relying party never sends is refused as shown and recorded as a violation: a wrong client
// secret, a missing or wrong PKCE verifier, a code redeemed twice, a redirect_uri that differs from the authorize
// request's, an unknown or rotated refresh token, a userinfo call with a dead access token, a missing nonce, .... The
// one refusal that is not a violation is an unknown or expired code: a browser can hand iamd any code.
//
// Who signs in: /authorize takes the user from the login_hint parameter (better-auth's `loginHint`, which iamd passes
// through), an email address. Without one it redirects with error=login_required. sub is "acme|" + the first 24 hex
// characters of SHA-256(lower-cased email), so one address is always the same provider account. Tags in the address's
// local part (anywhere, e.g. "someone+unverified@example.com") change the user:
//   +unverified  email_verified is false (true otherwise)
//   +deny        the user refuses: 302 <redirect_uri>?error=access_denied&error_description=…&state=…
//   +userinfo    the id token carries only the protocol claims (no email, email_verified or name), so the relying
//                party must call /userinfo for the profile (its sub must be the id token's)
//   +shortlived  tokens from the authorization code grant live 2 s (expires_in: 2), so iamd's get-access-token
//                refreshes them at once; refreshed ones live the usual FAKE_OIDC_EXPIRES_IN
//
// Control endpoints for the tests (not part of OIDC):
//   GET  /_requests[?path=P]     every request to the OIDC endpoints, oldest first: [{at, method, path, query, form,
//                                clientAuth ("client_secret_post"|"basic"|"none"), bearer (the access token's first 8
//                                characters), status, error, loginHint, email}] (client_secret is shown as "<ok>" or
//                                "<wrong>", never echoed)
//   GET  /_violations            [{at, method, path, status, reason}]
//   POST /_id_token {login_hint, nonce?, aud?, expiresIn?, iss?}  an RS256 id token as /token would sign it for that user
//                                (for the id-token sign-in flow); aud defaults to the client id; {id_token, sub, email}
//   POST /_reset                 forget requests, violations, codes and tokens (the key stays)
//   GET  /_health                {ok: true, issuer}
//
// Env: FAKE_OIDC_CLIENT_ID and FAKE_OIDC_CLIENT_SECRET (required), FAKE_OIDC_REDIRECT_URIS (optional comma list: the
// only redirect_uris accepted), FAKE_OIDC_EXPIRES_IN (default 3600 s), FAKE_OIDC_PORT (default 0, an ephemeral port),
// FAKE_OIDC_PORT_FILE (optional: the port is written there once listening). It prints
// "fake-oidc: listening on http://127.0.0.1:<port>" on stdout and one line per violation on stderr.
//
//   FAKE_OIDC_CLIENT_ID=acme FAKE_OIDC_CLIENT_SECRET=s FAKE_OIDC_PORT_FILE=/tmp/port node e2e/fake-oidc.mjs &
//   iamd with OAUTH_PROVIDER_NAMES=acme OAUTH_PROVIDER_ACME_CLIENT_ID=acme OAUTH_PROVIDER_ACME_CLIENT_SECRET=s \
//     OAUTH_PROVIDER_ACME_ISSUER=http://127.0.0.1:$(cat /tmp/port)
import http from "node:http";
import { createHash, generateKeyPairSync, randomBytes, sign, timingSafeEqual } from "node:crypto";
import { writeFileSync, renameSync } from "node:fs";

const CLIENT_ID = process.env.FAKE_OIDC_CLIENT_ID;
const CLIENT_SECRET = process.env.FAKE_OIDC_CLIENT_SECRET;
if (!CLIENT_ID || !CLIENT_SECRET) {
  console.error("fake-oidc: FAKE_OIDC_CLIENT_ID and FAKE_OIDC_CLIENT_SECRET are required");
  process.exit(2);
}
const REDIRECT_URIS = (process.env.FAKE_OIDC_REDIRECT_URIS || "").split(",").map((s) => s.trim()).filter(Boolean);
const EXPIRES_IN = Number(process.env.FAKE_OIDC_EXPIRES_IN || 3600);
const SHORT_EXPIRES_IN = 2;
const PORT = Number(process.env.FAKE_OIDC_PORT || 0);
const PORT_FILE = process.env.FAKE_OIDC_PORT_FILE || "";
const CODE_TTL_MS = 60_000;
const ID_TOKEN_TTL_S = 600;
const MAX_BODY = 1 << 20;

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const KID = `fake-oidc-${randomBytes(6).toString("hex")}`;
const JWK = { ...publicKey.export({ format: "jwk" }), kid: KID, alg: "RS256", use: "sig" };

let ISSUER = ""; // set once listening

let requests = [];
let violations = [];
let codes = new Map(); // code → {clientId, redirectUri, challenge, nonce, scope, user, expiresAt, redeemedAt}
let refreshTokens = new Map(); // refresh token → {grant, user, scope, rotatedAt}
let accessTokens = new Map(); // access token → {grant, user, expiresAt, revokedAt}

const b64url = (buf) => Buffer.from(buf).toString("base64url");
const rand = (n) => randomBytes(n).toString("base64url");
const sha256 = (s) => createHash("sha256").update(s).digest();
const nowS = () => Math.floor(Date.now() / 1000);

/** The user a login_hint names (see the header comment), or null without a usable hint. */
function userOf(hint) {
  if (typeof hint !== "string" || !/^[^\s@]+@[^\s@]+$/.test(hint)) return null;
  const email = hint.toLowerCase();
  const local = email.slice(0, email.indexOf("@"));
  return {
    sub: `acme|${sha256(email).toString("hex").slice(0, 24)}`,
    email,
    emailVerified: !local.includes("+unverified"),
    name: `Acme ${local.split("+")[0]}`,
    deny: local.includes("+deny"),
    userinfoOnly: local.includes("+userinfo"),
    shortLived: local.includes("+shortlived"),
  };
}

function signJWT(claims) {
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid: KID }));
  const payload = b64url(JSON.stringify(claims));
  const sig = sign("sha256", Buffer.from(`${header}.${payload}`), privateKey);
  return `${header}.${payload}.${b64url(sig)}`;
}

/** The id token of user for aud, with nonce when given. */
function idToken(user, { nonce, aud = CLIENT_ID, iss = ISSUER, expiresIn = ID_TOKEN_TTL_S } = {}) {
  const iat = nowS();
  const claims = { iss, sub: user.sub, aud, exp: iat + expiresIn, iat, auth_time: iat };
  if (nonce !== undefined) claims.nonce = nonce;
  if (!user.userinfoOnly) Object.assign(claims, { email: user.email, email_verified: user.emailVerified, name: user.name });
  return signJWT(claims);
}

function sendJSON(res, status, value, headers = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(body);
}

/** Records a request a correct relying party never sends. */
function violation(req, status, reason) {
  const v = { at: new Date().toISOString(), method: req.method, path: new URL(req.url, "http://x").pathname, status, reason };
  violations.push(v);
  console.error(`fake-oidc: VIOLATION ${req.method} ${v.path} → ${status}: ${reason}`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`body larger than ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const sameSecret = (a, b) => {
  const x = sha256(String(a));
  const y = sha256(String(b));
  return timingSafeEqual(x, y);
};

// ---- /authorize -------------------------------------------------------------------------------------------------

function handleAuthorize(req, res, url, rec) {
  const q = url.searchParams;
  for (const [k] of q) {
    if (q.getAll(k).length > 1) {
      rec.status = 400;
      rec.error = `parameter ${k} repeated`;
      violation(req, 400, rec.error);
      return sendJSON(res, 400, { error: "invalid_request", error_description: rec.error });
    }
  }
  const redirectUri = q.get("redirect_uri");
  // RFC 6749 §4.1.2.1: a bad client or redirect URI is not redirected to.
  let fatal = "";
  if (q.get("client_id") !== CLIENT_ID) fatal = `client_id ${JSON.stringify(q.get("client_id"))}, want ${JSON.stringify(CLIENT_ID)}`;
  else if (!redirectUri) fatal = "no redirect_uri";
  else if (REDIRECT_URIS.length && !REDIRECT_URIS.includes(redirectUri)) {
    fatal = `redirect_uri ${JSON.stringify(redirectUri)} is not registered (${REDIRECT_URIS.join(", ")})`;
  }
  if (fatal) {
    rec.status = 400;
    rec.error = fatal;
    violation(req, 400, fatal);
    return sendJSON(res, 400, { error: "invalid_request", error_description: fatal });
  }
  const state = q.get("state");
  const back = (params) => {
    const to = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) to.searchParams.set(k, v);
    if (state !== null) to.searchParams.set("state", state);
    res.writeHead(302, { location: to.toString(), "cache-control": "no-store" });
    res.end();
  };
  const problems = [];
  if (q.get("response_type") !== "code") problems.push(`response_type ${JSON.stringify(q.get("response_type"))}, want "code"`);
  if (!state) problems.push("no state");
  const scopes = (q.get("scope") || "").split(" ").filter(Boolean);
  if (!scopes.includes("openid")) problems.push(`scope ${JSON.stringify(q.get("scope"))} lacks openid`);
  const nonce = q.get("nonce");
  if (!nonce) problems.push("no nonce (an OpenID Connect client with a JWKS must bind its id token)");
  const challenge = q.get("code_challenge");
  if (q.get("code_challenge_method") !== "S256") {
    problems.push(`code_challenge_method ${JSON.stringify(q.get("code_challenge_method"))}, want "S256"`);
  }
  if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) problems.push(`code_challenge ${JSON.stringify(challenge)} is not a base64url SHA-256`);
  if (problems.length) {
    rec.status = 302;
    rec.error = problems.join("; ");
    violation(req, 302, rec.error);
    return back({ error: "invalid_request", error_description: rec.error });
  }
  const hint = q.get("login_hint");
  rec.loginHint = hint;
  const user = userOf(hint);
  if (!user) {
    rec.status = 302;
    rec.error = "login_required";
    return back({ error: "login_required", error_description: "The fake provider needs a login_hint email" });
  }
  rec.email = user.email;
  if (user.deny) {
    rec.status = 302;
    rec.error = "access_denied";
    return back({ error: "access_denied", error_description: "The user denied access" });
  }
  const code = `code-${rand(24)}`;
  codes.set(code, {
    clientId: CLIENT_ID, redirectUri, challenge, nonce, scope: scopes.join(" "), user,
    expiresAt: Date.now() + CODE_TTL_MS, redeemedAt: null,
  });
  rec.status = 302;
  return back({ code });
}

// ---- /token -----------------------------------------------------------------------------------------------------

/** Issues tokens for a grant: a new access token and refresh token (and id token). */
function issue(grant, user, scope, { nonce, expiresIn }) {
  const access = `at-${rand(24)}`;
  const refresh = `rt-${rand(24)}`;
  accessTokens.set(access, { grant, user, expiresAt: Date.now() + expiresIn * 1000, revokedAt: null });
  refreshTokens.set(refresh, { grant, user, scope, rotatedAt: null });
  return {
    access_token: access,
    token_type: "Bearer",
    expires_in: expiresIn,
    refresh_token: refresh,
    id_token: idToken(user, { nonce }),
    scope,
  };
}

async function handleToken(req, res, rec) {
  const refuse = (status, error, description, isViolation = true) => {
    rec.status = status;
    rec.error = `${error}: ${description}`;
    if (isViolation) violation(req, status, rec.error);
    const headers = status === 401 ? { "www-authenticate": 'Basic realm="fake-oidc"' } : {};
    return sendJSON(res, status, { error, error_description: description }, headers);
  };
  if (req.method !== "POST") return refuse(405, "invalid_request", `method ${req.method}, want POST`);
  const ct = String(req.headers["content-type"] || "");
  let raw;
  try {
    raw = await readBody(req);
  } catch (e) {
    return refuse(400, "invalid_request", `reading the body: ${e.message}`);
  }
  if (ct.split(";")[0].trim().toLowerCase() !== "application/x-www-form-urlencoded") {
    return refuse(400, "invalid_request", `Content-Type ${JSON.stringify(ct)}, want application/x-www-form-urlencoded`);
  }
  const form = new URLSearchParams(raw);
  rec.form = {};
  for (const [k, v] of form) rec.form[k] = k === "client_secret" ? (sameSecret(v, CLIENT_SECRET) ? "<ok>" : "<wrong>") : v;
  for (const [k] of form) if (form.getAll(k).length > 1) return refuse(400, "invalid_request", `parameter ${k} repeated`);

  // Client authentication: client_secret_post, the only method discovery lists.
  const auth = req.headers.authorization;
  if (auth) {
    rec.clientAuth = /^basic /i.test(auth) ? "basic" : "other";
    return refuse(401, "invalid_client", `Authorization header (${rec.clientAuth}) sent; discovery lists only client_secret_post`);
  }
  rec.clientAuth = form.has("client_secret") ? "client_secret_post" : "none";
  if (form.get("client_id") !== CLIENT_ID) return refuse(401, "invalid_client", `client_id ${JSON.stringify(form.get("client_id"))}`);
  if (!form.has("client_secret") || !sameSecret(form.get("client_secret"), CLIENT_SECRET)) {
    return refuse(401, "invalid_client", "missing or wrong client_secret");
  }

  const grantType = form.get("grant_type");
  if (grantType === "authorization_code") {
    const code = form.get("code");
    const c = code ? codes.get(code) : undefined;
    // A browser can hand iamd any code: an unknown one is not iamd's fault.
    if (!c) return refuse(400, "invalid_grant", "unknown code", false);
    rec.email = c.user.email;
    rec.loginHint = c.user.email;
    if (c.redeemedAt) {
      // RFC 6749 §4.1.2: a second redemption must fail and should revoke what the code gave.
      for (const t of accessTokens.values()) if (t.grant === code) t.revokedAt = Date.now();
      for (const t of refreshTokens.values()) if (t.grant === code) t.rotatedAt ??= Date.now();
      return refuse(400, "invalid_grant", `code redeemed twice (first at ${new Date(c.redeemedAt).toISOString()})`);
    }
    if (Date.now() > c.expiresAt) return refuse(400, "invalid_grant", "code expired", false);
    c.redeemedAt = Date.now();
    if (form.get("redirect_uri") !== c.redirectUri) {
      return refuse(400, "invalid_grant", `redirect_uri ${JSON.stringify(form.get("redirect_uri"))}, the authorize request had ${JSON.stringify(c.redirectUri)}`);
    }
    const verifier = form.get("code_verifier");
    if (!verifier) return refuse(400, "invalid_grant", "no code_verifier (PKCE S256 was requested)");
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
      return refuse(400, "invalid_grant", `code_verifier is not 43-128 unreserved characters (length ${verifier.length})`);
    }
    if (b64url(sha256(verifier)) !== c.challenge) return refuse(400, "invalid_grant", "code_verifier does not match the code_challenge");
    rec.status = 200;
    return sendJSON(res, 200, issue(code, c.user, c.scope, { nonce: c.nonce, expiresIn: c.user.shortLived ? SHORT_EXPIRES_IN : EXPIRES_IN }));
  }
  if (grantType === "refresh_token") {
    const token = form.get("refresh_token");
    const r = token ? refreshTokens.get(token) : undefined;
    if (!r) return refuse(400, "invalid_grant", "unknown refresh_token");
    rec.email = r.user.email;
    rec.loginHint = r.user.email;
    if (r.rotatedAt) return refuse(400, "invalid_grant", `refresh_token was rotated at ${new Date(r.rotatedAt).toISOString()} (a stale token was kept)`);
    if (form.has("scope")) {
      const asked = form.get("scope").split(" ").filter(Boolean);
      const granted = r.scope.split(" ");
      const extra = asked.filter((s) => !granted.includes(s));
      if (extra.length) return refuse(400, "invalid_scope", `refresh asks for scopes never granted: ${extra.join(" ")}`);
    }
    r.rotatedAt = Date.now();
    for (const t of accessTokens.values()) if (t.grant === r.grant) t.revokedAt ??= Date.now();
    rec.status = 200;
    return sendJSON(res, 200, issue(r.grant, r.user, r.scope, { expiresIn: EXPIRES_IN }));
  }
  return refuse(400, "unsupported_grant_type", `grant_type ${JSON.stringify(grantType)}`);
}

// ---- /userinfo --------------------------------------------------------------------------------------------------

function handleUserinfo(req, res, rec) {
  const auth = String(req.headers.authorization || "");
  const m = /^Bearer ([^\s]+)$/i.exec(auth);
  const refuse = (description) => {
    rec.status = 401;
    rec.error = `invalid_token: ${description}`;
    violation(req, 401, rec.error);
    res.writeHead(401, { "www-authenticate": `Bearer error="invalid_token", error_description="${description}"`, "cache-control": "no-store" });
    res.end();
  };
  if (!m) return refuse("no Bearer access token");
  rec.bearer = m[1].slice(0, 8);
  const t = accessTokens.get(m[1]);
  if (!t) return refuse("unknown access token");
  rec.email = t.user.email;
  if (t.revokedAt) return refuse("the access token was replaced by a refresh (a stale token was kept)");
  if (Date.now() > t.expiresAt) return refuse("the access token expired");
  rec.status = 200;
  return sendJSON(res, 200, { sub: t.user.sub, email: t.user.email, email_verified: t.user.emailVerified, name: t.user.name });
}

// ---- control ----------------------------------------------------------------------------------------------------

async function handleControl(req, res, url) {
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case "GET /_health":
      return sendJSON(res, 200, { ok: true, issuer: ISSUER });
    case "GET /_requests": {
      const path = url.searchParams.get("path");
      return sendJSON(res, 200, path ? requests.filter((r) => r.path === path) : requests);
    }
    case "GET /_violations":
      return sendJSON(res, 200, violations);
    case "POST /_reset":
      requests = [];
      violations = [];
      codes = new Map();
      refreshTokens = new Map();
      accessTokens = new Map();
      return sendJSON(res, 200, { ok: true });
    case "POST /_id_token": {
      let spec;
      try {
        spec = JSON.parse((await readBody(req)) || "{}");
      } catch {
        return sendJSON(res, 400, { error: "body must be JSON {login_hint, nonce?, aud?, expiresIn?, iss?}" });
      }
      const user = userOf(spec.login_hint);
      if (!user) return sendJSON(res, 400, { error: "login_hint must be an email address" });
      const token = idToken(user, {
        nonce: spec.nonce ?? undefined,
        aud: spec.aud ?? CLIENT_ID,
        iss: spec.iss ?? ISSUER,
        expiresIn: Number.isFinite(spec.expiresIn) ? spec.expiresIn : ID_TOKEN_TTL_S,
      });
      return sendJSON(res, 200, { id_token: token, sub: user.sub, email: user.email });
    }
  }
  return sendJSON(res, 404, { error: `unknown control endpoint ${route}` });
}

// ---- server -----------------------------------------------------------------------------------------------------

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://fake-oidc");
    if (url.pathname.startsWith("/_")) return await handleControl(req, res, url);
    const rec = {
      at: new Date().toISOString(),
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    };
    requests.push(rec);
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /.well-known/openid-configuration":
        rec.status = 200;
        return sendJSON(res, 200, {
          issuer: ISSUER,
          authorization_endpoint: `${ISSUER}/authorize`,
          token_endpoint: `${ISSUER}/token`,
          userinfo_endpoint: `${ISSUER}/userinfo`,
          jwks_uri: `${ISSUER}/jwks`,
          response_types_supported: ["code"],
          response_modes_supported: ["query"],
          grant_types_supported: ["authorization_code", "refresh_token"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          token_endpoint_auth_methods_supported: ["client_secret_post"],
          code_challenge_methods_supported: ["S256"],
          scopes_supported: ["openid", "email", "profile"],
          claims_supported: ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "email", "email_verified", "name"],
        });
      case "GET /jwks":
        rec.status = 200;
        return sendJSON(res, 200, { keys: [JWK] }, { "cache-control": "max-age=60" });
      case "GET /authorize":
        return handleAuthorize(req, res, url, rec);
      case "POST /token":
        return await handleToken(req, res, rec);
      case "GET /userinfo":
        return handleUserinfo(req, res, rec);
    }
    rec.status = 404;
    rec.error = `unknown endpoint ${route}`;
    violation(req, 404, rec.error);
    return sendJSON(res, 404, { error: "not_found" });
  } catch (e) {
    console.error("fake-oidc: internal error", e);
    if (!res.headersSent) sendJSON(res, 500, { error: "server_error", error_description: e.message });
    else res.destroy();
  }
});
server.keepAliveTimeout = 5_000;

server.listen(PORT, "127.0.0.1", () => {
  const { port } = server.address();
  ISSUER = `http://127.0.0.1:${port}`;
  if (PORT_FILE) {
    // Written whole, then renamed, so a reader never sees a partial port.
    writeFileSync(`${PORT_FILE}.tmp`, `${port}\n`);
    renameSync(`${PORT_FILE}.tmp`, PORT_FILE);
  }
  console.log(`fake-oidc: listening on ${ISSUER}`);
});

for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
    setTimeout(() => process.exit(0), 1_000).unref();
  });
}
