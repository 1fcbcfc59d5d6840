import type { ConformanceTarget } from "../target";
import { salesforceTarget } from "./salesforce";
import { closeTarget } from "./close";

/** Every CRM adapter + simulator pair; each must pass the whole conformance suite. */
export const conformanceTargets: ConformanceTarget[] = [salesforceTarget, closeTarget];
