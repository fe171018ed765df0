// Alerts on the platform itself: the pipelines that carry signals and the stores that keep them.
// Each links to docs/runbooks/<AlertName>.md. Alerts on stores a stack does not run would never
// fire, so only the backends the stack uses get theirs.
import type { ClusterSettings, Settings } from "../config/schema";
import { backendProfile, remoteWrites, type LongTermStore } from "../platform/backends";
import { rulerInUse } from "./evaluation";
import { alertingRules, type AlertSpec } from "./alert-specs";
import { promString, type RuleGroup } from "./rules";

type PlatformAlert = AlertSpec & { for: string };

const by = "cluster, namespace, job";

const remoteWrite: PlatformAlert[] = [
    {
        alert: "RemoteWriteFailing",
        expr:
            `sum by (${by}, remote_name, url) (rate(prometheus_remote_storage_samples_failed_total[5m]))\n/\n` +
            `sum by (${by}, remote_name, url) (rate(prometheus_remote_storage_samples_total[5m]))\n> 0.01`,
        for: "15m",
        severity: "critical",
        summary: "Prometheus fails to remote-write samples to the long-term store",
        description: "{{ $value | humanizePercentage }} of the samples {{ $labels.job }} sends to {{ $labels.remote_name }} fail; they are retried, then dropped.",
    },
    {
        alert: "RemoteWriteBehind",
        expr:
            `max by (${by}, remote_name, url) (prometheus_remote_storage_highest_timestamp_in_seconds)\n` +
            `- on (${by}) group_right\n` +
            `max by (${by}, remote_name, url) (prometheus_remote_storage_queue_highest_sent_timestamp_seconds)\n> 120`,
        for: "15m",
        severity: "warning",
        summary: "Prometheus remote write is falling behind",
        description: "{{ $labels.job }} is {{ $value | humanizeDuration }} behind in sending samples to {{ $labels.remote_name }}; its WAL must hold the gap.",
    },
];

const volumes = (settings: Settings): PlatformAlert => {
    const namespaces = [...new Set(Object.values(settings.namespaces))].sort().join("|");
    return {
        alert: "PlatformVolumeFillingUp",
        // Only volumes that are already half full and still growing, so a fresh, empty volume with
        // a steep start does not alert.
        expr:
            `(\n  kubelet_volume_stats_available_bytes{namespace=~${promString(namespaces)}}\n  / kubelet_volume_stats_capacity_bytes{namespace=~${promString(namespaces)}}\n) < 0.5\n` +
            `and\npredict_linear(kubelet_volume_stats_available_bytes{namespace=~${promString(namespaces)}}[6h], 4 * 24 * 3600) < 0`,
        for: "1h",
        severity: "warning",
        summary: "A platform volume is predicted to fill within 4 days",
        description: "PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} will be full within 4 days at the rate of the last 6 hours.",
    };
};

const loki: PlatformAlert[] = [
    {
        alert: "LokiIngestionErrors",
        expr:
            `sum by (cluster, namespace) (rate(loki_request_duration_seconds_count{route=~"loki_api_v1_push|api_prom_push|otlp_v1_logs", status_code=~"5.."}[5m]))\n/\n` +
            `sum by (cluster, namespace) (rate(loki_request_duration_seconds_count{route=~"loki_api_v1_push|api_prom_push|otlp_v1_logs"}[5m]))\n> 0.05`,
        for: "15m",
        severity: "critical",
        summary: "Loki rejects log pushes",
        description: "{{ $value | humanizePercentage }} of the pushes to Loki in {{ $labels.namespace }} fail with a server error; agents buffer, then drop logs.",
    },
    {
        alert: "LokiCompactionFailing",
        expr:
            `time() - max by (cluster, namespace) (loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds) > 3 * 3600\n` +
            `and\nmax by (cluster, namespace) (loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds) > 0`,
        for: "1h",
        severity: "warning",
        summary: "Loki's compactor has not compacted for 3 hours",
        description: "The last successful compaction in {{ $labels.namespace }} was {{ $value | humanizeDuration }} ago; retention is not applied and queries slow down.",
    },
];

const tempo: PlatformAlert[] = [
    {
        alert: "TempoIngestionErrors",
        expr:
            // Spans the receivers refused plus spans the distributor discarded (limits, too large),
            // over the spans the receivers accepted.
            `sum by (cluster, namespace) (rate({__name__=~"tempo_receiver_refused_spans(_total)?|tempo_discarded_spans_total"}[5m]))\n/\n` +
            `sum by (cluster, namespace) (rate({__name__=~"tempo_receiver_accepted_spans(_total)?"}[5m]))\n> 0.05`,
        for: "15m",
        severity: "warning",
        summary: "Tempo refuses or discards spans",
        description: "Tempo in {{ $labels.namespace }} refuses or discards {{ $value | humanizePercentage }} of the spans it receives.",
    },
    {
        alert: "TempoCompactionFailing",
        expr: `sum by (cluster, namespace) (increase(tempodb_compaction_errors_total[1h])) > 2`,
        for: "5m",
        severity: "warning",
        summary: "Tempo compactions fail",
        description: "Tempo in {{ $labels.namespace }} had {{ $value }} failed compactions in the last hour; block counts grow and queries slow down.",
    },
];

const mimir: PlatformAlert[] = [
    {
        alert: "MimirIngestionErrors",
        expr:
            `sum by (cluster, namespace) (rate(cortex_request_duration_seconds_count{route=~"/distributor.Distributor/Push|/httpgrpc.*|api_(v1|prom)_push|otlp_v1_metrics", status_code=~"5.."}[5m]))\n/\n` +
            `sum by (cluster, namespace) (rate(cortex_request_duration_seconds_count{route=~"/distributor.Distributor/Push|/httpgrpc.*|api_(v1|prom)_push|otlp_v1_metrics"}[5m]))\n> 0.01`,
        for: "15m",
        severity: "critical",
        summary: "Mimir rejects remote-write pushes",
        description: "{{ $value | humanizePercentage }} of the writes to Mimir in {{ $labels.namespace }} fail with a server error.",
    },
    {
        alert: "MimirCompactionFailing",
        expr:
            `(time() - max by (cluster, namespace) (cortex_compactor_last_successful_run_timestamp_seconds) > 24 * 3600)\n` +
            `and\n(max by (cluster, namespace) (cortex_compactor_last_successful_run_timestamp_seconds) > 0)`,
        for: "1h",
        severity: "critical",
        summary: "Mimir's compactor has not compacted for a day",
        description: "The last successful compaction in {{ $labels.namespace }} was {{ $value | humanizeDuration }} ago; queries over long ranges slow down and storage grows.",
    },
];

const thanosUpload: PlatformAlert = {
    alert: "ThanosUploadFailing",
    expr: `sum by (cluster, namespace, job) (rate(thanos_shipper_upload_failures_total[5m])) > 0`,
    for: "15m",
    severity: "critical",
    summary: "Thanos sidecar fails to upload blocks to the bucket",
    description: "{{ $labels.job }} in {{ $labels.namespace }} cannot upload TSDB blocks; history exists only on Prometheus' disk.",
};

const thanosCompaction: PlatformAlert = {
    alert: "ThanosCompactionHalted",
    expr: `max by (cluster, namespace, job) (thanos_compact_halted) == 1`,
    for: "5m",
    severity: "critical",
    summary: "Thanos compactor halted",
    description: "The compactor in {{ $labels.namespace }} halted on an error and compacts nothing until it is fixed.",
};

/**
 * The ruler that evaluates the SLO rules of a long-term stack (sre/evaluation.ts) fails to load,
 * evaluate or deliver them: the SLO alerts it holds would stay silent. Evaluated by the hub's
 * Prometheus, which scrapes the ruler, not by the ruler itself.
 */
const rulerFailing = (backend: LongTermStore["component"]): PlatformAlert => ({
    alert: "RulerFailing",
    expr:
        backend === "mimir"
            ? // Mimir's ruler (per-tenant metrics) and the Alloy that loads the rules into it.
              `sum by (${by}) (rate(cortex_prometheus_rule_evaluation_failures_total[5m])) > 0\nor\n` +
              `sum by (${by}) (rate(cortex_prometheus_notifications_errors_total[5m])) > 0\nor\n` +
              `sum by (${by}) (rate(mimir_rules_events_failed_total[5m])) > 0`
            : `sum by (${by}) (rate(prometheus_rule_evaluation_failures_total{job=~".*thanos-ruler.*"}[5m])) > 0\nor\n` +
              `sum by (${by}) (rate(thanos_alert_sender_errors_total{job=~".*thanos-ruler.*"}[5m])) > 0`,
    for: "15m",
    severity: "critical",
    summary: `The ${backend === "mimir" ? "Mimir ruler" : "Thanos Ruler"} fails to load, evaluate or deliver the SLO rules`,
    description: "{{ $labels.job }} in {{ $labels.namespace }} has failed rule loads, evaluations or notifications for 15 minutes: SLO alerts and budget series it holds may be missing.",
});

const collectors: PlatformAlert[] = [
    {
        alert: "AlloyDroppingData",
        // Logs the loki.write component gave up on, and samples prometheus.remote_write failed
        // to deliver (Alloy exports Prometheus' remote-write metrics; its job names contain "alloy").
        expr:
            `sum by (${by}) (rate(loki_write_dropped_entries_total[5m])) > 0\nor\n` +
            `sum by (${by}) (rate(prometheus_remote_storage_samples_failed_total{job=~".*alloy.*"}[5m])) > 0`,
        for: "10m",
        severity: "warning",
        summary: "Alloy drops logs or samples",
        description: "{{ $labels.job }} in {{ $labels.namespace }} drops {{ $value | humanize }} entries or samples per second it could not deliver.",
    },
    {
        alert: "CollectorDroppingData",
        expr: `sum by (${by}) (rate({__name__=~"otelcol_exporter_send_failed_(spans|metric_points|log_records)(_total)?"}[5m])) > 0`,
        for: "10m",
        severity: "warning",
        summary: "The OpenTelemetry collector fails to export data",
        description: "{{ $labels.job }} in {{ $labels.namespace }} fails to export {{ $value | humanize }} spans, metric points or log records per second.",
    },
];

const argocd: PlatformAlert[] = [
    {
        alert: "ArgoCDApplicationOutOfSync",
        expr: `max by (cluster, namespace, name, project) (argocd_app_info{sync_status="OutOfSync"}) == 1`,
        for: "30m",
        severity: "warning",
        summary: "An Argo CD application is out of sync",
        description: "Application {{ $labels.name }} (project {{ $labels.project }}) has differed from Git for 30 minutes.",
    },
    {
        alert: "ArgoCDApplicationDegraded",
        expr: `max by (cluster, namespace, name, project, health_status) (argocd_app_info{health_status=~"Degraded|Missing"}) == 1`,
        for: "15m",
        severity: "warning",
        summary: "An Argo CD application is degraded",
        description: "Application {{ $labels.name }} (project {{ $labels.project }}) is {{ $labels.health_status }}.",
    },
];

/**
 * Each long-term store's own alerts, by where their series are scraped: Thanos' sidecars, in every
 * cluster's Prometheus pods, upload each cluster's blocks; the store itself runs on the hub.
 */
const STORE_ALERTS: Readonly<Record<LongTermStore["component"], { readonly everyCluster: readonly PlatformAlert[]; readonly hub: readonly PlatformAlert[] }>> = {
    mimir: { everyCluster: [], hub: mimir },
    thanos: { everyCluster: [thanosUpload], hub: [thanosCompaction] },
};

/** The self-monitoring alerts that apply to this stack, by name. */
export function platformAlerts(settings: Settings, role: "hub" | "spoke"): PlatformAlert[] {
    const profile = backendProfile(settings);
    const hub = role === "hub";
    const store = profile.store && STORE_ALERTS[profile.store.component];
    return [
        // Where this cluster's Prometheus remote-writes: every cluster into Mimir, the spokes into the
        // hub's Prometheus (whose own samples stay local). A spoke's failing writes are its lost history.
        ...(remoteWrites(profile, role) ? remoteWrite : []),
        volumes(settings),
        // Loki, Tempo and the store's ruler run on the hub: only its Prometheus scrapes their series,
        // and a spoke's copy of their alerts could never fire.
        ...(hub ? [...loki, ...tempo] : []),
        ...(store ? [...store.everyCluster, ...(hub ? store.hub : [])] : []),
        // Only when the store's ruler holds SLO rules (the stack has SLOs).
        ...(hub && profile.store !== null && rulerInUse(settings, profile.slos.ruler) ? [rulerFailing(profile.store.component)] : []),
        ...collectors,
        ...argocd,
    ];
}

export function platformAlertGroups(settings: Settings, cluster: ClusterSettings): RuleGroup[] {
    return [
        {
            name: "observability-platform-self-monitoring",
            rules: alertingRules(settings, cluster.name, "observability-platform", platformAlerts(settings, cluster.role)),
        },
    ];
}
