import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobCredential } from "@ct-crm-sync/core/api/contract";
import { loadConfig } from "@ct-crm-sync/core/config/env";
import { createJobApp } from "../src/app";
import { serviceEnv } from "../../service/src/config";
import { signJobRequest } from "../../service/src/job-client";
import { startSandbox, type Sandbox } from "../../test/sandbox/sandbox";
import { postToJob } from "../../test/support/job-requests";

/**
 * The job's endpoint: Connect's cron posts nothing and runs; anything else
 * needs the service's signed credential over that exact body, else 401 and
 * nothing runs (the job's last run stays what it was).
 */
describe("job: only the scheduled trigger and the service's signed requests run", () => {
  let sandbox: Sandbox;
  let signingKey: KeyObject;
  const backfill = JSON.stringify({ tasks: ["backfill"], entities: ["customer"] });

  /** A token as the service makes one, with one thing changed. */
  function token(body: string, change: { key?: KeyObject; audience?: string; issuedAt?: number; lifetime?: number; bodyHash?: string } = {}) {
    const iat = change.issuedAt ?? Math.floor(Date.now() / 1000);
    return new SignJWT({ [jobCredential.bodyHashClaim]: change.bodyHash ?? createHash("sha256").update(body).digest("base64url") })
      .setProtectedHeader({ alg: "EdDSA" })
      .setIssuer(jobCredential.issuer)
      .setAudience(change.audience ?? jobCredential.audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (change.lifetime ?? jobCredential.lifetimeSeconds))
      .setJti("test-request")
      .sign(change.key ?? signingKey);
  }
  const post = (body: string | undefined, authorization?: string) => {
    const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
    if (authorization) headers.authorization = authorization;
    return fetch(sandbox.urls.job, { method: "POST", headers, body });
  };
  const lastRun = async () => (await sandbox.runtimes.job.jobState.lastRun())?.version;

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: "ephemeral", captureLogs: true });
    signingKey = loadConfig(serviceEnv.pick({ JOB_SIGNING_KEY: true }), sandbox.env).JOB_SIGNING_KEY!;
  }, 60_000);
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("runs the scheduled trigger without a body and without a credential, and with an empty JSON object", async () => {
    const before = await lastRun();
    const scheduled = await post(undefined);
    expect(scheduled.status).toBe(200);
    expect(((await scheduled.json()) as { outcome: string }).outcome).toBe("succeeded");
    expect(await lastRun()).not.toBe(before);
    expect((await post("{}")).status).toBe(200);
  });

  it("refuses a backfill without a credential: 401, nothing run, the credential's absence logged", async () => {
    const before = await lastRun();
    const refused = await post(backfill);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: "this request needs the service's credential" });
    expect(await lastRun()).toBe(before);
    expect(sandbox.logs!.entries.some((e) => e.message === "job request refused" && e.meta.reason === "no bearer credential")).toBe(true);
  });

  it("refuses a token signed with another key, expired, for another body or for another audience", async () => {
    const before = await lastRun();
    const { privateKey: otherKey } = generateKeyPairSync("ed25519");
    const longAgo = Math.floor(Date.now() / 1000) - 600;
    const forged = [
      await token(backfill, { key: otherKey }),
      await token(backfill, { issuedAt: longAgo }),
      // Unexpired, but issued long before: older than the credential's lifetime.
      await token(backfill, { issuedAt: longAgo, lifetime: 3600 }),
      await token(JSON.stringify({ tasks: ["retries"] })),
      await token(backfill, { bodyHash: "not-a-hash" }),
      await token(backfill, { audience: "another-app" }),
      "not-a-jwt",
    ];
    for (const credential of forged) {
      const response = await post(backfill, `Bearer ${credential}`);
      expect(response.status, credential).toBe(401);
    }
    expect(await lastRun()).toBe(before);
    const logged = JSON.stringify(sandbox.logs!.entries);
    for (const credential of forged) expect(logged).not.toContain(credential);
  });

  it("runs a request the service signed over this exact body", async () => {
    const response = await post(backfill, `Bearer ${await token(backfill)}`);
    expect(response.status).toBe(200);
    const run = (await response.json()) as { outcome: string; counts: Record<string, number> };
    expect(run.outcome).toBe("succeeded");
    expect(run.counts).toHaveProperty(["backfill.customer.read"]);
    // The sandbox's helper signs the same way.
    expect((await postToJob(sandbox, { tasks: ["prune"] })).status).toBe(200);
  });

  it("without a configured key refuses every request with a body, signed or not, and still runs the scheduled trigger", async () => {
    const unkeyed = createJobApp(sandbox.runtimes.job);
    const signed = await signJobRequest(signingKey, backfill);
    const refused = await request(unkeyed).post("/").set("content-type", "application/json").set("authorization", `Bearer ${signed}`).send(backfill);
    expect(refused.status).toBe(401);
    expect((await request(unkeyed).post("/")).status).toBe(200);
  });
});
