import { loadConfig } from "@ct-crm-sync/core/config/env";
import { serviceEnv } from "../../service/src/config";
import { signJobRequest } from "../../service/src/job-client";

/**
 * A request to the job app as the service makes it: signed with the sandbox's
 * JOB_SIGNING_KEY over exactly this body (the job refuses any other body with 401).
 */
export async function postToJob(sandbox: { urls: { job: string }; env: Record<string, string> }, body: unknown): Promise<Response> {
  const text = JSON.stringify(body);
  const signingKey = loadConfig(serviceEnv.pick({ JOB_SIGNING_KEY: true }), sandbox.env).JOB_SIGNING_KEY!;
  const authorization = `Bearer ${await signJobRequest(signingKey, text)}`;
  return fetch(sandbox.urls.job, { method: "POST", headers: { "content-type": "application/json", authorization }, body: text });
}
