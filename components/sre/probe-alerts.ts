// Alerts on the certificates the hub's blackbox exporter sees (metrics/blackbox-exporter.ts): every
// `probes` entry over TLS (http_2xx on https, tls) and the platform's own certificates, from
// probe_ssl_earliest_cert_expiry (the earliest notAfter of the chain served, in Unix seconds). Only
// on the hub, where the exporter runs.
import type { Settings } from "../config/schema";
import { PLATFORM_PROBE_NAMES } from "../config/probes";
import { alertingRules, type AlertSpec } from "./alert-specs";
import { promString, type RuleGroup } from "./rules";

export const PROBE_RULE_GROUP = "probes";

const DAY = 24 * 3600;
const remaining = `min by (job, instance) (probe_ssl_earliest_cert_expiry) - time()`;

/**
 * Warning at 14 days; the page at 7, not cert-manager's 3 (sre/cert-manager-alerts.ts): no
 * controller renews these on its own. The fleet gateway's and the webhook's are renewed by a
 * `pulumi up`, a public URL's by whoever owns it, through a change or a CA order that takes days: a
 * week leaves that time, where 3 days can be a weekend.
 */
const alerts: AlertSpec[] = [
    {
        alert: "ProbedCertificateExpiringSoon",
        expr: `(${remaining}) < 14 * ${DAY}`,
        for: "1h",
        severity: "warning",
        summary: "A probed TLS certificate expires within 14 days",
        description: "The certificate {{ $labels.instance }} serves (probe {{ $labels.job }}) expires in {{ $value | humanizeDuration }}.",
    },
    // Same name: Alertmanager's inhibition mutes the warning while this pages.
    {
        alert: "ProbedCertificateExpiringSoon",
        expr: `(${remaining}) < 7 * ${DAY}`,
        for: "10m",
        severity: "critical",
        summary: "A probed TLS certificate expires within 7 days",
        description:
            "The certificate {{ $labels.instance }} serves (probe {{ $labels.job }}) expires in {{ $value | humanizeDuration }}; its clients will fail TLS handshakes once it does.",
    },
    {
        // The webhook probe exists on every hub: without its series the exporter or the Probes are
        // not running, and every expiry alert above is silent.
        alert: "BlackboxProbesAbsent",
        expr: `absent(probe_success{job=${promString(PLATFORM_PROBE_NAMES.otelOperatorWebhook)}})`,
        for: "15m",
        severity: "warning",
        labels: { job: PLATFORM_PROBE_NAMES.otelOperatorWebhook },
        summary: "The blackbox exporter's probes report nothing",
        description: "No probe_success of the OpenTelemetry operator's webhook probe for 15 minutes: the blackbox exporter or its Probes are down, and no certificate expiry alert can fire.",
    },
];

/** The probe rule group of one cluster: only the hub's exporter probes. */
export function probeAlertGroups(settings: Settings, cluster: string): RuleGroup[] {
    if (settings.clusters.find((c) => c.name === cluster)?.role !== "hub") return [];
    return [{ name: PROBE_RULE_GROUP, rules: alertingRules(settings, cluster, "probes", alerts) }];
}
