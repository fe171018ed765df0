// Platform health: a per-cluster fleet overview, ingestion rate and errors of every signal pipeline
// installed on the hub, and the platform's volumes (usage and time to full).
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { KUBERNETES_EVENTS_JOB } from "../logs/alloy";
import type { PlatformHealthInput } from "./inputs";
import {
    baseDashboard,
    CLUSTER,
    clusterVariable,
    DS,
    finish,
    FOLDERS,
    lokiQuery,
    promInstant,
    promQuery,
    quote,
    steps,
    tablePanel,
    timeSeries,
    type DashboardDefinition,
} from "./kit";

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export const PLATFORM_HEALTH_UID = "platform-health";

const RATE = "[$__rate_interval]";

/** Event reasons that mean a workload cannot run as declared. */
export const EVENT_REASONS = ["OOMKilling", "FailedScheduling", "BackOff", "Failed", "Evicted", "FailedMount", "Unhealthy"] as const;

/** `logsDatasource`: Loki is provisioned in Grafana, so the events panel has its source. */
export function platformHealthDashboard(input: PlatformHealthInput, logsDatasource = false): DashboardDefinition {
    const has = (c: Parameters<typeof input.components.has>[0]) => input.components.has(c);
    const ns = `namespace=~${quote(input.namespaces.map(escapeRegex).join("|"))}`;
    let b = baseDashboard(
        PLATFORM_HEALTH_UID,
        "Platform health",
        "Health of the observability platform itself: each cluster at a glance, the ingestion rate and " +
            "errors of every signal pipeline, and how soon the platform's volumes fill up.",
        ["platform"],
    ).withVariable(clusterVariable());

    if (has("prometheus") && has("kube-state-metrics")) {
        b = b.withRow(new dashboard.RowBuilder("Fleet")).withPanel(
            tablePanel("Clusters", "One row per cluster: scrape targets up, nodes ready, pods not running, critical alerts firing.")
                .withTarget(promInstant(`sum by (cluster) (up{${CLUSTER}}) / count by (cluster) (up{${CLUSTER}})`, "targets up"))
                .withTarget(
                    promInstant(
                        `sum by (cluster) (kube_node_status_condition{condition="Ready", status="true", ${CLUSTER}})`,
                        "nodes ready",
                    ),
                )
                .withTarget(
                    promInstant(
                        `sum by (cluster) (kube_pod_status_phase{phase=~"Pending|Failed|Unknown", ${CLUSTER}})`,
                        "pods not running",
                    ),
                )
                .withTarget(
                    promInstant(`count by (cluster) (ALERTS{alertstate="firing", severity="critical", ${CLUSTER}})`, "critical alerts"),
                )
                .withTransformation({ id: "merge", options: {} })
                .withTransformation({
                    id: "organize",
                    options: {
                        excludeByName: { Time: true },
                        renameByName: {
                            cluster: "Cluster",
                            "Value #A": "Targets up",
                            "Value #B": "Nodes ready",
                            "Value #C": "Pods not running",
                            "Value #D": "Critical alerts",
                        },
                    },
                })
                .overrideByName("Targets up", [{ id: "unit", value: "percentunit" }])
                .height(6),
        );
    }

    if (has("prometheus")) {
        b = b
            .withRow(new dashboard.RowBuilder("Prometheus"))
            .withPanel(
                timeSeries("Samples appended", "short", "Samples per second written to each Prometheus' TSDB head.").withTarget(
                    promQuery(`sum by (cluster, pod) (rate(prometheus_tsdb_head_samples_appended_total{${CLUSTER}}${RATE}))`, "{{cluster}} {{pod}}"),
                ),
            )
            .withPanel(
                timeSeries("Active series", "short", "Series in each Prometheus' head block (memory grows with it).").withTarget(
                    promQuery(`sum by (cluster, pod) (prometheus_tsdb_head_series{${CLUSTER}})`, "{{cluster}} {{pod}}"),
                ),
            )
            .withPanel(
                timeSeries("Targets down", "short", "Scrape targets that failed their last scrape, per job.").withTarget(
                    promQuery(`count by (cluster, job) (up{${CLUSTER}} == 0)`, "{{cluster}} {{job}}"),
                ),
            )
            .withPanel(
                timeSeries("Rule evaluation failures", "short", "Recording and alerting rule evaluations failing per second.").withTarget(
                    promQuery(`sum by (cluster, rule_group) (rate(prometheus_rule_evaluation_failures_total{${CLUSTER}}${RATE}))`, "{{cluster}} {{rule_group}}"),
                ),
            );
        if (input.prometheusRemoteWrite) {
            b = b
                .withPanel(
                    timeSeries("Remote write: samples", "short", "Samples per second sent to the long-term store, and failed.")
                        .withTarget(promQuery(`sum by (cluster) (rate(prometheus_remote_storage_samples_total{${CLUSTER}}${RATE}))`, "{{cluster}} sent"))
                        .withTarget(
                            promQuery(`sum by (cluster) (rate(prometheus_remote_storage_samples_failed_total{${CLUSTER}}${RATE}))`, "{{cluster}} failed"),
                        ),
                )
                .withPanel(
                    timeSeries("Remote write: lag", "s", "How far the newest sent sample is behind the newest appended one.")
                        .thresholds(steps("green", [120, "orange"], [600, "red"]))
                        .withTarget(
                            promQuery(
                                `max by (cluster, pod) (prometheus_remote_storage_highest_timestamp_in_seconds{${CLUSTER}}) - ` +
                                    `max by (cluster, pod) (prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${CLUSTER}})`,
                                "{{cluster}} {{pod}}",
                            ),
                        ),
                );
        }
    }
    if (has("alertmanager")) {
        b = b.withPanel(
            timeSeries("Alertmanager notifications", "short", "Notifications sent and failed per second, per integration.")
                .withTarget(promQuery(`sum by (integration) (rate(alertmanager_notifications_total{${CLUSTER}}${RATE}))`, "{{integration}} sent"))
                .withTarget(
                    promQuery(`sum by (integration) (rate(alertmanager_notifications_failed_total{${CLUSTER}}${RATE}))`, "{{integration}} failed"),
                ),
        );
    }
    if (has("mimir")) {
        b = b
            .withRow(new dashboard.RowBuilder("Mimir"))
            .withPanel(
                timeSeries("Mimir: samples received", "short", "Samples per second accepted by the distributors, and discarded by reason.")
                    .withTarget(promQuery(`sum(rate(cortex_distributor_received_samples_total${RATE}))`, "received"))
                    .withTarget(promQuery(`sum by (reason) (rate(cortex_discarded_samples_total${RATE}))`, "discarded: {{reason}}")),
            )
            .withPanel(
                timeSeries("Mimir: 5xx responses", "short", "Server errors per second by route (writes and queries).").withTarget(
                    promQuery(`sum by (route) (rate(cortex_request_duration_seconds_count{status_code=~"5.."}${RATE}))`, "{{route}}"),
                ),
            )
            .withPanel(
                timeSeries("Mimir: in-memory series", "short", "Series held by the ingesters.").withTarget(
                    promQuery("sum(cortex_ingester_memory_series)", "series"),
                ),
            );
    }
    if (has("thanos")) {
        b = b
            .withRow(new dashboard.RowBuilder("Thanos"))
            .withPanel(
                timeSeries("Thanos: block uploads", "short", "Blocks shipped to the bucket by the sidecars, and failures.")
                    .withTarget(promQuery(`sum by (cluster) (increase(thanos_shipper_uploads_total{${CLUSTER}}[1h]))`, "{{cluster}} uploaded"))
                    .withTarget(promQuery(`sum by (cluster) (increase(thanos_shipper_upload_failures_total{${CLUSTER}}[1h]))`, "{{cluster}} failed")),
            )
            .withPanel(
                timeSeries("Thanos: bucket operation errors", "percentunit", "Failed object storage operations / all, per component.")
                    .withTarget(
                        promQuery(
                            `sum by (job) (rate(thanos_objstore_bucket_operation_failures_total${RATE})) / sum by (job) (rate(thanos_objstore_bucket_operations_total${RATE}))`,
                            "{{job}}",
                        ),
                    )
                    .withTarget(promQuery("max(thanos_compact_halted)", "compactor halted")),
            );
    }
    if (has("loki")) {
        b = b
            .withRow(new dashboard.RowBuilder("Loki"))
            .withPanel(
                timeSeries("Loki: ingestion", "Bps", "Bytes per second received by the distributors, and discarded by reason.")
                    .withTarget(promQuery(`sum(rate(loki_distributor_bytes_received_total${RATE}))`, "received"))
                    .withTarget(promQuery(`sum by (reason) (rate(loki_discarded_samples_total${RATE}))`, "discarded lines: {{reason}}")),
            )
            .withPanel(
                timeSeries("Loki: lines and 5xx responses", "short", "Log lines received per second; server errors per second by route.")
                    .withTarget(promQuery(`sum(rate(loki_distributor_lines_received_total${RATE}))`, "lines"))
                    .withTarget(promQuery(`sum by (route) (rate(loki_request_duration_seconds_count{status_code=~"5.."}${RATE}))`, "5xx {{route}}")),
            );
    }
    if (has("loki") && logsDatasource) {
        // The events Alloy ships every cluster's events; these reasons are the first sign of a pod
        // that cannot run (the event alerts of logs/log-alerts.ts fire on their repeats).
        b = b.withRow(new dashboard.RowBuilder("Kubernetes events")).withPanel(
            timeSeries(
                "Failure events by reason",
                "short",
                "Kubernetes events per interval by reason, across the selected clusters: OOM kills, pods that cannot be scheduled, " +
                    "image pulls and containers backing off, evictions, failed mounts and probes.",
            )
                .datasource(DS.logs)
                .withTarget(
                    lokiQuery(
                        `sum by (cluster, reason) (count_over_time({job=${quote(KUBERNETES_EVENTS_JOB)}, ${CLUSTER}} | logfmt | reason=~${quote(EVENT_REASONS.join("|"))} [$__auto]))`,
                        "{{cluster}} {{reason}}",
                    ),
                )
                .span(24),
        );
    }
    if (has("tempo")) {
        b = b
            .withRow(new dashboard.RowBuilder("Tempo"))
            .withPanel(
                timeSeries("Tempo: spans", "short", "Spans per second received by the distributors, and discarded by reason.")
                    .withTarget(promQuery(`sum(rate(tempo_distributor_spans_received_total${RATE}))`, "received"))
                    .withTarget(promQuery(`sum by (reason) (rate(tempo_discarded_spans_total${RATE}))`, "discarded: {{reason}}")),
            )
            .withPanel(
                timeSeries("Tempo: 5xx responses", "short", "Server errors per second by route.").withTarget(
                    promQuery(`sum by (route) (rate(tempo_request_duration_seconds_count{status_code=~"5.."}${RATE}))`, "{{route}}"),
                ),
            );
    }
    if (has("alloy")) {
        b = b
            .withRow(new dashboard.RowBuilder("Alloy"))
            .withPanel(
                timeSeries("Alloy: log entries shipped", "short", "Entries per second sent to Loki, and dropped.")
                    .withTarget(promQuery(`sum by (cluster) (rate(loki_write_sent_entries_total{${CLUSTER}}${RATE}))`, "{{cluster}} sent"))
                    .withTarget(promQuery(`sum by (cluster) (rate(loki_write_dropped_entries_total{${CLUSTER}}${RATE}))`, "{{cluster}} dropped")),
            )
            .withPanel(
                timeSeries("Alloy: unhealthy components", "short", "Pipeline components not reporting healthy.").withTarget(
                    promQuery(
                        `sum by (cluster, health_type) (alloy_component_controller_running_components{health_type!="healthy", ${CLUSTER}})`,
                        "{{cluster}} {{health_type}}",
                    ),
                ),
            );
    }
    if (has("otel-collector")) {
        b = b
            .withRow(new dashboard.RowBuilder("OpenTelemetry Collector"))
            .withPanel(
                timeSeries("Collector: spans in", "short", "Spans per second accepted and refused by the receivers.")
                    .withTarget(promQuery(`sum by (cluster) (rate(otelcol_receiver_accepted_spans_total{${CLUSTER}}${RATE}))`, "{{cluster}} accepted"))
                    .withTarget(promQuery(`sum by (cluster) (rate(otelcol_receiver_refused_spans_total{${CLUSTER}}${RATE}))`, "{{cluster}} refused")),
            )
            .withPanel(
                timeSeries("Collector: spans out", "short", "Spans per second exported and failed; queue size.")
                    .withTarget(promQuery(`sum by (cluster) (rate(otelcol_exporter_sent_spans_total{${CLUSTER}}${RATE}))`, "{{cluster}} sent"))
                    .withTarget(promQuery(`sum by (cluster) (rate(otelcol_exporter_send_failed_spans_total{${CLUSTER}}${RATE}))`, "{{cluster}} failed"))
                    .withTarget(promQuery(`max by (cluster) (otelcol_exporter_queue_size{${CLUSTER}})`, "{{cluster}} queue")),
            );
    }
    if (has("kubelet")) {
        const used = `kubelet_volume_stats_used_bytes{${ns}, ${CLUSTER}}`;
        b = b
            .withRow(new dashboard.RowBuilder("Storage"))
            .withPanel(
                timeSeries("Volume usage", "percentunit", "Used / capacity of the platform's PersistentVolumeClaims.")
                    .thresholds(steps("green", [0.75, "orange"], [0.9, "red"]))
                    .max(1)
                    .withTarget(
                        promQuery(
                            `max by (cluster, namespace, persistentvolumeclaim) (${used} / kubelet_volume_stats_capacity_bytes{${ns}, ${CLUSTER}})`,
                            "{{cluster}} {{namespace}}/{{persistentvolumeclaim}}",
                        ),
                    ),
            )
            .withPanel(
                tablePanel(
                    "Time to full",
                    "Free space / growth rate over the last 6 hours, for volumes that are growing; blank when a volume is not growing.",
                )
                    .unit("s")
                    .span(12)
                    .thresholds(steps("red", [86400, "orange"], [7 * 86400, "green"]))
                    .withTarget(
                        promInstant(
                            `min by (cluster, namespace, persistentvolumeclaim) (kubelet_volume_stats_available_bytes{${ns}, ${CLUSTER}} / (deriv(${used}[6h]) > 0))`,
                        ),
                    ),
            );
    }
    return finish(b, FOLDERS.platform);
}
