/** Health and the document itself. */
import { z } from "zod";
import { endpoint } from "../endpoint";
import { errorResponse, ok } from "../responses";
import { Health } from "../../schemas";

const databaseDown = errorResponse("The database does not answer", "Database unavailable");

export const healthCheck = endpoint({
  method: "GET",
  path: "/api/v1/utils/health-check/",
  tag: "utils",
  operationId: "utils-health_check",
  summary: "Health check",
  description: "`true` once the database answers (the FastAPI template's health check).",
  auth: "none",
  responses: { "200": ok("Healthy", z.boolean()), "503": databaseDown },
});

export const health = endpoint({
  method: "GET",
  path: "/api/health",
  tag: "meta",
  operationId: "meta-health",
  summary: "Health check",
  description: "`{\"status\": \"ok\"}` once the database answers and the data folder has at least 1 MiB free (readiness).",
  auth: "none",
  responses: { "200": ok("Healthy", Health), "503": databaseDown },
});

export const liveness = endpoint({
  method: "GET",
  path: "/api/health/live",
  tag: "meta",
  operationId: "meta-liveness",
  summary: "Liveness check",
  description:
    "`{\"status\": \"ok\"}` whenever this process can answer, without asking the database: for a liveness " +
    "probe, which restarts the process when it fails (a restart does not bring a database back; " +
    "`/api/health` is the readiness check).",
  auth: "none",
  responses: { "200": ok("This process answers", Health) },
});

const document = { "200": { description: "OpenAPI 3.1", content: { "application/json": {} } } };

export const openApi = endpoint({
  method: "GET",
  path: "/api/openapi.json",
  tag: "meta",
  operationId: "meta-openapi",
  summary: "This document",
  auth: "none",
  responses: document,
});

export const openApiV1 = endpoint({
  method: "GET",
  path: "/api/v1/openapi.json",
  tag: "meta",
  operationId: "meta-openapi_v1",
  summary: "This document, where the FastAPI template's tooling looks for it",
  auth: "none",
  responses: document,
});
