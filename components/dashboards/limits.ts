// Cardinality and volume: which jobs add the most series to Prometheus and which streams the most
// bytes to Loki, how close each target and the tenant are to their limits (config/limits.ts). Cheap
// on purpose: series per job come from Prometheus' own per-scrape series (one sample per target),
// never from counting every series (`count by (job) ({__name__=~".+"})` reads the whole head).
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import type { LimitsDashboardInput, PlatformComponent } from "./inputs";
import { baseDashboard, CLUSTER, clusterVariable, DS, finish, FOLDERS, lokiQuery, promInstant, promQuery, steps, tablePanel, timeSeries, type DashboardDefinition } from "./kit";

export const LIMITS_DASHBOARD_UID = "platform-cardinality";

const RATE = "[$__rate_interval]";

export function limitsDashboard(input: LimitsDashboardInput, components: ReadonlySet<PlatformComponent>): DashboardDefinition {
    const warn = input.alertAtPercent / 100;
    let b = baseDashboard(
        LIMITS_DASHBOARD_UID,
        "Cardinality and volume",
        "Series per scrape job and log bytes per stream, and how close targets, Loki and Mimir are to their limits " +
            `(the limit alerts fire at ${input.alertAtPercent}%).`,
        ["platform", "limits"],
    )
        .withVariable(clusterVariable())
        .withRow(new dashboard.RowBuilder("Prometheus: series by job"))
        .withPanel(
            timeSeries(
                "Top jobs by samples per scrape",
                "short",
                "Samples each job's targets return per scrape after metric relabeling, summed over its targets: about the series it keeps in the head.",
            ).withTarget(promQuery(`topk(10, sum by (cluster, job) (scrape_samples_post_metric_relabeling{${CLUSTER}}))`, "{{cluster}} {{job}}")),
        )
        .withPanel(
            timeSeries(
                "Top jobs by new series",
                "short",
                "Series created per hour by each job: high churn (pod names, request ids in labels) costs memory even when the count per scrape is flat.",
            ).withTarget(promQuery(`topk(10, sum by (cluster, job) (sum_over_time(scrape_series_added{${CLUSTER}}[1h])))`, "{{cluster}} {{job}}")),
        )
        .withPanel(
            tablePanel(
                "Targets closest to their sample limit",
                "Share of its sample limit each target returns per scrape (the monitor's own or the enforced ceiling). At 100% its scrapes fail whole.",
            )
                .withTarget(promInstant(`topk(20, scrape_samples_post_metric_relabeling{${CLUSTER}} / (scrape_sample_limit{${CLUSTER}} > 0))`))
                .unit("percentunit")
                .thresholds(steps("green", [warn, "orange"], [1, "red"])),
        )
        .withPanel(
            timeSeries("Head series per Prometheus", "short", "Series in each Prometheus' head block: what its memory holds.").withTarget(
                promQuery(`sum by (cluster, pod) (prometheus_tsdb_head_series{${CLUSTER}})`, "{{cluster}} {{pod}}"),
            ),
        );

    if (components.has("loki")) {
        const l = input.loki;
        b = b
            .withRow(new dashboard.RowBuilder("Loki: bytes by stream"))
            .withPanel(
                timeSeries(
                    "Top streams by bytes",
                    "Bps",
                    "Log bytes per second of the 10 largest streams (namespace, pod, container). Loki reads the lines of the range to compute it: keep the range short.",
                )
                    .datasource(DS.logs)
                    // At least one matcher that cannot match an empty value, as Loki requires.
                    .withTarget(lokiQuery(`topk(10, sum by (namespace, pod, container) (bytes_rate({namespace=~".+", ${CLUSTER}} [$__auto])))`, "{{namespace}}/{{pod}} {{container}}")),
            )
            .withPanel(
                timeSeries("Tenant ingestion against its limit", "Bps", `Bytes per second the tenant pushes, and limits.logs.ingestionRateMb (${l.ingestionRateMb} MiB/s).`)
                    .withTarget(promQuery(`sum by (tenant) (rate(loki_distributor_bytes_received_total${RATE}))`, "{{tenant}}"))
                    .withTarget(promQuery(`vector(${Math.round(l.ingestionRateMb * 1024 * 1024)})`, "limit")),
            )
            .withPanel(
                timeSeries("Active streams against the limit", "short", `Streams held by the ingesters (once per replica, divided out), and limits.logs.maxGlobalStreamsPerTenant.`)
                    .withTarget(promQuery(`sum by (tenant) (loki_ingester_memory_streams) / ${l.replicationFactor}`, "{{tenant}}"))
                    .withTarget(promQuery(`vector(${l.maxStreams})`, "limit")),
            )
            .withPanel(
                timeSeries("Discarded lines by reason", "short", "Lines Loki refused per second, by the limit that refused them.").withTarget(
                    promQuery(`sum by (tenant, reason) (rate(loki_discarded_samples_total${RATE}))`, "{{tenant}} {{reason}}"),
                ),
            );
    }

    if (components.has("mimir") && input.mimir) {
        const m = input.mimir;
        b = b
            .withRow(new dashboard.RowBuilder("Mimir: tenant series"))
            .withPanel(
                timeSeries("Tenant series against the limit", "short", `In-memory series per tenant (once per replica, divided out), and mimir.maxGlobalSeriesPerTenant.`)
                    .withTarget(
                        promQuery(
                            `sum by (user) (cortex_ingester_memory_series_created_total - cortex_ingester_memory_series_removed_total) / ${m.replicationFactor}`,
                            "{{user}}",
                        ),
                    )
                    .withTarget(promQuery(`vector(${m.maxSeries})`, "limit")),
            )
            .withPanel(
                timeSeries("Discarded samples by reason", "short", "Samples Mimir refused per second, by the limit that refused them.").withTarget(
                    promQuery(`sum by (user, reason) (rate(cortex_discarded_samples_total${RATE}))`, "{{user}} {{reason}}"),
                ),
            );
    }
    return finish(b, FOLDERS.platform);
}
