import { route } from "@/lib/api/endpoint";
import { recoverPasswordHtmlContent } from "@/lib/api/endpoints/email";
import { recoveryMailPreview } from "@/lib/accounts/password-recovery";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  recoverPasswordHtmlContent.handler(async ({ params }) => {
    const { html } = await recoveryMailPreview(params.email);
    return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
  }),
);
