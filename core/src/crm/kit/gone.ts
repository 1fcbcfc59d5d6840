import { SyncError } from "../../domain/errors";

/** The answer, or undefined when the CRM no longer holds the record (a read or delete of what another writer removed). */
export async function unlessGone<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof SyncError && error.errorClass === "not_found") return undefined;
    throw error;
  }
}
