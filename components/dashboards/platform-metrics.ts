// Which metrics each platform component produces, as far as the dashboards use them, and which chart
// installs which component. Tests check every metric a dashboard queries against this list (plus the
// SLO rules and the services' own instrumentation), and that the component is installed by a chart
// the plan deploys: a renamed metric or a dropped chart fails there, not on a blank panel.
import type { PlatformComponent } from "./inputs";

export const PLATFORM_METRICS: Readonly<Record<PlatformComponent, readonly string[]>> = {
    // Prometheus itself: synthetic scrape series, rule evaluation and alert state, TSDB, remote write.
    prometheus: [
        "up",
        "ALERTS",
        "ALERTS_FOR_STATE",
        "prometheus_tsdb_head_samples_appended_total",
        "prometheus_tsdb_head_series",
        "prometheus_rule_evaluation_failures_total",
        "prometheus_remote_storage_samples_total",
        "prometheus_remote_storage_samples_failed_total",
        "prometheus_remote_storage_highest_timestamp_in_seconds",
        "prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
        // Per-target scrape series; scrape_sample_limit needs the extra-scrape-metrics feature.
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
        "scrape_sample_limit",
    ],
    alertmanager: ["alertmanager_notifications_total", "alertmanager_notifications_failed_total"],
    "kube-state-metrics": [
        "kube_pod_info",
        "kube_pod_container_resource_requests",
        "kube_pod_container_resource_limits",
        "kube_pod_container_status_restarts_total",
        "kube_pod_status_phase",
        "kube_node_status_condition",
    ],
    "node-exporter": ["node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes"],
    // The kubelet's own endpoint (volume stats) and its cAdvisor endpoint (containers).
    kubelet: [
        "kubelet_volume_stats_used_bytes",
        "kubelet_volume_stats_capacity_bytes",
        "kubelet_volume_stats_available_bytes",
        "container_cpu_usage_seconds_total",
        "container_memory_working_set_bytes",
        "container_cpu_cfs_throttled_periods_total",
        "container_cpu_cfs_periods_total",
    ],
    argocd: ["argocd_app_info", "argocd_app_sync_total"],
    loki: [
        "loki_distributor_bytes_received_total",
        "loki_distributor_lines_received_total",
        "loki_discarded_samples_total",
        "loki_request_duration_seconds_count",
        "loki_ingester_memory_streams",
    ],
    tempo: ["tempo_distributor_spans_received_total", "tempo_discarded_spans_total", "tempo_request_duration_seconds_count"],
    mimir: [
        "cortex_distributor_received_samples_total",
        "cortex_discarded_samples_total",
        "cortex_request_duration_seconds_count",
        "cortex_ingester_memory_series",
        "cortex_ingester_memory_series_created_total",
        "cortex_ingester_memory_series_removed_total",
    ],
    thanos: [
        "thanos_shipper_uploads_total",
        "thanos_shipper_upload_failures_total",
        "thanos_objstore_bucket_operations_total",
        "thanos_objstore_bucket_operation_failures_total",
        "thanos_compact_halted",
    ],
    // Alloy's loki.write and its component controller.
    alloy: ["loki_write_sent_entries_total", "loki_write_dropped_entries_total", "alloy_component_controller_running_components"],
    // The OpenTelemetry Collector's internal telemetry (0.1xx names, counters with `_total`).
    "otel-collector": [
        "otelcol_receiver_accepted_spans_total",
        "otelcol_receiver_refused_spans_total",
        "otelcol_exporter_sent_spans_total",
        "otelcol_exporter_send_failed_spans_total",
        "otelcol_exporter_queue_size",
    ],
};

/** Components each chart (by chart name, as pinned in components/charts/pins.ts) installs. */
export const CHART_COMPONENTS: Readonly<Record<string, readonly PlatformComponent[]>> = {
    "kube-prometheus-stack": ["prometheus", "alertmanager", "kube-state-metrics", "node-exporter", "kubelet"],
    "argo-cd": ["argocd"],
    loki: ["loki"],
    tempo: ["tempo"],
    "tempo-distributed": ["tempo"],
    "mimir-distributed": ["mimir"],
    thanos: ["thanos"],
    alloy: ["alloy"],
    "opentelemetry-collector": ["otel-collector"],
};

/** Components installed by a set of charts (chart names). */
export function componentsOfCharts(charts: Iterable<string>): Set<PlatformComponent> {
    const out = new Set<PlatformComponent>();
    for (const chart of charts) for (const c of CHART_COMPONENTS[chart] ?? []) out.add(c);
    return out;
}
