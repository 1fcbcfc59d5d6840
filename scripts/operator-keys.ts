// Makes the key pair the service signs its requests to the job with:
// `npx tsx scripts/operator-keys.ts` prints both settings. JOB_SIGNING_KEY
// goes into the service's secured configuration, JOB_VERIFY_KEY into the
// job's standard configuration (a public key proves nothing by itself).
import { generateKeyPairSync } from "node:crypto";
import { pathToFileURL } from "node:url";

/** A fresh Ed25519 pair as the two settings: base64 DER, one line each, as a configuration form takes them. */
export function generateOperatorKeys(): { JOB_SIGNING_KEY: string; JOB_VERIFY_KEY: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    JOB_SIGNING_KEY: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
    JOB_VERIFY_KEY: publicKey.export({ format: "der", type: "spki" }).toString("base64"),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const keys = generateOperatorKeys();
  console.log(`# service, secured configuration\nJOB_SIGNING_KEY=${keys.JOB_SIGNING_KEY}\n# job, standard configuration\nJOB_VERIFY_KEY=${keys.JOB_VERIFY_KEY}`);
}
