// Seals and opens OAuth tokens with better-auth's own code, the write and read
// paths of `account.encryptOAuthTokens: true` (setTokenUtil and
// decryptOAuthToken from better-auth/oauth2, which call symmetricEncrypt and
// symmetricDecrypt from better-auth/crypto). infrastructure/tokencipher's
// tests run it to check that the two servers read each other's tokens.
//
//   echo '<json>' | node oracle/token-cipher.mjs
//
// stdin is a JSON array of requests {op, key, data}:
//   op   "seal" or "open"
//   key  a string: a lone BETTER_AUTH_SECRET (bare hex values), or
//        {secrets: [{version, value}, ...], legacySecret?}: BETTER_AUTH_SECRETS,
//        current first ("$ba$<version>$" values), as better-auth builds it
//   data the token, or the stored value
// stdout is a JSON array with one {value} or {error} per request, in order.
// Exit 0 = every request was answered, 2 = bad input.
import { decryptOAuthToken, setTokenUtil } from "better-auth/oauth2";

function secretConfig(key) {
  if (typeof key === "string") return key;
  // The shape of buildSecretConfig in better-auth/dist/context/secret-utils.mjs.
  return {
    keys: new Map(key.secrets.map((s) => [s.version, s.value])),
    currentVersion: key.secrets[0].version,
    legacySecret: key.legacySecret || undefined,
  };
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
let requests;
try {
  requests = JSON.parse(input);
  if (!Array.isArray(requests)) throw new Error("want a JSON array");
} catch (e) {
  console.error(`usage: a JSON array of {op, key, data} on stdin: ${e.message}`);
  process.exit(2);
}

const out = [];
for (const { op, key, data } of requests) {
  const ctx = { options: { account: { encryptOAuthTokens: true } }, secretConfig: secretConfig(key) };
  try {
    if (op === "seal") out.push({ value: await setTokenUtil(data, ctx) });
    else if (op === "open") out.push({ value: await decryptOAuthToken(data, ctx) });
    else throw new Error(`unknown op ${op}`);
  } catch (e) {
    out.push({ error: String(e?.message ?? e) });
  }
}
console.log(JSON.stringify(out));
