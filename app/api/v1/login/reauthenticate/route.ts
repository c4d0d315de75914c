import { route } from "@/lib/api/endpoint";
import { reauthenticate } from "@/lib/api/endpoints/login";
import { reauthenticate as confirmPassword } from "@/lib/accounts/reauthentication";
import { clientInfo } from "@/lib/http/client";
import { json } from "@/lib/http/handler";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  reauthenticate.handler(async ({ request, auth, body }) => {
    const until = await confirmPassword(auth, body.password, clientInfo(request));
    return json({ message: "Password confirmed", reauthenticated_until: until.toISOString() });
  }),
);
