// Alerts on the certificates cert-manager manages, from the series its controller exports
// (certmanager_certificate_expiration_timestamp_seconds and certmanager_certificate_ready_status,
// both labelled with the Certificate's namespace and name). Only where the certManager preset is on,
// and only on the hub, whose Prometheus scrapes cert-manager under job "cert-manager": elsewhere
// CertManagerAbsent would fire for ever.
import type { Settings } from "../config/schema";
import { CERT_MANAGER_JOB } from "../config/cert-manager";
import { alertingRules, type AlertSpec } from "./alert-specs";
import { promString, type RuleGroup } from "./rules";

export const CERT_MANAGER_RULE_GROUP = "cert-manager";

const DAY = 24 * 3600;
// A Certificate whose Secret does not exist yet has no expiry to compare; CertificateNotReady covers it.
const remaining = `min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds > 0) - time()`;
// Unless its renewal is still ahead (status.renewalTime, 0 while unknown): a short-lived certificate,
// or one with a short renewBefore, is this close to expiry by design until cert-manager misses it.
const expiresWithin = (days: number) =>
    `(${remaining} < ${days} * ${DAY})\nunless on (namespace, name)\n(certmanager_certificate_renewal_timestamp_seconds > time())`;


const alerts = (namespace: string): AlertSpec[] => [
    {
        alert: "CertificateExpiringSoon",
        expr: expiresWithin(14),
        for: "1h",
        severity: "warning",
        summary: "A certificate expires within 14 days",
        description:
            "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}; cert-manager renews 30 days ahead by default, so its renewal is failing.",
    },
    // Same name: Alertmanager's inhibition mutes the warning while this pages.
    {
        alert: "CertificateExpiringSoon",
        expr: expiresWithin(3),
        for: "10m",
        severity: "critical",
        summary: "A certificate expires within 3 days",
        description:
            "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}; whatever serves it will fail TLS handshakes once it does.",
    },
    {
        alert: "CertificateNotReady",
        expr: `max by (namespace, name) (certmanager_certificate_ready_status{condition="False"}) == 1`,
        for: "10m",
        severity: "warning",
        summary: "A certificate is not ready",
        description: "Certificate {{ $labels.namespace }}/{{ $labels.name }} has had Ready=False for 10 minutes: it was not issued or renewed.",
    },
    {
        // Also when the target exists but cannot be scraped (up == 0): the expiry alerts then go silent.
        alert: "CertManagerAbsent",
        expr: `absent(up{job=${promString(CERT_MANAGER_JOB)}} == 1)`,
        for: "10m",
        severity: "warning",
        // absent() of a comparison carries no labels: name the job and where cert-manager runs.
        labels: { job: CERT_MANAGER_JOB, namespace },
        summary: "Prometheus scrapes no cert-manager",
        description:
            "No cert-manager controller has been scraped successfully for 10 minutes: certificates may not renew, and the certificate alerts cannot fire.",
    },
];

/** The cert-manager rule group for one cluster: none unless the preset is on and the cluster is the hub. */
export function certManagerAlertGroups(settings: Settings, cluster: string): RuleGroup[] {
    const hub = settings.clusters.find((c) => c.name === cluster)?.role === "hub";
    if (!settings.certManager.enabled || !hub) return [];
    return [{ name: CERT_MANAGER_RULE_GROUP, rules: alertingRules(settings, cluster, "cert-manager", alerts(settings.certManager.namespace)) }];
}
