/**
 * API_COMPAT=fastapi-template, where it changes answers (docs/fastapi-template.md): the statuses the
 * FastAPI template gives where ours differ, in the answers and in the OpenAPI document alike, and the
 * template's local-only `POST /private/users/`. What it relaxes in the services (sudo mode from the
 * sign-in, an email change at once, the password-change check order) is read there from
 * `Config.templateCompat`, which lists every relaxation.
 */
import { getConfig } from "../config";

/** What a declaration says about the template's answers (lib/api/endpoint.ts `Declaration`). */
type TemplateAware = {
  /** Our status → the template's, answered (and documented) with API_COMPAT=fastapi-template. */
  templateStatuses?: Readonly<Record<string, string>>;
};

/** Sign-up and user creation: 200 where we say 201 (created), 400 where we say 409 (the email is taken). */
export const CREATION_STATUSES = { "201": "200", "409": "400" } as const;

const remapped = (declaration: TemplateAware) =>
  getConfig().templateCompat.templateStatuses ? declaration.templateStatuses : undefined;

/** The answer with the template's status when API_COMPAT=fastapi-template asks for it; the same body and headers. */
export function asTemplateAnswers(declaration: TemplateAware, response: Response): Response {
  const status = remapped(declaration)?.[String(response.status)];
  if (status === undefined) return response;
  return new Response(response.body, { status: Number(status), headers: response.headers });
}

/** The documented responses, under the statuses `asTemplateAnswers` gives. */
export function asTemplateResponses<R extends { description: string }>(
  declaration: TemplateAware,
  responses: Record<string, R>,
): Record<string, R> {
  const statuses = remapped(declaration);
  if (!statuses) return responses;
  const out = Object.fromEntries(Object.entries(responses).filter(([status]) => !(status in statuses)));
  for (const [status, response] of Object.entries(responses)) {
    const to = statuses[status];
    if (to === undefined) continue;
    const shared = out[to];
    out[to] = shared
      ? { ...shared, ...response, description: `${response.description}; or: ${shared.description}` }
      : response;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** `POST /private/users/` is served (and documented) only with API_COMPAT=fastapi-template and ENVIRONMENT=local. */
export const privateUsersServed = () => getConfig().templateCompat.privateUsers;
