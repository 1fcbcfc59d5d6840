import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ensurePortsFree, portTakenMessage, PortsTakenError, sandboxPortUses } from "./ports";

describe("sandbox ports", () => {
  let holder: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (holder ? holder.close(() => resolve()) : resolve())));

  const hold = () =>
    new Promise<number>((resolve) => {
      holder = createServer();
      holder.listen(0, "127.0.0.1", () => resolve((holder!.address() as { port: number }).port));
    });

  it("names the component and the variable of a taken port, never a socket error", async () => {
    const port = await hold();
    const uses = [{ component: "Merchant Center app", variable: "MC_APP_PORT", port }];
    const refused = await ensurePortsFree(uses).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(PortsTakenError);
    expect((refused as Error).message).toContain(`Port ${port} for the Merchant Center app is taken: stop what listens there, or set MC_APP_PORT to a free port.`);
    expect((refused as Error).message).not.toMatch(/EADDRINUSE|\n\s+at /);
  });

  it("passes when every port is free", async () => {
    const port = await hold();
    await new Promise<void>((resolve) => holder!.close(() => resolve()));
    holder = undefined;
    await expect(ensurePortsFree([{ component: "service app", variable: "SERVICE_PORT", port }])).resolves.toBeUndefined();
  });

  it("explains an EADDRINUSE raised later for a known port, and nothing else", async () => {
    const port = await hold();
    const uses = [{ component: "service app", variable: "SERVICE_PORT", port }];
    const error = await new Promise<unknown>((resolve) => {
      const second = createServer();
      second.once("error", resolve);
      second.listen(port, "127.0.0.1");
    });
    expect(portTakenMessage(error, uses)).toContain("set SERVICE_PORT to a free port");
    expect(portTakenMessage(new Error("boom"), uses)).toBeUndefined();
  });

  it("reads each port's variable from the sandbox's names, with the override", () => {
    expect(sandboxPortUses({ emulator: 8989, freshsales: 8992 }, { FRESHSALES_PORT: "9992" }, { emulator: "commercetools emulator" })).toEqual([
      { component: "commercetools emulator", variable: "EMULATOR_PORT", port: 8989 },
      { component: "freshsales simulator", variable: "FRESHSALES_PORT", port: 9992 },
    ]);
  });
});
