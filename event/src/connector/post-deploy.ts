import { commercetoolsEnv, loadConfig } from "@ct-crm-sync/core/config/env";
import { createCommercetoolsApi } from "@ct-crm-sync/core/commercetools/client";
import { destinationEnv, destinationFrom, ensureSubscription } from "./subscription";

async function postDeploy() {
  const api = createCommercetoolsApi(loadConfig(commercetoolsEnv));
  const outcome = await ensureSubscription(api, destinationFrom(loadConfig(destinationEnv)));
  console.log(`subscription ${outcome}`);
}

postDeploy().catch((error: Error) => {
  console.error(`post-deploy failed: ${error.message}`);
  process.exitCode = 1;
});
