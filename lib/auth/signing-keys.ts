/**
 * The asymmetric key that signs access tokens: AUTH_SIGNING_KEY (a private JWK or PKCS #8 PEM, Ed25519
 * or P-256) when set, so several instances sign with one key; otherwise one generated on first start and
 * kept in DATA_DIR (owner-only), like the HS256 secret before it, so a restart changes nothing. Each
 * algorithm has its own file: switching AUTH_SIGNING_ALG is a key rotation.
 *
 * The key's id is its JWK thumbprint (RFC 7638): the same key gives the same `kid` on every instance.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { calculateJwkThumbprint, importJWK, type JWK } from "jose";

export const SIGNING_ALGORITHMS = ["EdDSA", "ES256"] as const;
export type SigningAlg = (typeof SIGNING_ALGORITHMS)[number];

/** A public key as published at /.well-known/jwks.json. */
export type PublicJwk = JWK & { kid: string; alg: SigningAlg; use: "sig" };

export type SigningKey = { kid: string; alg: SigningAlg; privateKey: CryptoKey; publicJwk: PublicJwk };

export const signingKeyFileName = (alg: SigningAlg) => `signing-key-${alg.toLowerCase()}.jwk`;

/** The algorithm a key object can sign with; anything but Ed25519 and P-256 is refused. */
function algorithmOf(key: crypto.KeyObject): SigningAlg | null {
  if (key.asymmetricKeyType === "ed25519") return "EdDSA";
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ES256";
  return null;
}

/** Parses a private key given as a JWK (JSON) or PEM; errors name `source` and never echo the key. */
export function parsePrivateKey(text: string, source: string): { key: crypto.KeyObject; alg: SigningAlg } {
  let key: crypto.KeyObject;
  try {
    const trimmed = text.trim();
    key = trimmed.startsWith("{")
      ? crypto.createPrivateKey({ key: JSON.parse(trimmed) as crypto.JsonWebKey, format: "jwk" })
      : crypto.createPrivateKey(trimmed);
  } catch {
    throw new Error(`${source}: not a private key in JWK or PEM (PKCS #8) form`);
  }
  const alg = algorithmOf(key);
  if (!alg) throw new Error(`${source}: only Ed25519 (EdDSA) and P-256 (ES256) private keys can sign tokens`);
  return { key, alg };
}

function generate(alg: SigningAlg): crypto.KeyObject {
  return alg === "EdDSA"
    ? crypto.generateKeyPairSync("ed25519").privateKey
    : crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
}

export type SigningKeySource = {
  key: crypto.KeyObject;
  alg: SigningAlg;
  source: "env" | "file" | "file-created";
  file?: string;
};

/**
 * The configured key, or the stored one for `alg`, created on first start. Created in a temporary file
 * and linked into place, so two processes starting at once agree on one key and neither reads half a file.
 */
export function loadOrCreateSigningKey(
  dataDir: string,
  envKey: string | undefined,
  wantedAlg: SigningAlg | null,
): SigningKeySource {
  if (envKey) {
    const { key, alg } = parsePrivateKey(envKey, "AUTH_SIGNING_KEY");
    if (wantedAlg && wantedAlg !== alg) {
      throw new Error(`AUTH_SIGNING_KEY is an ${alg} key but AUTH_SIGNING_ALG says ${wantedAlg}`);
    }
    return { key, alg, source: "env" };
  }
  const alg = wantedAlg ?? "EdDSA";
  const file = path.join(dataDir, signingKeyFileName(alg));
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(file)) {
    const key = generate(alg);
    const temp = `${file}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(key.export({ format: "jwk" })) + "\n", { mode: 0o600, flag: "wx" });
    try {
      fs.linkSync(temp, file);
      return { key, alg, source: "file-created", file };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }
  // Tighten permissions someone may have loosened; the key signs every token.
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  const parsed = parsePrivateKey(fs.readFileSync(file, "utf8"), file);
  if (parsed.alg !== alg) throw new Error(`${file} holds an ${parsed.alg} key, not ${alg}; delete it to generate a new one`);
  return { ...parsed, source: "file", file };
}

/** The public half as a JWK with only the fields a verifier needs, and its thumbprint as `kid`. */
export async function publicJwkOf(key: crypto.KeyObject, alg: SigningAlg): Promise<PublicJwk> {
  const full = crypto.createPublicKey(key).export({ format: "jwk" }) as JWK;
  const bare: JWK = full.kty === "EC" ? { kty: "EC", crv: full.crv, x: full.x, y: full.y } : { kty: "OKP", crv: full.crv, x: full.x };
  return { ...bare, kid: await calculateJwkThumbprint(bare, "sha256"), alg, use: "sig" };
}

export async function toSigningKey(source: Pick<SigningKeySource, "key" | "alg">): Promise<SigningKey> {
  const publicJwk = await publicJwkOf(source.key, source.alg);
  const privateKey = (await importJWK(source.key.export({ format: "jwk" }) as JWK, source.alg)) as CryptoKey;
  return { kid: publicJwk.kid, alg: source.alg, privateKey, publicJwk };
}

/** A published public key as a verification key, pinned to its own algorithm. */
export async function verificationKeyOf(jwk: PublicJwk): Promise<{ alg: SigningAlg; key: CryptoKey }> {
  return { alg: jwk.alg, key: (await importJWK(jwk, jwk.alg)) as CryptoKey };
}
