// Runs better-auth 1.7.25's own JWT code for emailtoken's interop tests.
//
//   node betterauth.mjs <dir holding node_modules> verify|sign < request.json
//
// verify {secret, token, nowMs?}: jose's jwtVerify exactly as better-auth's
//   /verify-email calls it (HS256 only); prints {header, rawHeader, payload}
//   or {error: <jose error code>}.
// sign {secret, email, updateTo?, expiresIn, extraPayload, nowMs?}:
//   better-auth's own createEmailVerificationToken, as its routes call it;
//   prints {token}.
// nowMs, when set, is the clock both libraries read.
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dir, mode] = process.argv.slice(2);
const require = createRequire(join(dir, "package.json"));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);

let input = "";
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);

if (req.nowMs !== undefined) {
	// jose reads the time with `new Date()`, better-auth with Date.now().
	const RealDate = Date;
	globalThis.Date = class extends RealDate {
		constructor(...args) {
			super(...(args.length ? args : [req.nowMs]));
		}
		static now() {
			return req.nowMs;
		}
	};
}

const key = new TextEncoder().encode(req.secret);
let out;
switch (mode) {
	case "verify": {
		const { jwtVerify } = await load("jose");
		try {
			const { payload, protectedHeader } = await jwtVerify(req.token, key, { algorithms: ["HS256"] });
			const rawHeader = Buffer.from(req.token.split(".")[0], "base64url").toString("utf8");
			out = { header: protectedHeader, rawHeader, payload };
		} catch (e) {
			out = { error: e.code ?? String(e) };
		}
		break;
	}
	case "sign": {
		const { createEmailVerificationToken } = await load("better-auth/api");
		out = {
			token: await createEmailVerificationToken(req.secret, req.email, req.updateTo, req.expiresIn, req.extraPayload),
		};
		break;
	}
	default:
		throw new Error(`unknown mode ${mode}`);
}
process.stdout.write(JSON.stringify(out));
