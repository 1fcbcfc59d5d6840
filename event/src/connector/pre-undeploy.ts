import { commercetoolsEnv, loadConfig } from "@ct-crm-sync/core/config/env";
import { createCommercetoolsApi } from "@ct-crm-sync/core/commercetools/client";
import { removeSubscription } from "./subscription";

async function preUndeploy() {
  const removed = await removeSubscription(createCommercetoolsApi(loadConfig(commercetoolsEnv)));
  console.log(removed ? "subscription removed" : "no subscription to remove");
}

preUndeploy().catch((error: Error) => {
  console.error(`pre-undeploy failed: ${error.message}`);
  process.exitCode = 1;
});
