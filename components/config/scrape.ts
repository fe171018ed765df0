// Stack config of the application scrape targets: the services whose /metrics the platform's
// Prometheus scrapes, each under a job name of its own that SLO selectors can rely on.
import { RE2JS } from "re2js";
import { z } from "zod";
import type { DeepReadonly } from "./deep-readonly";
import { clusterNamesSchema, unknownClusterProblems } from "./cluster-names";
import { DNS_1123_LABEL, duplicateNameProblems, namespaceName, shortName } from "../kubernetes/names";
import { re2Problem } from "./slos";
import { labelLimit, sampleLimit } from "./limits";

export const SCRAPE_KINDS = ["service", "pod"] as const;

// A job name is also the monitor's object name, so it is a DNS label.
const jobName = shortName("a job name: a lowercase DNS label of letters, digits and '-', starting with a letter, at most 40 characters");
const namespace = namespaceName("shop");
// Kubernetes label keys (an optional DNS-subdomain prefix) and values, as the API server checks them.
const labelKey = z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
    error: 'a Kubernetes label key such as "app.kubernetes.io/name"',
});
const labelValue = z.string({ error: "a Kubernetes label value" }).regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, {
    error: "a Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
});
// A Service port name is a DNS label; a container port name is also an IANA service name (below).
const portName = z.string().regex(DNS_1123_LABEL, {
    error: 'a port name (lowercase letters, digits and \'-\') such as "http", as the Service names its port',
});
const IANA_SERVICE_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/;
// Scraped less often than every 2 minutes, a series goes stale between samples (5 minutes) and the
// SLO rules' 5-minute rates would see a single sample.
export const scrapeInterval = z.string().regex(/^([1-9][0-9]*s|[12]m)$/, {
    error: 'a scrape interval from "1s" to "2m", such as "30s" (longer and series go stale between scrapes)',
});
const metricRegex = z.string({ error: 'a regular expression on metric names, such as "http_.*"' }).superRefine((value, ctx) => {
    const why = re2Problem(value);
    if (why !== undefined) ctx.addIssue({ code: "custom", message: `a regular expression on metric names, such as "http_.*" (${why})` });
});

export const scrapeTargetSchema = z
    .strictObject({
        /** The `job` label of every series scraped: what SLO selectors select. */
        name: jobName,
        /** Namespace of the Service (or pods); the monitor is created there. */
        namespace,
        /** Labels the Service (kind "service") or the pods (kind "pod") carry, all of which must match. */
        selector: z
            .record(labelKey, labelValue, { error: 'a map of label name to value, such as {"app.kubernetes.io/name": "api"}' })
            .refine((m) => Object.keys(m).length > 0, { error: "at least one label (an empty selector would scrape every Service in the namespace)" }),
        /** The Service's port name (kind "service") or the container's (kind "pod"). */
        port: portName,
        path: z.string().regex(/^\/[-A-Za-z0-9_./]*$/, { error: 'an HTTP path such as "/metrics"' }).default("/metrics"),
        /** Default: prometheus.scrapeInterval. */
        interval: scrapeInterval.optional(),
        kind: z.enum(SCRAPE_KINDS, { error: 'one of "service" | "pod"' }).default("service"),
        /** Clusters the service runs on (names from `clusters`); its monitor is created on each. Default: the hub. */
        clusters: clusterNamesSchema.optional(),
        /** Metric names kept (anchored regexes, any of which may match); every other series is dropped at scrape. */
        metricAllowList: z.array(metricRegex, { error: 'a list of regular expressions on metric names, such as ["http_.*"]' }).min(1, { error: "at least one regular expression (or leave the key out to keep every metric)" }).optional(),
        /** Default: limits.scrape.sampleLimit. A scrape with more samples (after the allow-list) fails whole. */
        sampleLimit: sampleLimit.optional(),
        /** Default: limits.scrape.labelLimit. A scrape with a sample of more labels fails whole. */
        labelLimit: labelLimit.optional(),
    })
    .superRefine((t, ctx) => {
        if (t.kind === "pod" && !IANA_SERVICE_NAME.test(t.port)) {
            ctx.addIssue({
                code: "custom",
                path: ["port"],
                message: "a container port name: at most 15 lowercase letters, digits and '-', with a letter and no '--' (Kubernetes' IANA service name rule)",
            });
        }
    });

export const scrapeSchema = z.array(scrapeTargetSchema, { error: "a list of scrape targets" });

type Problem = { path: (string | number)[]; expected: string; given: unknown };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The series names an SLO objective reads (what sre/slo-rules.ts queries). */
function seriesRead(objective: Record<string, unknown>): string[] {
    // A probe SLO reads the blackbox exporter's series, never a scrape target's.
    if (typeof objective.metric !== "string" || objective.kind === "probe") return [];
    return objective.kind === "latency" ? [`${objective.metric}_bucket`, `${objective.metric}_count`] : [objective.metric];
}

/**
 * Rules across targets and SLOs; defensive, since the shapes may themselves be invalid (the schema
 * reports those): unique job names, and no allow-list that drops the series an SLO of that job reads.
 */
export function scrapeConfigProblems(candidate: Record<string, unknown>): Problem[] {
    const problems = [
        ...duplicateNameProblems(candidate, "scrape", "a job name no other scrape target has (it is the job label SLOs select)"),
        ...unknownClusterProblems(candidate, "scrape"),
    ];
    if (!Array.isArray(candidate.scrape)) return problems;
    candidate.scrape.forEach((t, i) => {
        if (!isObject(t)) return;
        if (!Array.isArray(t.metricAllowList) || !t.metricAllowList.every((p) => typeof p === "string" && re2Problem(p) === undefined)) return;
        // Prometheus anchors a relabeling regex at both ends.
        const kept = t.metricAllowList.map((p) => RE2JS.compile(`^(?:${p as string})$`));
        const slos = Array.isArray(candidate.slos) ? candidate.slos : [];
        slos.forEach((entry, j) => {
            if (!isObject(entry) || !Array.isArray(entry.objectives)) return;
            entry.objectives.forEach((o, k) => {
                if (!isObject(o) || !isObject(o.selector) || o.selector.job !== t.name) return;
                if (o.selector.namespace !== undefined && o.selector.namespace !== t.namespace) return;
                const dropped = seriesRead(o).filter((s) => !kept.some((re) => re.matches(s)));
                if (dropped.length > 0) {
                    problems.push({
                        path: ["scrape", i, "metricAllowList"],
                        expected: `patterns that keep ${dropped.join(" and ")}, which SLO slos[${j}].objectives[${k}] of job ${t.name} reads`,
                        given: t.metricAllowList,
                    });
                }
            });
        });
    });
    return problems;
}

/** A scrape entry as the installers read it: the stack's own, or one a preset (certManager) declares. */
export type ScrapeTarget = DeepReadonly<z.output<typeof scrapeTargetSchema>> & {
    /** Keep the scraped series' own labels where they clash with the target's (Prometheus' honor_labels). */
    readonly honorLabels?: boolean;
};
