// Regenerates password-fixtures.json with better-auth's own hasher (better-auth/crypto → @better-auth/utils/password).
//   node oracle/make-password-fixtures.mjs
import { writeFileSync } from "node:fs";
import { hashPassword, verifyPassword } from "better-auth/crypto";

const passwords = ["correct horse battery staple", "Crème brûlée à 9h".normalize("NFC")];
const fixtures = [];
for (const password of passwords) {
  const hash = await hashPassword(password);
  if (!(await verifyPassword({ hash, password }))) throw new Error("self-verify failed");
  fixtures.push({ password, hash });
}
writeFileSync(new URL("./password-fixtures.json", import.meta.url), JSON.stringify(fixtures, null, 2) + "\n");
console.log(JSON.stringify(fixtures, null, 2));
