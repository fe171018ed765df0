// Stack config of the SRE layer: the services' SLOs and how alerts reach people. The secrets
// (PagerDuty key, Slack webhooks, heartbeat URL) are deliberately NOT here: see ./secrets.ts.
import { RE2JS } from "re2js";
import { z } from "zod";
import { clusterNamesSchema, unknownClusterProblems } from "./cluster-names";
import { namespaceName } from "../kubernetes/names";
import { LONE_SURROGATE } from "./text";

export const SLO_KINDS = ["availability", "latency", "probe"] as const;

/** What a probe SLO reads: the blackbox exporter's 0/1 outcome of each probe (config/probes.ts). */
export const PROBE_SUCCESS_METRIC = "probe_success";
export const SLO_PERIODS = ["30d", "28d"] as const;
/** The period of an objective that names none. */
export const DEFAULT_PERIOD = "30d";

/**
 * The workbook's fastest page spends 2% of the period's budget in one hour: 14.4 times the
 * sustainable rate for 30 days, 13.44 for 28.
 */
export const fastestBurnRate = (period: unknown): number => 0.02 * 24 * (period === "28d" ? 28 : 30);

/** Names of services and of their SLOs (also what `npm run slo:gate` accepts). */
export const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const SLO_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;

const serviceName = z.string().regex(SERVICE_NAME, {
    error: "a service name: lowercase letters, digits and '-', starting with a letter",
});
const sloName = z.string().regex(SLO_NAME, {
    error: "an SLO name: lowercase letters, digits and '-', starting with a letter, such as \"availability\"",
});
const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, {
    error: "a Prometheus metric name such as \"http_requests_total\"",
});
// "__"-prefixed names are Prometheus' own: `__name__` here would set the metric name twice.
const labelName = /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/;
/**
 * A matcher's value goes into PromQL, alert annotations (Go templates) and Grafana queries (which
 * expand `$name`, `${name}` and `[[name]]`): a quote, a line break or a template delimiter in it
 * would be read as code there, and no label of a service's series needs one.
 */
const matcherValue = (what: string) =>
    z.string({ error: what }).refine((v) => !/["\n\r\0]|\{\{|\}\}|\$(\w|\{)|\[\[\w/.test(v), {
        error: `a ${what} without quotes, line breaks or template delimiters ({{, }}, $name, \${name}, [[name]])`,
    })
        // UTF-8 is all Prometheus stores; a YAML escape such as "\ud800" is not text in it.
        .refine((v) => !LONE_SURROGATE.test(v), { error: `a ${what} of valid Unicode text (a lone surrogate is not)` });
const selector = (what: string) =>
    z
        .record(z.string().regex(labelName, { error: 'a Prometheus label name not starting with "__" (the metric name is the metric key)' }), matcherValue(what), {
            error: `a map of label name to ${what}`,
        })
        .refine((m) => Object.keys(m).length > 0, { error: `at least one label (label name to ${what})` });
/**
 * A link people open from an alert: http(s), without credentials in it (it is copied into rules,
 * plan files and notifications), and not a template placeholder left unfilled.
 */
export const httpsUrl = z.url({ protocol: /^https?$/, error: "an http(s) URL" }).superRefine((value, ctx) => {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return; // The URL check itself reports it.
    }
    if (url.username !== "" || url.password !== "") {
        ctx.addIssue({ code: "custom", message: "an http(s) URL without a user or password in it (it is copied into rules, plan files and notifications)" });
    }
    // Copied as is into rule and Alertmanager YAML: what YAML cannot carry, or reads as a line
    // break, would break the file (a real URL percent-encodes these anyway).
    if (LONE_SURROGATE.test(value) || /[\u0000-\u0020\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/.test(value)) {
        ctx.addIssue({ code: "custom", message: "an http(s) URL without spaces, control characters or lone surrogates (percent-encode them)" });
    }
    if (/[{}<>$]|%7B|%7D|%3C|%3E/i.test(value)) {
        ctx.addIssue({ code: "custom", message: "an http(s) URL, not a template placeholder (no {, }, <, > or $)" });
    }
});


/**
 * Why `source` is not a regular expression Prometheus would accept, or undefined: compiled by RE2
 * itself (the re2js port), the engine of Prometheus, Loki and Grafana's Prometheus queries, so
 * what RE2 accepts (an inline `(?i)`) is accepted and what it refuses (lookaround, backreferences,
 * a repeat count over 1000) is refused with its message.
 */
export function re2Problem(source: string): string | undefined {
    try {
        RE2JS.compile(source);
        return undefined;
    } catch (err) {
        return `RE2, the engine of Prometheus, refuses it: ${(err as Error).message.replace(/^error parsing regexp: /, "")}`;
    }
}

/**
 * Why a pod regex is unusable, or undefined: it must be RE2 (above), and Grafana must not read part
 * of it as a dashboard variable ("$name", "${name}", "[[name]]"), which no pod name contains anyway.
 */
export function podRegexProblem(source: string): string | undefined {
    if (LONE_SURROGATE.test(source)) return "not valid Unicode text (a lone surrogate)";
    const re2 = re2Problem(source);
    if (re2 !== undefined) return re2;
    if (/\$(\w|\{)|\[\[\w+(:\w+)?\]\]/.test(source)) return "Grafana would read part of it as a dashboard variable";
    return undefined;
}

const podRegex = z.string({ error: 'a regular expression on the pod label, such as "checkout-.*"' }).superRefine((value, ctx) => {
    const why = podRegexProblem(value);
    if (why !== undefined) ctx.addIssue({ code: "custom", message: `a regular expression on the pod label, such as "checkout-.*" (${why})` });
});

export const objectiveSchema = z.strictObject({
    name: sloName,
    kind: z.enum(SLO_KINDS, { error: 'one of "availability" | "latency" | "probe"' }),
    // Percent of good events, e.g. 99.9. The cross-field check bounds it further (see sreConfigProblems).
    target: z
        .number({ error: "a target in percent such as 99.9" })
        .gt(0, { error: "a target in percent above 0 and below 100, such as 99.9" })
        .lt(100, { error: "a target in percent above 0 and below 100, such as 99.9" }),
    period: z.enum(SLO_PERIODS, { error: 'one of "30d" | "28d"' }).optional(),
    /**
     * availability: the request counter; latency: the histogram's base name (without _bucket/_count).
     * probe: none (probe_success; the cross-field check requires it for the other kinds).
     */
    metric: metricName.optional(),
    /** Equality matchers that select the service's series, e.g. {job: "api"}. probe: none (the probe's job). */
    selector: selector("label value").optional(),
    /** probe: the name of the `probes` entry whose probe_success the SLO reads. */
    probe: z.string({ error: "the name of an entry of probes" }).optional(),
    /** availability: regex matchers that pick the bad requests among those, e.g. {code: "5.."}. */
    errorSelector: selector("regular expression")
        .superRefine((matchers, ctx) => {
            for (const [label, source] of Object.entries(matchers)) {
                const why = re2Problem(source);
                if (why !== undefined) ctx.addIssue({ code: "custom", path: [label], message: `a regular expression (${why})` });
            }
        })
        .optional(),
    /** latency: requests at or under this many seconds are good. */
    thresholdSeconds: z.number({ error: "a number of seconds such as 0.3" }).positive({ error: "a positive number of seconds" }).optional(),
    /** latency: the `le` label value of the histogram bucket whose bound is thresholdSeconds, as exported ("0.3"). */
    bucket: z.string({ error: 'the histogram bucket\'s le label value as a string, such as "0.3"' }).optional(),
    /**
     * Opt-in: requests per second below which the service is alerted as losing its traffic (the
     * counters stop moving when requests no longer reach its pods). Off when absent.
     */
    minRequestRate: z
        .number({ error: "a rate in requests per second such as 0.5" })
        .positive({ error: "a positive rate in requests per second such as 0.5" })
        .optional(),
})
    // A probe SLO is an availability SLO on its probe's series: every probe of the job counts, and
    // the failed ones (probe_success 0) are the bad events (sre/slo-rules.ts). The other kinds' metric
    // and selector are required by sreConfigProblems, so the fallbacks here are never read for them.
    .transform((o) => ({
        ...o,
        metric: o.metric ?? PROBE_SUCCESS_METRIC,
        selector: o.selector ?? (o.probe !== undefined ? { job: o.probe } : {}),
    }));

export const serviceSloSchema = z.strictObject({
    service: serviceName,
    /** Team that owns the service and its budget (an alert label). */
    owner: z.string().regex(/^[a-z][-a-z0-9_]*$/, { error: "a team name: lowercase letters, digits, '-' or '_'" }),
    /** Runbook the SLO alerts link to. */
    runbookUrl: httpsUrl,
    objectives: z.array(objectiveSchema, { error: "a list of SLOs" }).min(1, { error: "at least one SLO" }),
    /**
     * Kubernetes namespace of the service's pods, for the saturation panels, deployment markers and
     * logs of its dashboards. Default: the `namespace` label the objectives' selectors share (the pods'
     * namespace when the metrics are scraped by a ServiceMonitor or PodMonitor), else the service name.
     */
    namespace: namespaceName("shop").optional(),
    /** Regex on the `pod` label selecting the service's pods (anchored, as in PromQL). Default: "<service>-.*". */
    podRegex: podRegex.optional(),
    /**
     * Clusters the service runs on (names from `clusters`). Default: the hub. A cluster that
     * evaluates SLO rules locally gets this service's only where it runs: elsewhere its SLI-missing
     * alerts would fire for a service that was never there.
     */
    clusters: clusterNamesSchema.optional(),
});

export const slosSchema = z.array(serviceSloSchema, { error: "a list of services with their SLOs" });

export const alertingSchema = z.strictObject({
    /** Where docs/runbooks/<AlertName>.md is browsable, e.g. the repository's blob URL. */
    runbookBaseUrl: httpsUrl,
    /** Grafana base URL for dashboard links in alerts (defaults to the Grafana ingress host). */
    grafanaUrl: httpsUrl.optional(),
    slack: z.strictObject({
        /** Warnings and copies of pages. */
        alertsChannel: z.string().regex(/^#[a-z0-9][-_a-z0-9]*$/, { error: 'a Slack channel such as "#alerts"' }),
        /** Informational alerts that never page. */
        monitoringChannel: z.string().regex(/^#[a-z0-9][-_a-z0-9]*$/, { error: 'a Slack channel such as "#monitoring"' }),
    }),
});

type Problem = { path: (string | number)[]; expected: string; given: unknown };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The label matchers every one of `selectors` has with the same value, keys sorted: what selects
 * the service itself when its SLOs select different subsets of its requests.
 */
export function sharedLabels(selectors: readonly Readonly<Record<string, unknown>>[]): Record<string, string> {
    if (selectors.length === 0) return {};
    const [first, ...rest] = selectors;
    const shared = Object.keys(first)
        .sort()
        .filter((k) => typeof first[k] === "string" && rest.every((s) => s[k] === first[k]));
    return Object.fromEntries(shared.map((k) => [k, first[k] as string]));
}

/**
 * Rules across keys of one SLO and across SLOs. Defensive: the shapes may themselves be invalid
 * (the schema reports those).
 */
export function sreConfigProblems(candidate: Record<string, unknown>): Problem[] {
    const problems: Problem[] = unknownClusterProblems(candidate, "slos");
    if (!Array.isArray(candidate.slos)) return problems;
    const services = new Set<unknown>();
    // "<service>-<slo>" is each SLO's id: its sloth_id label and its dashboard's uid.
    const ids = new Map<string, string>();
    candidate.slos.forEach((entry, i) => {
        if (!isObject(entry)) return;
        if (services.has(entry.service)) {
            problems.push({ path: ["slos", i, "service"], expected: "a service no other entry of slos has", given: entry.service });
        }
        services.add(entry.service);
        if (!Array.isArray(entry.objectives)) return;
        // The service's dashboards select its series by the labels all its SLOs select on (a probe
        // SLO's series are the exporter's, not the service's: they do not count).
        const own = entry.objectives.filter((o) => !(isObject(o) && o.kind === "probe"));
        const selectors = own.map((o) => (isObject(o) && isObject(o.selector) ? o.selector : undefined));
        if (selectors.length > 1 && selectors.every((s) => s !== undefined && Object.keys(s).length > 0)) {
            const present = selectors as Record<string, unknown>[];
            if (Object.keys(sharedLabels(present)).length === 0) {
                problems.push({
                    path: ["slos", i, "objectives"],
                    expected:
                        "SLOs whose selectors share at least one label with the same value, such as {job: \"api\"} in each " +
                        "(the service's dashboards select its series by the shared labels; put unrelated series under two service entries)",
                    given: Object.fromEntries(own.map((o, j) => [isObject(o) && typeof o.name === "string" ? o.name : String(j), present[j]])),
                });
            }
        }
        const names = new Set<unknown>();
        entry.objectives.forEach((o, j) => {
            if (!isObject(o)) return;
            const at = (key: string) => ["slos", i, "objectives", j, key];
            if (names.has(o.name)) problems.push({ path: at("name"), expected: "an SLO name unique within its service", given: o.name });
            names.add(o.name);
            if (typeof entry.service === "string" && typeof o.name === "string") {
                const id = `${entry.service}-${o.name}`;
                const other = ids.get(id);
                if (other !== undefined && other !== entry.service) {
                    problems.push({
                        path: at("name"),
                        expected: `an SLO name that does not make "${entry.service}-${o.name}" the id of SLO "${id.slice(other.length + 1)}" of service "${other}" too (the id names the SLO's series and dashboard)`,
                        given: o.name,
                    });
                }
                ids.set(id, ids.get(id) ?? entry.service);
            }
            if (typeof o.target === "number" && o.target > 0 && o.target < 100) {
                // A page needs the error ratio above 14.4 × budget (30 days): with a budget of 7% or
                // more that is above 100% and the page could never fire.
                const budget = (100 - o.target) / 100;
                const fastest = fastestBurnRate(o.period);
                if (fastest * budget >= 1) {
                    problems.push({
                        path: at("target"),
                        expected: `a target above ${(100 - 100 / fastest).toFixed(2)} (with a smaller target a ${Number(fastest.toFixed(6))}x burn exceeds 100% errors and the page could never fire)`,
                        given: o.target,
                    });
                }
                if (!/^\d+(\.\d{1,4})?$/.test(String(o.target))) {
                    problems.push({ path: at("target"), expected: "a target with at most 4 decimals, such as 99.95", given: o.target });
                }
            }
            if (o.kind === "probe") {
                if (o.probe === undefined) {
                    problems.push({ path: at("probe"), expected: "the name of the entry of probes whose success the SLO measures (a probe SLO)", given: undefined });
                } else if (typeof o.probe === "string") {
                    const declared = Array.isArray(candidate.probes) ? candidate.probes.flatMap((p) => (isObject(p) && typeof p.name === "string" ? [p.name] : [])) : [];
                    if (!declared.includes(o.probe)) {
                        problems.push({ path: at("probe"), expected: `the name of an entry of probes (${declared.length > 0 ? declared.join(", ") : "none declared"})`, given: o.probe });
                    }
                }
                for (const key of ["metric", "selector", "errorSelector", "thresholdSeconds", "bucket", "minRequestRate"]) {
                    if (o[key] !== undefined) problems.push({ path: at(key), expected: "nothing: a probe SLO reads probe_success of its probe's job", given: o[key] });
                }
            } else {
                for (const key of ["metric", "selector"]) {
                    if (o[key] === undefined) problems.push({ path: at(key), expected: key === "metric" ? 'a Prometheus metric name such as "http_requests_total"' : 'label matchers that select the service\'s series, such as {job: "api"}', given: undefined });
                }
                if (o.probe !== undefined) problems.push({ path: at("probe"), expected: 'nothing: only a probe SLO (kind "probe") names a probe', given: o.probe });
            }
            if (o.kind === "availability") {
                if (o.errorSelector === undefined) {
                    problems.push({ path: at("errorSelector"), expected: 'regex matchers for the failed requests (an availability SLO), such as {code: "5.."}', given: undefined });
                }
                for (const key of ["thresholdSeconds", "bucket"]) {
                    if (o[key] !== undefined) problems.push({ path: at(key), expected: "nothing: only latency SLOs have a threshold", given: o[key] });
                }
            }
            if (o.kind === "latency") {
                if (o.thresholdSeconds === undefined) {
                    problems.push({ path: at("thresholdSeconds"), expected: "the latency threshold in seconds (a latency SLO), such as 0.3", given: undefined });
                }
                if (o.bucket === undefined) {
                    problems.push({ path: at("bucket"), expected: 'the le label value of the histogram bucket at the threshold (a latency SLO), such as "0.3"', given: undefined });
                } else if (typeof o.bucket === "string" && typeof o.thresholdSeconds === "number" && Number(o.bucket) !== o.thresholdSeconds) {
                    problems.push({
                        path: at("bucket"),
                        expected: `the le value of a histogram bucket bound equal to thresholdSeconds ${o.thresholdSeconds} (the threshold must be a bucket bound)`,
                        given: o.bucket,
                    });
                }
                if (o.errorSelector !== undefined) {
                    problems.push({ path: at("errorSelector"), expected: "nothing: a latency SLO counts slow requests, not failed ones", given: o.errorSelector });
                }
            }
        });
    });
    return problems;
}
