import { getDb } from "../db/client";
import { lowStorage } from "../db/storage";
import { HttpError } from "../http/errors";

/**
 * `{"status": "ok"}` once the database answers and its folder has room to write; 503 otherwise (the
 * readiness check: a nearly full disk would refuse every write with 507).
 */
export async function checkHealth(): Promise<{ status: "ok" }> {
  try {
    await getDb().$queryRawUnsafe("SELECT 1");
  } catch {
    throw new HttpError(503, "Database unavailable", {}, { status: "error" });
  }
  const low = await lowStorage();
  if (low) {
    throw new HttpError(503, `Storage nearly full: ${Math.floor(low.freeBytes / 1024)} KiB free for the data folder`, {}, { status: "error" });
  }
  return { status: "ok" };
}
