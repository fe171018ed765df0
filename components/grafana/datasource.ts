// What every Grafana datasource module shares: the datasources' stable UIDs (dashboards and
// correlations refer to them, so they never change once published), their provisioning shape, and
// the exemplar labels that hold a trace id.

export const DATASOURCE_UIDS = {
    metrics: "prometheus",
    alertmanager: "alertmanager",
    logs: "loki",
    traces: "tempo",
} as const;

export interface GrafanaDatasource {
    name: string;
    uid: string;
    type: string;
    access: "proxy";
    url: string;
    isDefault: boolean;
    editable: boolean;
    jsonData: Record<string, unknown>;
    /** Grafana stores these encrypted; used for the tenant header (not a secret, but Grafana requires it here). */
    secureJsonData?: Record<string, string>;
}

/**
 * Exemplar labels that hold a trace id: Tempo's span metrics write `traceID`; applications' own
 * histograms (OpenTelemetry SDKs, Prometheus client libraries) write `trace_id`.
 */
export const TRACE_ID_EXEMPLAR_LABELS = ["traceID", "trace_id"] as const;
