import { createServer } from "node:net";

/** One port the sandbox listens on: who listens, and the variable that moves it. */
export type PortUse = { component: string; variable: string; port: number };

/** Ports that are taken, each named with its component and the variable to change (never a socket error's stack). */
export class PortsTakenError extends Error {
  constructor(readonly taken: PortUse[]) {
    super(
      [
        ...taken.map(({ component, variable, port }) => `Port ${port} for the ${component} is taken: stop what listens there, or set ${variable} to a free port.`),
        "(Another `npm start` still running? Ctrl-C it first.)",
      ].join("\n"),
    );
    this.name = "PortsTakenError";
  }
}

/** Whether 127.0.0.1:port can be listened on now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** Checks every port before anything starts (and seeds), so a taken one stops the sandbox with one clear message. */
export async function ensurePortsFree(uses: PortUse[]): Promise<void> {
  const taken: PortUse[] = [];
  for (const use of uses) if (!(await isFree(use.port))) taken.push(use);
  if (taken.length > 0) throw new PortsTakenError(taken);
}

/**
 * The same message for a port taken between the check and the listen (an
 * `EADDRINUSE` error), when it is one of `uses`; undefined for any other error.
 */
export function portTakenMessage(error: unknown, uses: PortUse[]): string | undefined {
  if (error instanceof PortsTakenError) return error.message;
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  if (code !== "EADDRINUSE") return undefined;
  const use = uses.find((u) => u.port === port);
  return use ? new PortsTakenError([use]).message : undefined;
}

/** The sandbox's ports by name (`defaultPorts`), as `npm start` listens on them: `<NAME>_PORT` moves each. */
export function sandboxPortUses(defaults: Record<string, number>, env: Record<string, string | undefined>, labels: Record<string, string>): PortUse[] {
  return Object.entries(defaults).map(([name, port]) => {
    const variable = `${name.toUpperCase()}_PORT`;
    return { component: labels[name] ?? `${name} simulator`, variable, port: env[variable] ? Number(env[variable]) : port };
  });
}
