// The cert-manager preset (`certManager`): the cluster already runs cert-manager (the platform does
// not install it); metrics/cert-manager.ts turns the preset into the scrape entry of its controller.
import { z } from "zod";
import type { ConfigProblem } from "./errors";
import { scrapeTargetSchema } from "./scrape";

/** The job label of cert-manager's series, and the name of its ServiceMonitor. */
export const CERT_MANAGER_JOB = "cert-manager";

// What the jetstack chart's controller Service carries (templates/service.yaml): the chart's name as
// app.kubernetes.io/name and component "controller"; app.kubernetes.io/instance is the release name,
// left out so any release name matches. Its metrics port, 9402, is named tcp-prometheus-servicemonitor.
export const CERT_MANAGER_DEFAULTS = {
    namespace: "cert-manager",
    selector: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" },
    port: "tcp-prometheus-servicemonitor",
} as const;

const target = scrapeTargetSchema.shape;

// The defaults live here rather than in the tier presets: a preset's map would be merged key by key
// with the stack's, so a stack could never drop one of the default selector labels.
export const certManagerSchema = z.strictObject({
    enabled: z.boolean({ error: "true or false" }),
    /** Where cert-manager runs; its ServiceMonitor is created there. */
    namespace: target.namespace.default(CERT_MANAGER_DEFAULTS.namespace),
    /** The labels of the cert-manager controller's Service (all must match); replaces the default whole. */
    selector: target.selector.default({ ...CERT_MANAGER_DEFAULTS.selector }),
    /** The name of that Service's metrics port. */
    port: target.port.default(CERT_MANAGER_DEFAULTS.port),
});

/** A `scrape` entry may not take the job the enabled preset declares (defensive: shapes may be invalid). */
export function certManagerConfigProblems(candidate: Record<string, unknown>): ConfigProblem[] {
    const c = candidate.certManager;
    if (typeof c !== "object" || c === null || (c as Record<string, unknown>).enabled !== true || !Array.isArray(candidate.scrape)) return [];
    return candidate.scrape.flatMap((t, i) =>
        typeof t === "object" && t !== null && (t as Record<string, unknown>).name === CERT_MANAGER_JOB
            ? [{ path: ["scrape", i, "name"], expected: `a job name other than "${CERT_MANAGER_JOB}", which certManager.enabled declares`, given: CERT_MANAGER_JOB }]
            : [],
    );
}
