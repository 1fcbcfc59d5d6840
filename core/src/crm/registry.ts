import type { CrmEnv } from "../config/env";
import type { CrmAdapter } from "../ports/crm-adapter";
import { createCloseAdapter } from "./close";
import { createSalesforceAdapter } from "./salesforce";

/** The adapter for the configured CRM; credentials were validated by `crmEnv`. */
export function createCrmAdapter(env: CrmEnv): CrmAdapter {
  switch (env.CRM) {
    case "salesforce":
      return createSalesforceAdapter({
        loginUrl: env.SALESFORCE_LOGIN_URL!,
        clientId: env.SALESFORCE_CLIENT_ID!,
        clientSecret: env.SALESFORCE_CLIENT_SECRET!,
        apiVersion: env.SALESFORCE_API_VERSION,
      });
    case "close":
      return createCloseAdapter({ baseUrl: env.CLOSE_API_URL, apiKey: env.CLOSE_API_KEY! });
    default:
      throw new Error(`CRM ${env.CRM} is declared but has no adapter yet`);
  }
}
