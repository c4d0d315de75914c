import { getDb } from "../db/client";
import { HttpError } from "../http/errors";

/** `{"status": "ok"}` once the database answers; 503 otherwise. */
export async function checkHealth(): Promise<{ status: "ok" }> {
  try {
    await getDb().$queryRawUnsafe("SELECT 1");
  } catch {
    throw new HttpError(503, "Database unavailable", {}, { status: "error" });
  }
  return { status: "ok" };
}
