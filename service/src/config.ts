import { z } from "zod";

/** The service's own configuration (commercetools and CRM keys are shared, see core/config). */
export const serviceEnv = z.object({
  /** Merchant Center API URL (the session token's issuer), or a cloud identifier such as `gcp-eu`. */
  MC_API_URL: z.string().min(1),
  /** This service's public URL, as the Merchant Center forwards to it (the token's audience). */
  SERVICE_PUBLIC_URL: z.url(),
});
export type ServiceEnv = z.infer<typeof serviceEnv>;
