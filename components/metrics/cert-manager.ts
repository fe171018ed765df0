// The cert-manager preset as a scrape entry: the platform scrapes cert-manager's controller under job
// "cert-manager" and alerts on its certificates (sre/cert-manager-alerts.ts).
import type { z } from "zod";
import { CERT_MANAGER_JOB, type certManagerSchema } from "../config/cert-manager";
import type { DeepReadonly } from "../config/deep-readonly";
import type { ScrapeTarget } from "../config/scrape";

/** The scrape entry the preset stands for, when enabled. */
export function certManagerScrapeTargets(settings: { readonly certManager: DeepReadonly<z.output<typeof certManagerSchema>> }): ScrapeTarget[] {
    const c = settings.certManager;
    if (!c.enabled) return [];
    return [
        {
            name: CERT_MANAGER_JOB,
            namespace: c.namespace,
            selector: c.selector,
            port: c.port,
            path: "/metrics",
            kind: "service",
            // cert-manager labels each certificate's series with the certificate's `namespace`; without
            // this Prometheus would rename it exported_namespace and set namespace="cert-manager".
            honorLabels: true,
        },
    ];
}
