// Small helpers over the Grafana Foundation SDK builders that every dashboard shares: datasource
// references by provisioned UID, typed query builders, the `cluster` variable, common panel shapes,
// and the final step that makes the JSON deterministic (panel ids, refIds, sorted keys).
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as gauge from "@grafana/grafana-foundation-sdk/gauge";
import * as loki from "@grafana/grafana-foundation-sdk/loki";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as tempo from "@grafana/grafana-foundation-sdk/tempo";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { DATASOURCE_UIDS } from "../grafana/datasource";
import { queryString } from "../sre/escape";

/** Datasource references by the UIDs the platform provisions (components/grafana/datasources.ts). */
export const DS = {
    metrics: { type: "prometheus", uid: DATASOURCE_UIDS.metrics },
    logs: { type: "loki", uid: DATASOURCE_UIDS.logs },
    traces: { type: "tempo", uid: DATASOURCE_UIDS.traces },
} as const satisfies Record<string, common.DataSourceRef>;

/** Grafana folders the dashboards are filed in (sidecar folder annotation). */
export const FOLDERS = {
    services: "Services",
    slo: "SLOs",
    platform: "Platform",
    delivery: "Delivery",
} as const;
export type Folder = (typeof FOLDERS)[keyof typeof FOLDERS];

/** A built dashboard: its stable uid, folder and the JSON model Grafana loads. */
export interface DashboardDefinition {
    readonly uid: string;
    readonly title: string;
    readonly folder: Folder;
    readonly model: dashboard.Dashboard;
}

/**
 * Matcher for the `cluster` label. The variable's "All" value is `.*`, which also matches series
 * without the label: a single-cluster Prometheus queried directly has no `cluster` label (external
 * labels are only added on remote write, federation and Thanos Query), so "All" still shows its data.
 */
export const CLUSTER = 'cluster=~"$cluster"';

export function clusterVariable(): dashboard.QueryVariableBuilder {
    return new dashboard.QueryVariableBuilder("cluster")
        .label("Cluster")
        .datasource(DS.metrics)
        .query("label_values(up, cluster)")
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
        .sort(dashboard.VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue(".*")
        .current({ text: "All", value: "$__all", selected: true });
}

export function promQuery(expr: string, legend?: string): prometheus.DataqueryBuilder {
    const q = new prometheus.DataqueryBuilder().datasource(DS.metrics).editorMode(prometheus.QueryEditorMode.Code).expr(expr);
    return legend === undefined ? q : q.legendFormat(legend);
}

/** An instant query, for stats, gauges and tables. */
export function promInstant(expr: string, legend?: string): prometheus.DataqueryBuilder {
    return promQuery(expr, legend).instant().format(prometheus.PromQueryFormat.Table);
}

export function lokiQuery(expr: string, legend?: string): loki.DataqueryBuilder {
    const q = new loki.DataqueryBuilder().datasource(DS.logs).editorMode(loki.QueryEditorMode.Code).expr(expr);
    return legend === undefined ? q : q.legendFormat(legend);
}

export function traceqlQuery(query: string, limit = 20): tempo.DataqueryBuilder {
    return new tempo.DataqueryBuilder().datasource(DS.traces).queryType(tempo.TempoQueryType.Traceql).query(query).limit(limit);
}

const legendList = () =>
    new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom);

export function timeSeries(title: string, unit: string, description: string): timeseries.PanelBuilder {
    return new timeseries.PanelBuilder()
        .title(title)
        .description(description)
        .datasource(DS.metrics)
        .unit(unit)
        .legend(legendList())
        .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
        .fillOpacity(10)
        .lineWidth(1)
        .height(8)
        .span(12);
}

/** Threshold steps: the first color applies from -Infinity (Grafana's `null` base step). */
export function steps(base: string, ...rest: [number, string][]): dashboard.ThresholdsConfigBuilder {
    return new dashboard.ThresholdsConfigBuilder()
        .mode(dashboard.ThresholdsMode.Absolute)
        .steps([{ value: null, color: base }, ...rest.map(([value, color]) => ({ value, color }))]);
}

export function statPanel(title: string, unit: string, description: string): stat.PanelBuilder {
    return new stat.PanelBuilder()
        .title(title)
        .description(description)
        .datasource(DS.metrics)
        .unit(unit)
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
        .colorMode(common.BigValueColorMode.Value)
        .graphMode(common.BigValueGraphMode.None)
        .height(5)
        .span(6);
}

export function gaugePanel(title: string, unit: string, description: string): gauge.PanelBuilder {
    return new gauge.PanelBuilder()
        .title(title)
        .description(description)
        .datasource(DS.metrics)
        .unit(unit)
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
        .showThresholdMarkers(true)
        .height(8)
        .span(6);
}

export function tablePanel(title: string, description: string): table.PanelBuilder {
    return new table.PanelBuilder().title(title).description(description).datasource(DS.metrics).height(8).span(24);
}

/**
 * A double-quoted string literal for PromQL, LogQL or TraceQL (all use Go's escapes): values from
 * inputs may hold backslashes (regexes), quotes, or `$` that Grafana must not read as a variable.
 */
export const quote = queryString;

/**
 * Annotation marking each successful Argo CD sync of an application deploying into `namespace`:
 * deployments drawn over the service's signals. The sync counter is joined with the application's
 * info series on (cluster, name), the only labels both carry unchanged (`namespace` is the target's).
 */
export function deploymentsAnnotation(namespace: string): dashboard.AnnotationQueryBuilder {
    return new dashboard.AnnotationQueryBuilder()
        .name("Deployments")
        .datasource(DS.metrics)
        .enable(true)
        .iconColor("blue")
        .step("2m")
        .titleFormat("Synced {{name}}")
        .expr(
            `sum by (cluster, name) (increase(argocd_app_sync_total{phase="Succeeded", ${CLUSTER}}[2m])) ` +
                `* on (cluster, name) group_left () ` +
                `max by (cluster, name) (argocd_app_info{dest_namespace=${quote(namespace)}, ${CLUSTER}}) > 0`,
        );
}

export { dashboardUid } from "../grafana/dashboard-uids";

/**
 * Builds the dashboard and fixes everything Grafana would otherwise fill in on load (and so show as
 * a diff): sequential panel ids, refIds A, B, C... per panel, the built-in annotations entry.
 */
export function finish(builder: dashboard.DashboardBuilder, folder: Folder): DashboardDefinition {
    const model = builder.build();
    let id = 0;
    const number = (panels: unknown[] | undefined) => {
        for (const p of (panels ?? []) as Record<string, any>[]) {
            p.id = ++id;
            (p.targets as Record<string, any>[] | undefined)?.forEach((t, i) => {
                t.refId = String.fromCharCode(65 + i);
            });
            number(p.panels);
        }
    };
    number(model.panels as unknown[]);
    const annotations = (model.annotations?.list ?? []) as unknown as Record<string, unknown>[];
    model.annotations = {
        list: [
            {
                builtIn: 1,
                datasource: { type: "grafana", uid: "-- Grafana --" },
                enable: true,
                hide: true,
                iconColor: "rgba(0, 211, 255, 1)",
                name: "Annotations & Alerts",
                type: "dashboard",
            },
            ...annotations,
        ] as unknown as dashboard.AnnotationQuery[],
    };
    if (!model.uid) throw new Error(`dashboard "${model.title}" has no uid`);
    return { uid: model.uid, title: model.title ?? model.uid, folder, model };
}

/** The dashboard JSON as the sidecar loads it: keys sorted, so the output is byte-for-byte stable. */
export function dashboardJson(definition: DashboardDefinition): string {
    return `${JSON.stringify(sortKeys(definition.model), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}

/** Starts a dashboard with the settings every platform dashboard shares. */
export function baseDashboard(uid: string, title: string, description: string, tags: string[]): dashboard.DashboardBuilder {
    return new dashboard.DashboardBuilder(title)
        .uid(uid)
        .description(description)
        .tags(["observability-platform", ...tags])
        // Provisioned from code with UI updates disallowed: changes go through the repository.
        .readonly()
        .timezone("utc")
        .time({ from: "now-6h", to: "now" })
        .refresh("1m")
        .tooltip(dashboard.DashboardCursorSync.Crosshair);
}
