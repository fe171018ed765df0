// What the Grafana ingress settings may be, and the combinations refused: who can reach Grafana is
// decided in config, never left to GKE's defaults (an Ingress without a class is an internet-facing
// load balancer in front of one admin password).
import { z } from "zod";
import type { ConfigProblem } from "./errors";

/** GKE's own Ingress controller classes: "gce-internal" is a VPC-only load balancer, "gce" a public one. */
export const GKE_INTERNAL_CLASS = "gce-internal";
export const GKE_EXTERNAL_CLASS = "gce";
export const isGkeClass = (className: string): boolean => className === GKE_INTERNAL_CLASS || className === GKE_EXTERNAL_CLASS;

/**
 * Who may reach the login page:
 * - private-network: anyone inside the VPC (the internal load balancer is not routable from outside);
 * - iap: Google identities that Identity-Aware Proxy admits (GKE classes);
 * - allowlist: these source ranges, through a Cloud Armor policy (the public "gce" class);
 * - password-only: anyone who can route to the load balancer, chosen knowingly.
 */
export const GRAFANA_ACCESS = ["private-network", "iap", "allowlist", "password-only"] as const;

/** Cloud Armor takes at most 10 source ranges per rule; a longer allowlist becomes several rules. */
export const MAX_ALLOWLIST_ENTRIES = 50;

const ipv4Cidr = /^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\/([0-9]|[12][0-9]|3[0-2])$/;
const ipv6Cidr = /^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}\/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])$/i;

export const sourceRange = z.string().refine((v) => ipv4Cidr.test(v) || ipv6Cidr.test(v), {
    error: 'a source range in CIDR notation such as "203.0.113.0/24"',
});

// An IngressClass name: Kubernetes object names are DNS subdomains.
export const ingressClassName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, {
    error: 'an IngressClass name: "gce-internal" (GKE, inside the VPC), "gce" (GKE, public) or another controller\'s class',
});

type Json = unknown;
const obj = (v: Json): Record<string, Json> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, Json>) : {});
const PATH = ["grafana", "ingress"] as const;

/** The refused combinations of grafana.ingress (its keys' own shapes are the schema's business). */
export function grafanaExposureProblems(c: Record<string, Json>): ConfigProblem[] {
    const ingress = obj(obj(c.grafana).ingress);
    if (ingress.enabled !== true) return [];
    const problems: ConfigProblem[] = [];
    for (const key of ["host", "tlsSecretName"] as const) {
        if (ingress[key] === undefined) {
            problems.push({ path: [...PATH, key], expected: "a value when grafana.ingress.enabled is true (Grafana is only exposed over TLS)", given: undefined });
        }
    }
    const access = ingress.access;
    // A malformed class or guard is reported by the schema; the combinations need both valid.
    if (!ingressClassName.safeParse(ingress.className).success || !(GRAFANA_ACCESS as readonly Json[]).includes(access)) return problems;
    const cls = ingress.className as string;

    const accessProblem = (expected: string) => problems.push({ path: [...PATH, "access"], expected, given: access });
    if (!isGkeClass(cls) && access !== "password-only") {
        accessProblem(
            `"password-only" for another controller's class "${cls}" (IAP and allowlists are attached to GKE's load balancers only; guard Grafana in that controller and say so)`,
        );
    } else if (cls === GKE_EXTERNAL_CLASS && access === "private-network") {
        accessProblem('"iap", "allowlist" or, knowingly, "password-only" for the class "gce": its load balancer is reachable from the internet');
    } else if (cls === GKE_INTERNAL_CLASS && access === "allowlist") {
        accessProblem(
            '"private-network" or "iap" for the class "gce-internal": Cloud Armor does not apply to an internal load balancer; narrow its sources with VPC firewall rules instead',
        );
    }

    const secret = ingress.iapOAuthSecretName;
    if (access === "iap" && secret === undefined) {
        problems.push({
            path: [...PATH, "iapOAuthSecretName"],
            expected: "the Secret (keys client_id, client_secret) of the OAuth client IAP signs users in with, in Grafana's namespace",
            given: undefined,
        });
    } else if (access !== "iap" && secret !== undefined) {
        problems.push({ path: [...PATH, "iapOAuthSecretName"], expected: 'nothing unless grafana.ingress.access is "iap" (it would be ignored)', given: secret });
    }
    const allowlist = ingress.allowlist;
    if (access === "allowlist" && (!Array.isArray(allowlist) || allowlist.length === 0)) {
        problems.push({
            path: [...PATH, "allowlist"],
            expected: 'at least one source range (CIDR) allowed to reach Grafana when grafana.ingress.access is "allowlist"',
            given: allowlist,
        });
    } else if (access !== "allowlist" && allowlist !== undefined) {
        problems.push({ path: [...PATH, "allowlist"], expected: 'nothing unless grafana.ingress.access is "allowlist" (it would be ignored)', given: allowlist });
    }
    return problems;
}
