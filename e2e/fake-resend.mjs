// fake-resend.mjs: a fake Resend API for the end-to-end suite (no dependencies).
//
// It imitates Resend's send endpoint, POST /emails, and is strict about the request iamd's Resend adapter sends:
//   - POST /emails (any other path or method: 404/405),
//   - Authorization: Bearer <FAKE_RESEND_KEY> (missing: 401 missing_api_key, wrong: 403 invalid_api_key),
//   - Content-Type: application/json (else 422),
//   - an Idempotency-Key header of 1 to 256 characters (else 400),
//   - a JSON object body with a non-empty string from, a non-empty array to of address strings, and non-empty string
//     subject, html and text; no line break in from, to or subject; no cc, bcc, reply_to or headers (Beep never
//     sends them, so one would be an injected recipient or header); from equal to FAKE_RESEND_FROM when that is set.
// A wrong request gets the 4xx Resend would give, in Resend's error format, and is recorded as a violation: iamd
// must never send one. A good request is delivered once per idempotency key, as Resend does: the same key with the
// same body answers the first id and delivers nothing more; the same key with another body answers 409
// invalid_idempotent_request (also a violation: Beep keys one email per outbox row).
//
// Control endpoints for the tests (not part of Resend):
//   GET  /_deliveries[?to=ADDR]  accepted emails, oldest first: [{id, idempotencyKey, from, to, subject, html, text,
//                                receivedAt}], optionally only those whose recipients include ADDR (case-insensitive)
//   GET  /_attempts[?to=ADDR]    every POST /emails that passed the shape checks: [{at, idempotencyKey, to, status,
//                                outcome: "delivered"|"replayed"|"injected-failure"|"conflict"}]
//   GET  /_violations            requests that were not what Resend expects: [{at, method, path, status, reason}]
//   POST /_fail {count, status, to?}  the next `count` well-formed sends (only those to `to` when given) answer
//                                `status` (4xx/5xx, e.g. 500 or 429 with Retry-After: 1) and deliver nothing; a
//                                later call replaces the rule for the same `to` (or the catch-all rule)
//   POST /_reset                 forget deliveries, attempts, violations, failure rules and idempotency keys
//   GET  /_health                {ok: true}
//
// Env: FAKE_RESEND_KEY (required), FAKE_RESEND_FROM (optional, the only sender accepted), FAKE_RESEND_PORT (default
// 0, an ephemeral port), FAKE_RESEND_PORT_FILE (optional: the port is written there once listening). It prints
// "fake-resend: listening on http://127.0.0.1:<port>/" on stdout, and one line per violation on stderr.
//
//   FAKE_RESEND_KEY=re_test FAKE_RESEND_PORT_FILE=/tmp/port node e2e/fake-resend.mjs &
//   iamd with EMAIL_TRANSPORT=resend RESEND_API_KEY=re_test RESEND_API_URL=http://127.0.0.1:$(cat /tmp/port)/
import http from "node:http";
import { randomUUID } from "node:crypto";
import { writeFileSync, renameSync } from "node:fs";

const KEY = process.env.FAKE_RESEND_KEY;
if (!KEY) {
  console.error("fake-resend: FAKE_RESEND_KEY is required");
  process.exit(2);
}
const FROM = process.env.FAKE_RESEND_FROM || "";
const PORT = Number(process.env.FAKE_RESEND_PORT || 0);
const PORT_FILE = process.env.FAKE_RESEND_PORT_FILE || "";
const MAX_BODY = 10 << 20; // bytes
const MAX_IDEMPOTENCY_KEY = 256; // Resend's limit

let deliveries = [];
let attempts = [];
let violations = [];
let failRules = []; // {to: string|null (lower-case), count, status}
let byKey = new Map(); // idempotency key → {delivery, fingerprint}

// Resend's error names for the statuses it uses.
const ERROR_NAMES = {
  400: "validation_error",
  401: "missing_api_key",
  403: "invalid_api_key",
  404: "not_found",
  405: "method_not_allowed",
  409: "invalid_idempotent_request",
  422: "validation_error",
  429: "rate_limit_exceeded",
  500: "internal_server_error",
};

function sendJSON(res, status, value, headers = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Answers in Resend's error format ({statusCode, name, message}); a 429 carries Resend's rate-limit headers. */
function sendError(res, status, message) {
  const headers =
    status === 429 ? { "retry-after": "1", "ratelimit-limit": "2", "ratelimit-remaining": "0", "ratelimit-reset": "1" } : {};
  sendJSON(res, status, { statusCode: status, name: ERROR_NAMES[status] || "application_error", message }, headers);
}

/** Refuses a request that is not what Resend expects, and records it. */
function violate(req, res, status, reason) {
  const v = { at: new Date().toISOString(), method: req.method, path: req.url, status, reason };
  violations.push(v);
  console.error(`fake-resend: VIOLATION ${req.method} ${req.url} → ${status}: ${reason}`);
  sendError(res, status, reason);
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

const isNonEmptyString = (v) => typeof v === "string" && v !== "";
const hasLineBreak = (s) => /[\r\n\0]/.test(s);
// One bare address or "Name <address>", nothing that could carry a second recipient.
const ADDRESS = /^(?:[^<>,;\r\n]*<)?[^\s<>,;@]+@[^\s<>,;@]+\.[^\s<>,;@]+>?$/;

/** Checks the headers and body of POST /emails; returns the parsed body, or null after answering a violation. */
async function checkSend(req, res) {
  const auth = req.headers.authorization;
  if (!auth) return violate(req, res, 401, "missing Authorization header"), null;
  if (auth !== `Bearer ${KEY}`) return violate(req, res, 403, 'Authorization is not "Bearer <the API key>"'), null;
  const ct = String(req.headers["content-type"] || "");
  if (ct.split(";")[0].trim().toLowerCase() !== "application/json") {
    return violate(req, res, 422, `Content-Type ${JSON.stringify(ct)}, want application/json`), null;
  }
  const key = req.headers["idempotency-key"];
  if (typeof key !== "string" || key.length < 1 || key.length > MAX_IDEMPOTENCY_KEY) {
    return violate(req, res, 400, `Idempotency-Key header must be 1 to ${MAX_IDEMPOTENCY_KEY} characters, got ${JSON.stringify(key ?? null)}`), null;
  }
  let raw;
  try {
    raw = await readBody(req);
  } catch (e) {
    return violate(req, res, 413, `reading the body: ${e.message}`), null;
  }
  let body;
  try {
    body = JSON.parse(raw);
  } catch (e) {
    return violate(req, res, 422, `body is not JSON: ${e.message}`), null;
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return violate(req, res, 422, "body is not a JSON object"), null;
  }
  const problems = [];
  for (const f of ["from", "subject", "html", "text"]) {
    if (!isNonEmptyString(body[f])) problems.push(`${f} must be a non-empty string (got ${JSON.stringify(body[f])})`);
  }
  if (!Array.isArray(body.to) || body.to.length === 0 || !body.to.every(isNonEmptyString)) {
    problems.push(`to must be a non-empty array of strings (got ${JSON.stringify(body.to)})`);
  } else {
    for (const t of body.to) if (!ADDRESS.test(t)) problems.push(`to holds ${JSON.stringify(t)}, not one address`);
  }
  for (const f of ["from", "subject"]) if (typeof body[f] === "string" && hasLineBreak(body[f])) problems.push(`line break in ${f}`);
  if (Array.isArray(body.to) && body.to.some((t) => typeof t === "string" && hasLineBreak(t))) problems.push("line break in to");
  for (const f of ["cc", "bcc", "reply_to", "headers"]) {
    if (body[f] !== undefined) problems.push(`unexpected ${f} ${JSON.stringify(body[f])} (Beep never sends it)`);
  }
  if (FROM && body.from !== FROM) problems.push(`from is ${JSON.stringify(body.from)}, want ${JSON.stringify(FROM)}`);
  if (problems.length) return violate(req, res, 422, problems.join("; ")), null;
  return { key, body };
}

/** The failure rule that applies to a send to `to`, if any (a rule for that address first, then the catch-all). */
function takeFailure(to) {
  const lower = to.map((t) => t.toLowerCase());
  const rule =
    failRules.find((r) => r.to !== null && r.count > 0 && lower.some((t) => t === r.to || t.endsWith(`<${r.to}>`))) ||
    failRules.find((r) => r.to === null && r.count > 0);
  if (!rule) return 0;
  rule.count--;
  return rule.status;
}

async function handleSend(req, res) {
  const checked = await checkSend(req, res);
  if (!checked) return;
  const { key, body } = checked;
  const attempt = { at: new Date().toISOString(), idempotencyKey: key, to: body.to, subject: body.subject };
  attempts.push(attempt);
  const status = takeFailure(body.to);
  if (status) {
    attempt.status = status;
    attempt.outcome = "injected-failure";
    return sendError(res, status, "injected failure");
  }
  const fingerprint = JSON.stringify([body.from, body.to, body.subject, body.html, body.text]);
  const seen = byKey.get(key);
  if (seen) {
    if (seen.fingerprint !== fingerprint) {
      attempt.status = 409;
      attempt.outcome = "conflict";
      return violate(req, res, 409, `idempotency key ${key} reused with a different request payload`);
    }
    attempt.status = 200;
    attempt.outcome = "replayed";
    return sendJSON(res, 200, { id: seen.delivery.id });
  }
  const delivery = {
    id: randomUUID(),
    idempotencyKey: key,
    from: body.from,
    to: body.to,
    subject: body.subject,
    html: body.html,
    text: body.text,
    receivedAt: new Date().toISOString(),
  };
  byKey.set(key, { delivery, fingerprint });
  deliveries.push(delivery);
  attempt.status = 200;
  attempt.outcome = "delivered";
  sendJSON(res, 200, { id: delivery.id });
}

/** ?to= filter of the control lists. */
function byRecipient(list, url) {
  const to = url.searchParams.get("to");
  if (!to) return list;
  const want = to.toLowerCase();
  return list.filter((d) => d.to.some((t) => t.toLowerCase() === want || t.toLowerCase().endsWith(`<${want}>`)));
}

async function handleControl(req, res, url) {
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case "GET /_health":
      return sendJSON(res, 200, { ok: true });
    case "GET /_deliveries":
      return sendJSON(res, 200, byRecipient(deliveries, url));
    case "GET /_attempts":
      return sendJSON(res, 200, byRecipient(attempts, url));
    case "GET /_violations":
      return sendJSON(res, 200, violations);
    case "POST /_reset":
      deliveries = [];
      attempts = [];
      violations = [];
      failRules = [];
      byKey = new Map();
      return sendJSON(res, 200, { ok: true });
    case "POST /_fail": {
      let spec;
      try {
        spec = JSON.parse((await readBody(req)) || "{}");
      } catch {
        return sendJSON(res, 400, { error: "body must be JSON {count, status, to?}" });
      }
      const count = Number(spec.count);
      const status = Number(spec.status);
      if (!Number.isInteger(count) || count < 0 || !Number.isInteger(status) || status < 400 || status > 599) {
        return sendJSON(res, 400, { error: "want {count: integer ≥ 0, status: 4xx or 5xx, to?: address}" });
      }
      const to = typeof spec.to === "string" && spec.to !== "" ? spec.to.toLowerCase() : null;
      failRules = failRules.filter((r) => r.to !== to);
      failRules.push({ to, count, status });
      return sendJSON(res, 200, { ok: true, to, count, status });
    }
  }
  return sendJSON(res, 404, { error: `unknown control endpoint ${route}` });
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://fake-resend");
    if (url.pathname.startsWith("/_")) return await handleControl(req, res, url);
    if (url.pathname !== "/emails") return violate(req, res, 404, "unknown path, want /emails");
    if (req.method !== "POST") return violate(req, res, 405, `method ${req.method}, want POST`);
    await handleSend(req, res);
  } catch (e) {
    console.error("fake-resend: internal error", e);
    if (!res.headersSent) sendError(res, 500, `fake-resend internal error: ${e.message}`);
    else res.destroy();
  }
});
server.keepAliveTimeout = 5_000;

server.listen(PORT, "127.0.0.1", () => {
  const { port } = server.address();
  if (PORT_FILE) {
    // Written whole, then renamed, so a reader never sees a partial port.
    writeFileSync(`${PORT_FILE}.tmp`, `${port}\n`);
    renameSync(`${PORT_FILE}.tmp`, PORT_FILE);
  }
  console.log(`fake-resend: listening on http://127.0.0.1:${port}/`);
});

for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections?.();
    setTimeout(() => process.exit(0), 1_000).unref();
  });
}
