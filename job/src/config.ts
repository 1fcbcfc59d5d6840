import { z } from "zod";
import { operatorPublicKeySchema } from "./operator-credential";

/** The job's own configuration (commercetools and CRM keys are shared, see core/config). */
export const jobEnv = z.object({
  /**
   * The service's public key (standard configuration: it proves nothing by
   * itself). Unset, the scheduled trigger still runs and every operator request is refused.
   */
  JOB_VERIFY_KEY: z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined)
    .pipe(operatorPublicKeySchema.optional()),
});
