import { z } from "zod";
import { loadConfig } from "@ct-crm-sync/core/config/env";
import { inlineRetryPolicy } from "@ct-crm-sync/core/reliability/retry";
import { createRuntime } from "@ct-crm-sync/core/runtime";
import { installInbound } from "./install";

/** Connect gives a service app's postDeploy its public URL. */
const postDeployEnv = z.object({ CONNECT_SERVICE_URL: z.url() });

async function postDeploy() {
  const { CONNECT_SERVICE_URL } = loadConfig(postDeployEnv);
  const runtime = createRuntime({ app: "service-post-deploy", retry: inlineRetryPolicy });
  const installed = await installInbound(runtime, CONNECT_SERVICE_URL);
  console.log(
    `custom fields: customer ${installed.customer?.typeKey ?? "none"}, business unit ${installed.businessUnit?.typeKey ?? "none"}; webhook ${installed.webhook}`,
  );
}

postDeploy().catch((error: Error) => {
  console.error(`post-deploy failed: ${error.message}`);
  process.exitCode = 1;
});
