// Verifies a password against a hash with better-auth's own verifyPassword (better-auth/crypto).
//   node oracle/verify-hash.mjs '<saltHex32>:<keyHex128>' '<password>'
// Exit 0 = matches, 1 = does not match, 2 = usage error / malformed hash.
import { verifyPassword } from "better-auth/crypto";

const [hash, password] = process.argv.slice(2);
if (hash === undefined || password === undefined) {
  console.error("usage: node verify-hash.mjs <hash> <password>");
  process.exit(2);
}
try {
  const ok = await verifyPassword({ hash, password });
  console.log(ok ? "match" : "mismatch");
  process.exit(ok ? 0 : 1);
} catch (e) {
  console.error(`error: ${e.message}`);
  process.exit(2);
}
