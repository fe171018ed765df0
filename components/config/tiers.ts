// Each cost tier is a complete default settings object (the kube-prometheus idea): a stack picks a
// tier and overrides only the keys it cares about.
import type { MetricsBackend, ResourceSpec, Tier, TierPreset, Workload } from "./schema";

const res = (cpu: string, memory: string, memoryLimit: string): ResourceSpec => ({
    requests: { cpu, memory },
    limits: { memory: memoryLimit },
});

const minimalResources: Record<Workload, ResourceSpec> = {
    // About 3 kB per head series: 1Gi holds a small cluster's ~100k series with headroom.
    prometheus: res("200m", "1Gi", "2Gi"),
    alertmanager: res("10m", "32Mi", "128Mi"),
    prometheusOperator: res("50m", "64Mi", "256Mi"),
    prometheusConfigReloader: res("10m", "16Mi", "64Mi"),
    kubeStateMetrics: res("20m", "64Mi", "256Mi"),
    nodeExporter: res("20m", "32Mi", "64Mi"),
    grafana: res("50m", "128Mi", "512Mi"),
    grafanaSidecar: res("10m", "64Mi", "128Mi"),
    argocdController: res("100m", "256Mi", "1Gi"),
    argocdServer: res("20m", "64Mi", "256Mi"),
    argocdRepoServer: res("20m", "128Mi", "512Mi"),
    argocdApplicationSet: res("10m", "32Mi", "128Mi"),
    argocdNotifications: res("10m", "32Mi", "128Mi"),
    argocdDex: res("10m", "32Mi", "128Mi"),
    argocdRedis: res("10m", "32Mi", "128Mi"),
    // Logs and traces: together at most 1 CPU and 2Gi on a 3-node cluster (README, footprint).
    loki: res("200m", "448Mi", "1Gi"),
    lokiGateway: res("10m", "16Mi", "64Mi"),
    // Caches are off in this tier (loki.caches): these apply only when a stack turns them on.
    lokiChunksCache: res("50m", "256Mi", "320Mi"),
    lokiResultsCache: res("50m", "128Mi", "160Mi"),
    alloy: res("40m", "96Mi", "256Mi"),
    alloyConfigReloader: res("5m", "16Mi", "32Mi"),
    tempo: res("250m", "640Mi", "1536Mi"),
    otelGateway: res("50m", "160Mi", "320Mi"),
    otelOperator: res("20m", "64Mi", "192Mi"),
};

const longTermResources: Record<Workload, ResourceSpec> = {
    // Per replica. Sized for a few hundred thousand head series; Prometheus keeps only a short local
    // window when a long-term store takes the history.
    prometheus: res("500m", "3Gi", "6Gi"),
    alertmanager: res("20m", "64Mi", "256Mi"),
    prometheusOperator: res("100m", "128Mi", "512Mi"),
    prometheusConfigReloader: res("10m", "32Mi", "64Mi"),
    kubeStateMetrics: res("50m", "128Mi", "512Mi"),
    nodeExporter: res("30m", "32Mi", "128Mi"),
    grafana: res("100m", "256Mi", "1Gi"),
    grafanaSidecar: res("20m", "96Mi", "256Mi"),
    argocdController: res("250m", "512Mi", "2Gi"),
    argocdServer: res("50m", "128Mi", "512Mi"),
    argocdRepoServer: res("50m", "256Mi", "1Gi"),
    argocdApplicationSet: res("20m", "64Mi", "256Mi"),
    argocdNotifications: res("20m", "64Mi", "256Mi"),
    argocdDex: res("10m", "32Mi", "128Mi"),
    argocdRedis: res("50m", "64Mi", "256Mi"),
    // Logs and traces, per replica.
    loki: res("500m", "1Gi", "3Gi"),
    lokiGateway: res("20m", "32Mi", "128Mi"),
    // Memcached gets ~80% of its memory request as cache (see logs/loki.ts), instead of the chart's 8Gi.
    lokiChunksCache: res("100m", "1280Mi", "1536Mi"),
    lokiResultsCache: res("50m", "320Mi", "384Mi"),
    alloy: res("100m", "192Mi", "512Mi"),
    alloyConfigReloader: res("5m", "16Mi", "32Mi"),
    tempo: res("500m", "2Gi", "4Gi"),
    otelGateway: res("200m", "512Mi", "1Gi"),
    otelOperator: res("50m", "128Mi", "256Mi"),
};

const shared = {
    namespaces: { monitoring: "monitoring", logging: "logging", tracing: "tracing", gitops: "argocd" },
    // Sizes from the plan we follow: Loki 100Gi and Tempo 50Gi of persistent disk.
    loki: { storageGi: 100 },
    tempo: { storageGi: 50 },
    // SRE layer: no SLOs unless a stack declares its services; alert routing is the same everywhere.
    slos: [] as TierPreset["slos"],
    alerting: {
        runbookBaseUrl: "https://github.com/acme-corp/observability-platform/blob/main/docs/runbooks",
        slack: { alertsChannel: "#alerts", monitoringChannel: "#monitoring" },
    },
} as const;

// Health checks and probes, whose access-log lines are dropped when loki.dropHealthChecks is on.
const HEALTH_CHECK_PATHS = ["/healthz", "/readyz", "/livez", "/ready", "/health", "/metrics"];

export const TIER_PRESETS: Readonly<Record<Tier, TierPreset>> = {
    minimal: {
        ...structuredClone(shared),
        metricsBackend: "prometheus",
        storage: { diskType: "pd-balanced", lifecycleMarginDays: 7, stateHistoryDays: 30, protectBuckets: false },
        retention: { metricsDays: 15, logsDays: 30, tracesDays: 7 },
        prometheus: { replicas: 1, scrapeInterval: "30s", retentionDays: 15, storageGi: 20 },
        alertmanager: { replicas: 1, storageGi: 1, retentionHours: 120 },
        grafana: { storageGi: 5, ingress: { enabled: false } },
        argocd: { highAvailability: false },
        resources: minimalResources,
        // Cost estimate assumptions: a small cluster (about what 1Gi of Prometheus memory holds).
        cost: {
            compute: "e2-standard-4",
            activeSeries: 100_000,
            logsGbPerDay: 2,
            tracesGbPerDay: 0.5,
            // No buckets in this tier.
            storageClassAOpsPerMonth: 0,
            storageClassBOpsPerMonth: 0,
        },
        // One Loki on its disk (filesystem storage cannot be shared), no caches.
        loki: { ...shared.loki, deploymentMode: "Monolithic", replicas: 1, caches: false, dropHealthChecks: true, healthCheckPaths: [...HEALTH_CHECK_PATHS] },
        // Keep every trace: a development cluster's volume is small and each trace is worth seeing.
        otel: {
            sampling: { slowTraceThresholdMs: 1000, probabilisticPercent: 100, decisionWaitSeconds: 10 },
            instrumentationSamplingRatio: 1,
        },
    },
    "long-term": {
        ...structuredClone(shared),
        metricsBackend: "mimir",
        storage: { diskType: "pd-balanced", lifecycleMarginDays: 7, stateHistoryDays: 90, protectBuckets: true },
        // 13 months of metrics: a year-over-year comparison still has last year's month.
        retention: { metricsDays: 395, logsDays: 30, tracesDays: 7 },
        // Two replicas so a node drain never stops scraping; the local window only bridges the
        // long-term store's ingestion and serves the most recent queries.
        prometheus: { replicas: 2, scrapeInterval: "30s", retentionDays: 7, storageGi: 50 },
        alertmanager: { replicas: 3, storageGi: 2, retentionHours: 120 },
        grafana: { storageGi: 10, ingress: { enabled: false } },
        argocd: { highAvailability: true },
        resources: longTermResources,
        // Cost estimate assumptions: a few hundred thousand series (what Prometheus is sized for above);
        // 20 GB of logs a day is what one monolithic Loki serves. Mimir, Loki and Tempo write a
        // block or chunk object per tenant every few minutes to hours (Class A) and their queriers
        // and store gateways read many more (Class B).
        cost: {
            compute: "e2-standard-4",
            activeSeries: 500_000,
            logsGbPerDay: 20,
            tracesGbPerDay: 5,
            storageClassAOpsPerMonth: 2_000_000,
            storageClassBOpsPerMonth: 10_000_000,
        },
        // Monolithic HA: three replicas replicating each stream three times, sharing the buckets.
        loki: { ...shared.loki, deploymentMode: "Monolithic", replicas: 3, caches: true, dropHealthChecks: true, healthCheckPaths: [...HEALTH_CHECK_PATHS] },
        otel: {
            sampling: { slowTraceThresholdMs: 1000, probabilisticPercent: 10, decisionWaitSeconds: 10 },
            instrumentationSamplingRatio: 1,
        },
    },
};

/** Metrics backends each tier can run: minimal keeps everything on disks, long-term needs object storage. */
export const BACKENDS_BY_TIER: Readonly<Record<Tier, readonly MetricsBackend[]>> = {
    minimal: ["prometheus"],
    "long-term": ["mimir", "thanos"],
};

/** Prometheus' size-based retention must leave room for the WAL and compaction on its volume. */
export const MAX_RETENTION_SIZE_SHARE = 0.85;
