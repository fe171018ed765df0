// Alerts before a cardinality or volume limit is hit (limits.alertAtPercent of it), one rule group in
// the platform's self-monitoring PrometheusRule. Once a limit is hit the data is gone: a scrape over
// its sample limit is dropped whole, Loki and Mimir refuse the push. kube-prometheus-stack's own
// PrometheusScrapeSampleLimitHit and PrometheusLabelLimitHit fire then; these fire before, and name
// the target, stream tenant or Mimir tenant.
import { MIMIR_REPLICATION_FACTOR } from "../config/long-term-rules";
import type { Settings } from "../config/schema";
import { backendProfile } from "../platform/backends";
import { lokiReplicationFactor } from "../logs/loki";
import { alertingRules, type AlertSpec } from "./alert-specs";
import { promString, type RuleGroup } from "./rules";

export const LIMITS_ALERT_GROUP = "observability-platform-limits";

/** Loki's ingestion_rate_mb is in MiB (it multiplies by 2^20). */
const MIB = 1024 * 1024;

/** The share as PromQL writes it: 80 -> 0.8 (a whole percentage divides to an exact short decimal). */
const share = (percent: number) => String(percent / 100);

/** Each Prometheus watches its own targets: every cluster gets these. */
function scrapeAlerts(settings: Settings): AlertSpec[] {
    const pct = settings.limits.alertAtPercent;
    return [
        {
            alert: "ScrapeTargetNearSampleLimit",
            // Both series carry exactly the target's labels, so they divide one to one. The limit is the
            // target's own, the enforced ceiling when its monitor sets none (0: no limit, left out). A
            // scrape over its limit still reports what it returned, so the alert stays on past 100%.
            expr: `scrape_samples_post_metric_relabeling\n/\n(scrape_sample_limit > 0)\n> ${share(pct)}`,
            for: "15m",
            severity: "warning",
            summary: `A scrape target is over ${pct}% of its sample limit`,
            description:
                "{{ $labels.job }} ({{ $labels.instance }}) in {{ $labels.namespace }} returns {{ $value | humanizePercentage }} of its sample limit per scrape; " +
                "past 100% every scrape of it fails and all its series go stale (this alert then stays on, naming it).",
        },
    ];
}

function lokiAlerts(settings: Settings): AlertSpec[] {
    const pct = settings.limits.alertAtPercent;
    const l = settings.limits.logs;
    const ns = `namespace=${promString(settings.namespaces.logging)}`;
    const by = "cluster, namespace, tenant";
    return [
        {
            alert: "LokiDiscardingLogs",
            // Every reason: rate_limited, per_stream_rate_limit, stream_limit, line_too_long, too old...
            expr: `sum by (${by}, reason) (rate(loki_discarded_samples_total{${ns}}[5m])) > 0`,
            for: "15m",
            severity: "warning",
            summary: "Loki refuses log lines at a limit",
            description: "Loki in {{ $labels.namespace }} discards {{ $value | humanize }} lines per second of tenant {{ $labels.tenant }} for reason {{ $labels.reason }}.",
        },
        {
            alert: "LokiIngestionNearRateLimit",
            expr: `sum by (${by}) (rate(loki_distributor_bytes_received_total{${ns}}[5m]))\n> ${share(pct)} * ${Math.round(l.ingestionRateMb * MIB)}`,
            for: "15m",
            severity: "warning",
            summary: `Loki receives over ${pct}% of the tenant's ingestion rate limit`,
            description: `Tenant {{ $labels.tenant }} pushes {{ $value | humanize }}B/s; the limit is ${l.ingestionRateMb} MiB/s, ${Math.round(l.ingestionRateMb * MIB)} B/s (limits.logs.ingestionRateMb); above it Loki refuses pushes.`,
        },
        {
            alert: "LokiStreamsNearLimit",
            // Each stream lives on replication-factor ingesters.
            expr: `sum by (${by}) (loki_ingester_memory_streams{${ns}}) / ${lokiReplicationFactor(settings)}\n> ${share(pct)} * ${l.maxGlobalStreamsPerTenant}`,
            for: "15m",
            severity: "warning",
            summary: `Loki holds over ${pct}% of the tenant's stream limit`,
            description: `Tenant {{ $labels.tenant }} has {{ $value | humanize }} active streams of ${l.maxGlobalStreamsPerTenant} (limits.logs.maxGlobalStreamsPerTenant); past it new streams are refused.`,
        },
    ];
}

function mimirAlerts(settings: Settings): AlertSpec[] {
    const pct = settings.limits.alertAtPercent;
    const m = settings.mimir;
    const ns = `namespace=${promString(settings.namespaces.monitoring)}`;
    const by = "cluster, namespace, user";
    return [
        {
            alert: "MimirSeriesNearLimit",
            // In-memory series per tenant (Mimir's own mixin counts them so), each on RF ingesters.
            expr:
                `sum by (${by}) (cortex_ingester_memory_series_created_total{${ns}} - cortex_ingester_memory_series_removed_total{${ns}})\n` +
                `/ ${MIMIR_REPLICATION_FACTOR}\n> ${share(pct)} * ${m.maxGlobalSeriesPerTenant}`,
            for: "15m",
            severity: "warning",
            summary: `Mimir holds over ${pct}% of the tenant's series limit`,
            description: `Tenant {{ $labels.user }} has {{ $value | humanize }} series of ${m.maxGlobalSeriesPerTenant} (mimir.maxGlobalSeriesPerTenant); past it new series are refused.`,
        },
        {
            alert: "MimirIngestionNearRateLimit",
            expr: `sum by (${by}) (rate(cortex_distributor_received_samples_total{${ns}}[5m]))\n> ${share(pct)} * ${m.ingestionRateSamplesPerSecond}`,
            for: "15m",
            severity: "warning",
            summary: `Mimir receives over ${pct}% of the tenant's ingestion rate limit`,
            description: `Tenant {{ $labels.user }} sends {{ $value | humanize }} samples/s of ${m.ingestionRateSamplesPerSecond} (mimir.ingestionRateSamplesPerSecond); above it Mimir answers 429 and remote write falls behind.`,
        },
        {
            alert: "MimirDiscardingSamples",
            // per_user_series_limit, per_metric_series_limit, rate_limited, max_label_names_per_series...
            expr: `sum by (${by}, reason) (rate(cortex_discarded_samples_total{${ns}}[5m])) > 0`,
            for: "15m",
            severity: "warning",
            summary: "Mimir refuses samples at a limit",
            description: "Mimir in {{ $labels.namespace }} discards {{ $value | humanize }} samples per second of tenant {{ $labels.user }} for reason {{ $labels.reason }}.",
        },
    ];
}

/** The group for one cluster: its own scrape targets everywhere; Loki's and Mimir's on the hub, where they run. */
export function limitsAlertGroups(settings: Settings, cluster: string): RuleGroup[] {
    const hub = settings.clusters.find((c) => c.role === "hub")?.name === cluster;
    const specs = [
        ...scrapeAlerts(settings),
        ...(hub ? lokiAlerts(settings) : []),
        ...(hub && backendProfile(settings).store?.tenantLimits ? mimirAlerts(settings) : []),
    ];
    return [{ name: LIMITS_ALERT_GROUP, rules: alertingRules(settings, cluster, "limits", specs) }];
}
