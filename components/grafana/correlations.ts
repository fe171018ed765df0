// Loki and Tempo datasources and the links between the three pillars: metric exemplar -> trace,
// trace -> logs and metrics, log line -> trace. Grafana expands `$VAR` in provisioning files, so the
// `${__...}` variables Grafana resolves at query time are written `$${__...}` here.
import type { Settings } from "../config/schema";
import { tenantOf } from "../fleet/endpoints";
import { serviceUrl } from "../platform/services";
import { DATASOURCE_UIDS, type GrafanaDatasource } from "./datasource";

/** Structured-metadata key of a log line's trace id (set by Alloy and by Loki's OTLP ingestion). */
export const TRACE_ID_METADATA_KEY = "trace_id";

/** Span resource attributes -> Loki labels, for trace-to-logs queries. */
const SPAN_TO_LOG_LABELS = [
    { key: "cluster", value: "cluster" },
    { key: "k8s.namespace.name", value: "namespace" },
    { key: "k8s.pod.name", value: "pod" },
];

/** Multi-tenant stores need the stack's tenant on every query (not a secret: the stack's name). */
function tenantHeader(settings: Settings) {
    return {
        jsonData: { httpHeaderName1: "X-Scope-OrgID" },
        secureJsonData: { httpHeaderValue1: tenantOf(settings) },
    };
}

export function logsAndTracesDatasources(settings: Settings, uids: typeof DATASOURCE_UIDS): GrafanaDatasource[] {
    const tenant = tenantHeader(settings);
    return [
        {
            name: "Loki",
            uid: uids.logs,
            type: "loki",
            access: "proxy",
            url: serviceUrl(settings, "lokiGateway", "http"),
            isDefault: false,
            editable: false,
            jsonData: {
                ...tenant.jsonData,
                maxLines: 1000,
                derivedFields: [
                    {
                        name: "TraceID",
                        matcherType: "label",
                        matcherRegex: TRACE_ID_METADATA_KEY,
                        datasourceUid: uids.traces,
                        url: "$${__value.raw}",
                        urlDisplayLabel: "Open trace",
                    },
                ],
            },
            secureJsonData: tenant.secureJsonData,
        },
        {
            name: "Tempo",
            uid: uids.traces,
            type: "tempo",
            access: "proxy",
            url: serviceUrl(settings, "tempo", "query"),
            isDefault: false,
            editable: false,
            jsonData: {
                ...tenant.jsonData,
                tracesToLogsV2: {
                    datasourceUid: uids.logs,
                    spanStartTimeShift: "-5m",
                    spanEndTimeShift: "5m",
                    tags: SPAN_TO_LOG_LABELS,
                    filterByTraceID: true,
                    filterBySpanID: false,
                    customQuery: true,
                    query: `{$\${__tags}} | ${TRACE_ID_METADATA_KEY}="$\${__span.traceId}"`,
                },
                tracesToMetrics: {
                    datasourceUid: uids.metrics,
                    spanStartTimeShift: "-5m",
                    spanEndTimeShift: "5m",
                    tags: [{ key: "service.name", value: "service" }],
                    queries: [
                        { name: "Request rate", query: "sum(rate(traces_spanmetrics_calls_total{$$__tags}[5m]))" },
                        {
                            name: "Error rate",
                            query: 'sum(rate(traces_spanmetrics_calls_total{$$__tags,status_code="STATUS_CODE_ERROR"}[5m]))',
                        },
                        {
                            name: "p95 latency",
                            query: "histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket{$$__tags}[5m])))",
                        },
                    ],
                },
                serviceMap: { datasourceUid: uids.metrics },
                nodeGraph: { enabled: true },
                lokiSearch: { datasourceUid: uids.logs },
                search: { hide: false },
                // Tempo serves streaming over its HTTP port (stream_over_http_enabled).
                streamingEnabled: { search: true, metrics: true },
                traceQuery: { timeShiftEnabled: true, spanStartTimeShift: "-30m", spanEndTimeShift: "30m" },
            },
            secureJsonData: tenant.secureJsonData,
        },
    ];
}

/** Every (datasource uid, json path, target uid) link, for checks that each target exists. */
export function correlationTargets(datasources: readonly GrafanaDatasource[]): { from: string; via: string; to: string }[] {
    const out: { from: string; via: string; to: string }[] = [];
    const walk = (from: string, node: unknown, path: string[]) => {
        if (Array.isArray(node)) node.forEach((n, i) => walk(from, n, [...path, String(i)]));
        else if (typeof node === "object" && node !== null) {
            for (const [k, v] of Object.entries(node)) {
                if (k === "datasourceUid" && typeof v === "string") out.push({ from, via: path.join("."), to: v });
                else walk(from, v, [...path, k]);
            }
        }
    };
    for (const ds of datasources) walk(ds.uid, ds.jsonData, []);
    return out;
}
