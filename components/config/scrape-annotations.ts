// Stack config of annotation discovery (`scrapeAnnotations`): pods that opt in with the
// `prometheus.io/scrape: "true"` annotation (and `prometheus.io/port`, `/path`, `/scheme`) are
// scraped without a `scrape` entry of their own. metrics/scrape-annotations.ts builds the
// ScrapeConfig that does it.
import { z } from "zod";
import type { DeepReadonly } from "./deep-readonly";
import type { ConfigProblem } from "./errors";
import { clusterNamesSchema, unknownEntryClusterProblems } from "./cluster-names";
import { namespaceName, RESERVED_NAMESPACES } from "../kubernetes/names";
import { scrapeInterval } from "./scrape";

/** The `job` of a discovered pod with neither an `app.kubernetes.io/name` nor an `app` label. */
export const ANNOTATED_PODS_JOB = "annotated-pods";

/**
 * Namespaces never discovered, as anchored regular expressions: Kubernetes' and GKE's own (GKE's
 * system pods are scraped by kube-prometheus-stack's monitors or not meant to be). The platform's
 * own namespaces are added per stack: their pods are scraped by the charts' monitors, and an
 * annotation there would scrape them twice.
 */
export const SYSTEM_NAMESPACE_PATTERNS: readonly string[] = [
    // Kubernetes' own, but "default", where applications may well run.
    ...RESERVED_NAMESPACES.filter((n) => n !== "default"),
    "gke-managed-.*",
    "gke-gmp-system",
    "gmp-system",
    "gmp-public",
];

const namespaces = (what: string) =>
    z.array(namespaceName("shop"), { error: `a list of namespace names ${what}` }).min(1, { error: `at least one namespace (or leave the key out)` });

export const scrapeAnnotationsSchema = z.strictObject({
    /** Off in both tiers: discovery is a second way in, turned on by a stack that wants it. */
    enabled: z.boolean({ error: "true or false" }),
    /** Only pods of these namespaces (Prometheus watches just these). Default: every namespace but the excluded. */
    namespaces: namespaces("whose pods are discovered").optional(),
    /** Namespaces left out besides the system and platform ones; only without `namespaces`. */
    excludeNamespaces: namespaces("never discovered").optional(),
    /** Clusters whose Prometheus discovers its own pods. Default: every cluster of the stack. */
    clusters: clusterNamesSchema.optional(),
    /** Default: prometheus.scrapeInterval. */
    interval: scrapeInterval.optional(),
});

export type ScrapeAnnotations = DeepReadonly<z.output<typeof scrapeAnnotationsSchema>>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The platform's own namespaces of a (possibly invalid) candidate. */
function platformNamespaces(candidate: Record<string, unknown>): string[] {
    return isObject(candidate.namespaces) ? Object.values(candidate.namespaces).filter((n): n is string => typeof n === "string") : [];
}

/**
 * Rules across keys (defensive: the shapes may be invalid, the schema reports those): clusters of
 * the stack; a namespace to discover that is neither a system nor a platform namespace; `namespaces`
 * and `excludeNamespaces` not both; no `scrape` entry taking the fallback job.
 */
export function scrapeAnnotationsConfigProblems(candidate: Record<string, unknown>): ConfigProblem[] {
    const a = candidate.scrapeAnnotations;
    if (!isObject(a)) return [];
    const problems: ConfigProblem[] = unknownEntryClusterProblems(candidate, a, ["scrapeAnnotations"]);
    if (Array.isArray(a.namespaces)) {
        const platform = platformNamespaces(candidate);
        const system = SYSTEM_NAMESPACE_PATTERNS.map((p) => new RegExp(`^(?:${p})$`));
        a.namespaces.forEach((ns, j) => {
            if (typeof ns !== "string") return;
            if (platform.includes(ns) || system.some((re) => re.test(ns))) {
                problems.push({
                    path: ["scrapeAnnotations", "namespaces", j],
                    expected: `an application namespace: not the platform's own (${platform.join(", ")}) nor a Kubernetes or GKE system one, whose pods the charts' monitors scrape`,
                    given: ns,
                });
            }
        });
        if (a.excludeNamespaces !== undefined) {
            problems.push({
                path: ["scrapeAnnotations", "excludeNamespaces"],
                expected: "nothing when namespaces is set (only the namespaces listed there are discovered)",
                given: a.excludeNamespaces,
            });
        }
    }
    if (a.enabled === true && Array.isArray(candidate.scrape)) {
        candidate.scrape.forEach((t, i) => {
            if (isObject(t) && t.name === ANNOTATED_PODS_JOB) {
                problems.push({
                    path: ["scrape", i, "name"],
                    expected: `a job name other than "${ANNOTATED_PODS_JOB}", the job of discovered pods without an app label (scrapeAnnotations.enabled)`,
                    given: ANNOTATED_PODS_JOB,
                });
            }
        });
    }
    return problems;
}

/** The clusters whose Prometheus discovers annotated pods: none when off, else the listed ones or all. */
export function annotationDiscoveryClusters(settings: { readonly clusters: readonly { readonly name: string }[]; readonly scrapeAnnotations: ScrapeAnnotations }): readonly string[] {
    const a = settings.scrapeAnnotations;
    if (!a.enabled) return [];
    return a.clusters ?? settings.clusters.map((c) => c.name);
}
