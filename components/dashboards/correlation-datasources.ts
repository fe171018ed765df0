// The datasource settings that make the three pillars link to each other in Grafana: exemplars on
// Prometheus panels open their trace in Tempo, a trace opens its logs in Loki (and its service's
// metrics), a log line's trace ID opens the trace. Applied to the provisioned datasources; a link is
// only added when the datasource it points at is provisioned too, and keys a datasource already
// sets are left as they are.
import { DATASOURCE_UIDS, type GrafanaDatasource } from "../grafana/datasources";

/** Exemplar label carrying the trace ID (OpenTelemetry SDKs and Prometheus client libraries). */
export const EXEMPLAR_TRACE_ID_LABEL = "trace_id";

type JsonData = Record<string, unknown>;

function correlationJsonData(uid: string, has: (uid: string) => boolean): JsonData {
    const { metrics, logs, traces } = DATASOURCE_UIDS;
    if (uid === metrics && has(traces)) {
        return { exemplarTraceIdDestinations: [{ name: EXEMPLAR_TRACE_ID_LABEL, datasourceUid: traces }] };
    }
    if (uid === traces) {
        return {
            ...(has(logs)
                ? {
                      // Logs of the trace: the trace's time span widened by a few minutes, lines containing its ID.
                      tracesToLogsV2: {
                          datasourceUid: logs,
                          spanStartTimeShift: "-5m",
                          spanEndTimeShift: "5m",
                          filterByTraceID: true,
                          filterBySpanID: false,
                          tags: [{ key: "k8s.namespace.name", value: "namespace" }],
                      },
                  }
                : {}),
            ...(has(metrics) ? { serviceMap: { datasourceUid: metrics }, tracesToMetrics: { datasourceUid: metrics } } : {}),
            nodeGraph: { enabled: true },
        };
    }
    if (uid === logs && has(traces)) {
        return {
            derivedFields: [
                {
                    name: "TraceID",
                    // trace_id=..., traceID: ..., "trace_id":"..." in the line.
                    matcherRegex: '(?:trace_?[iI][dD])"?\\s*[=:]\\s*"?([0-9a-fA-F]{16,32})',
                    datasourceUid: traces,
                    url: "${__value.raw}",
                },
            ],
        };
    }
    return {};
}

/** The datasources with their correlation settings added (existing keys win). */
export function withCorrelations(datasources: readonly GrafanaDatasource[]): GrafanaDatasource[] {
    const uids = new Set(datasources.map((d) => d.uid));
    return datasources.map((d) => ({ ...d, jsonData: { ...correlationJsonData(d.uid, (u) => uids.has(u)), ...d.jsonData } }));
}
