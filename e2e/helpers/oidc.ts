/**
 * A real OpenID Provider (`oidc-provider`, a certified implementation) on 127.0.0.1 for one spec:
 * one confidential client for the app, fixed accounts, the provider's own development login and
 * consent pages. Everything else is the provider's defaults (so, like most conformant providers, the ID
 * token of the code flow carries only `sub`; email and name come from the userinfo endpoint).
 */
import http from "node:http";
import Provider from "oidc-provider";
import { freePort } from "./server";

export type OidcAccount = {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
  /** The ID token's `amr` (RFC 8176) for this account's sign-ins, e.g. ["pwd", "mfa"]; none by default. */
  amr?: string[];
};

export type OidcProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  account: OidcAccount;
  /** Errors the provider reported while serving (shown when a test fails). */
  errors: string[];
  close: () => Promise<void>;
};

export async function startOidcProvider(options: {
  redirectUri: string;
  account: OidcAccount;
  /** More accounts, signed in by typing their `sub` as the login; any other login is `account`. */
  others?: OidcAccount[];
}): Promise<OidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "signin-e2e-app";
  const clientSecret = `secret-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const { account } = options;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    // The account signed in on the development login page (type its `sub` as the login).
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => options.others?.find((other) => other.sub === id) ?? { ...account, sub: id },
    }),
    claims: {
      // `amr` as most providers that set it do: in the ID token, for the accounts that have one.
      openid: ["sub", "amr"],
      email: ["email", "email_verified"],
      profile: ["name"],
    },
    cookies: { keys: [`cookie-key-${clientSecret}`] },
    features: { devInteractions: { enabled: true } },
  });
  // The development login page signs in with `{ login: { accountId } }`; an account's `amr` joins it here,
  // and the provider puts it in the ID token.
  const finish = provider.interactionFinished.bind(provider);
  provider.interactionFinished = (req, res, result, finishOptions) => {
    const login = (result as { login?: { accountId: string } }).login;
    const amr = login && (options.others?.find((other) => other.sub === login.accountId) ?? account).amr;
    return finish(req, res, amr ? { ...result, login: { ...login, amr } } : result, finishOptions);
  };
  const errors: string[] = [];
  for (const event of ["server_error", "grant.error", "authorization.error", "userinfo.error"]) {
    provider.on(event, (_ctx, error) => errors.push(`${event}: ${String((error as Error)?.message ?? error)}`));
  }

  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    issuer,
    clientId,
    clientSecret,
    account,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
