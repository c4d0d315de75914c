import { route } from "@/lib/api/endpoint";
import { reauthenticate } from "@/lib/api/endpoints/login";
import { reauthenticate as confirmFactor } from "@/lib/accounts/reauthentication";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  reauthenticate.handler(async ({ request, auth, body }) => {
    const until = await confirmFactor(auth, body, clientInfo(request));
    const message = body.password !== undefined ? "Password confirmed" : body.passkey !== undefined ? "Passkey confirmed" : "Code confirmed";
    return json({ message, reauthenticated_until: until.toISOString() });
  }),
);
