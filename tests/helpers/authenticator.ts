/**
 * A software WebAuthn authenticator for API tests: ES256 key pairs from node:crypto, "none" attestation
 * and assertions built byte by byte as the WebAuthn spec lays them out (authenticator data, client data
 * JSON, a signature over both), CBOR by the encoder SimpleWebAuthn itself ships. What a browser with a
 * platform authenticator would send, without a browser; each part can be bent (origin, RP ID, counter)
 * to test a refusal.
 */
import crypto from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

type Credential = { id: Buffer; key: crypto.KeyObject; rpId: string; userHandle: string; counter: number };

const b64url = (bytes: Buffer | Uint8Array) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Buffer | string) => crypto.createHash("sha256").update(data).digest();

const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

function authenticatorData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter);
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
}

function coseKey(key: crypto.KeyObject): Buffer {
  const jwk = key.export({ format: "jwk" });
  const map = new Map<number, number | Uint8Array>([
    [1, 2], // kty: EC2
    [3, -7], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, Buffer.from(jwk.x!, "base64url")],
    [-3, Buffer.from(jwk.y!, "base64url")],
  ]);
  return Buffer.from(isoCBOR.encode(map));
}

const clientData = (type: "webauthn.create" | "webauthn.get", challenge: string, origin: string) =>
  Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));

export type Bend = { origin?: string; rpId?: string; counter?: number; userVerified?: boolean };

export class SoftAuthenticator {
  readonly credentials: Credential[] = [];

  constructor(readonly origin: string) {}

  /** `navigator.credentials.create()` for the options of registration-options: the JSON to POST back. */
  create(options: { challenge: string; rp: { id?: string }; user: { id: string } }, bend: Bend = {}) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const id = crypto.randomBytes(32);
    const rpId = bend.rpId ?? options.rp.id!;
    const length = Buffer.alloc(2);
    length.writeUInt16BE(id.length);
    const attested = Buffer.concat([Buffer.alloc(16), length, id, coseKey(publicKey)]);
    const authData = authenticatorData(rpId, UP | UV | AT, 0, attested);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]) as never);
    this.credentials.push({ id, key: privateKey, rpId: options.rp.id!, userHandle: options.user.id, counter: 0 });
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: "public-key" as const,
      response: {
        clientDataJSON: b64url(clientData("webauthn.create", options.challenge, bend.origin ?? this.origin)),
        attestationObject: b64url(attestationObject),
        transports: ["internal"],
      },
      authenticatorAttachment: "platform" as const,
      clientExtensionResults: {},
    };
  }

  /** `navigator.credentials.get()`: an assertion by `credential` (the last made by default), counter moved on. */
  get(options: { challenge: string; rpId?: string }, bend: Bend = {}, credential = this.credentials.at(-1)!) {
    credential.counter = bend.counter ?? credential.counter + 1;
    const flags = UP | (bend.userVerified === false ? 0 : UV);
    const authData = authenticatorData(bend.rpId ?? options.rpId ?? credential.rpId, flags, credential.counter);
    const data = clientData("webauthn.get", options.challenge, bend.origin ?? this.origin);
    const signature = crypto.sign("sha256", Buffer.concat([authData, sha256(data)]), credential.key);
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: "public-key" as const,
      response: {
        clientDataJSON: b64url(data),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      authenticatorAttachment: "platform" as const,
      clientExtensionResults: {},
    };
  }
}
