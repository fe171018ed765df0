// Stack config of the probes: URLs and host:port endpoints the hub's blackbox exporter checks from
// inside the cluster, each under a job of its own that a probe SLO (config/slos.ts) selects.
import { z } from "zod";
import { duplicateNameProblems, shortName } from "../kubernetes/names";

/**
 * The modules a `probes` entry may name, as the blackbox exporter's config defines them
 * (metrics/blackbox-exporter.ts): an HTTP GET answered 2xx, a TCP connection, a verified TLS handshake.
 */
export const PROBE_MODULES = ["http_2xx", "tcp", "tls"] as const;
export type ProbeModule = (typeof PROBE_MODULES)[number];

/**
 * Names of the probes of the platform's own certificates (metrics/blackbox-exporter.ts): taken, so
 * that no `probes` entry shares their job or their Probe object.
 */
export const PLATFORM_PROBE_NAMES = {
    fleetGateway: "platform-fleet-gateway-tls",
    grafanaIngress: "platform-grafana-ingress-tls",
    otelOperatorWebhook: "platform-otel-operator-webhook-tls",
} as const;

// The name is the Probe object's and the `job` of its series.
const probeName = shortName("a probe name: a lowercase DNS label of letters, digits and '-', starting with a letter, at most 40 characters");
// host:port, the host a DNS name or an IPv4 address (what the tcp prober dials).
const HOST_PORT = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$/;
// Same bounds as a scrape target's: a probe is a scrape of the exporter, and sampled less often than
// every 2 minutes probe_success goes stale between samples.
const interval = z.string().regex(/^([1-9][0-9]*s|[12]m)$/, {
    error: 'a probe interval from "1s" to "2m", such as "30s" (longer and probe_success goes stale between probes)',
});
// Labels Prometheus or the platform set themselves: job is the probe's name, instance its URL, and
// cluster and stack are the external labels (metrics/kube-prometheus-stack.ts).
const RESERVED_LABELS = ["job", "instance", "cluster", "stack"];
const labelName = z
    .string()
    .regex(/^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'a Prometheus label name not starting with "__", such as "team"' })
    .refine((l) => !RESERVED_LABELS.includes(l), { error: `a label name other than ${RESERVED_LABELS.join(", ")} (set by Prometheus or the platform)` });
// Copied into alert labels and Grafana queries: no quotes, line breaks or template delimiters.
const labelValue = z
    .string({ error: "a label value" })
    .regex(/^[^"\\\n\r\0{}$]{1,128}$/, { error: "a label value of 1 to 128 characters without quotes, backslashes, line breaks, braces or $" });

export const probeSchema = z
    .strictObject({
        /** The Probe object's name and the `job` label of its series. */
        name: probeName,
        /** module http_2xx: an http(s) URL; tcp and tls: host:port. */
        url: z.string({ error: 'the URL to probe, such as "https://shop.example.com/healthz" (http_2xx) or "shop.example.com:443" (tcp, tls)' }),
        module: z.enum(PROBE_MODULES, { error: `one of ${PROBE_MODULES.map((m) => `"${m}"`).join(" | ")}` }),
        /** Default: prometheus.scrapeInterval. */
        interval: interval.optional(),
        /** Added to every series of the probe. */
        labels: z.record(labelName, labelValue, { error: 'a map of label name to value, such as {"team": "shop"}' }).optional(),
    })
    .superRefine((p, ctx) => {
        const problem = p.module === "http_2xx" ? httpUrlProblem(p.url) : HOST_PORT.test(p.url) ? undefined : 'host:port such as "shop.example.com:443" (the tcp and tls modules dial a port, not a URL)';
        if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["url"], message: problem });
    });

/** Why `value` is not a URL the http_2xx module should probe, or undefined. */
function httpUrlProblem(value: string): string | undefined {
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return 'an http(s) URL such as "https://shop.example.com/healthz" (the http_2xx module)';
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return 'an http(s) URL such as "https://shop.example.com/healthz" (the http_2xx module)';
    // The URL is the `instance` label of every series and sits in the Probe object in plain text.
    if (url.username !== "" || url.password !== "") return "an http(s) URL without a user or password in it (it becomes the instance label of the probe's series)";
    if (/[\s"'{}$\\]/.test(value)) return "an http(s) URL without spaces, quotes, braces, $ or backslashes (percent-encode them)";
    return undefined;
}

export const probesSchema = z.array(probeSchema, { error: "a list of probes" });

type Problem = { path: (string | number)[]; expected: string; given: unknown };

/** Rules across probes (defensive: the shapes may be invalid): unique names, none of the platform's own. */
export function probesConfigProblems(candidate: Record<string, unknown>): Problem[] {
    const problems = duplicateNameProblems(candidate, "probes", "a probe name no other probe has (it is the job label probe SLOs select)");
    if (!Array.isArray(candidate.probes)) return problems;
    const taken = Object.values(PLATFORM_PROBE_NAMES) as string[];
    candidate.probes.forEach((p, i) => {
        const name = typeof p === "object" && p !== null ? (p as { name?: unknown }).name : undefined;
        if (typeof name === "string" && taken.includes(name)) {
            problems.push({ path: ["probes", i, "name"], expected: `a name other than the platform's own probes' (${taken.join(", ")})`, given: name });
        }
    });
    return problems;
}
