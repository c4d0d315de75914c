// Types for trust-proxy.mjs (plain JavaScript so that scripts/serve.mjs can import it).
import type { IncomingMessage } from "node:http";

export type TrustProxySetting = false | true | number | string[];
export type TrustFunction = (address: string, hop: number) => boolean;

export function parseTrustProxy(raw: string | undefined): TrustProxySetting;
export function compileTrust(setting: TrustProxySetting): TrustFunction;
export function resolveForwarding(
  req: IncomingMessage,
  trust: TrustFunction,
): { clientAddress: string; proto: "http" | "https" | null; host: string | null; port: string | null };
