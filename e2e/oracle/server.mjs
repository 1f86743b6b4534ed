// Reference better-auth server (npm better-auth 1.7.25) used ONLY to record wire behaviour.
// Not part of the product.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:PGPORT/postgres PORT=3999 node oracle/server.mjs
//
// Env: DATABASE_URL (required), PORT (default 3999), BASE_URL (default http://127.0.0.1:PORT),
//      BETTER_AUTH_SECRET (default a fixed test secret),
//      ORACLE_COOKIE_CACHE (seconds; unset = cookieCache off, as in RECORDED.md). Setting it (e.g. 300, Beep's default)
//      shows better-auth's cookie-cache revocation gap that Beep closes: see the "cookie cache" flow in client.test.mjs.
// Configured like Beep where the e2e suite needs it: 30-day sessions, user deletion on, the organization plugin, and
// the bearer plugin (Beep always accepts `Authorization: Bearer` and sends `set-auth-token`).
// RECORDED.md was recorded before bearer() and user.deleteUser were added; neither changes those transcripts except
// that responses setting a session cookie now also carry `set-auth-token` and `access-control-expose-headers`.
// Note: in 1.7.25 getMigrations lives at "better-auth/db/migration" (not re-exported from "better-auth/db").
import http from "node:http";
import pg from "pg";
import { betterAuth } from "better-auth";
import { organization } from "better-auth/plugins/organization";
import { bearer } from "better-auth/plugins/bearer";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";

const PORT = Number(process.env.PORT || 3999);
const baseURL = process.env.BASE_URL || `http://127.0.0.1:${PORT}`;
const secret = process.env.BETTER_AUTH_SECRET || "oracle-test-secret-0123456789abcdef0123456789";

export const options = {
  baseURL,
  secret,
  database: new pg.Pool({ connectionString: process.env.DATABASE_URL }),
  emailAndPassword: { enabled: true },
  user: { deleteUser: { enabled: true } },
  session: {
    expiresIn: 2592000,
    updateAge: 86400,
    ...(process.env.ORACLE_COOKIE_CACHE ? { cookieCache: { enabled: true, maxAge: Number(process.env.ORACLE_COOKIE_CACHE) } } : {}),
  },
  plugins: [organization(), bearer()],
};

const { runMigrations } = await getMigrations(options);
await runMigrations();

const auth = betterAuth(options);
const server = http.createServer(toNodeHandler(auth));
server.listen(PORT, "127.0.0.1", () => console.log(`oracle listening on ${baseURL}`));
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
