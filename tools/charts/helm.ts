// The Helm 3 binary the checks run: HELM when set, else .tools/bin/helm (tools/install-helm.sh).
import * as fs from "node:fs";
import * as path from "node:path";

const INSTALLED = path.resolve(__dirname, "..", "..", ".tools", "bin", "helm");

export function helmBinary(): string {
    if (process.env.HELM) return process.env.HELM;
    if (fs.existsSync(INSTALLED)) return INSTALLED;
    throw new Error(`Helm 3 not found at ${INSTALLED}: run bash tools/install-helm.sh (npm test runs it)`);
}
