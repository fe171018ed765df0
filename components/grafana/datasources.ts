// Grafana datasources, provisioned from settings with stable UIDs: dashboards and correlations refer
// to these UIDs, so they never change once published.
import type { Settings } from "../config/schema";
import { alertmanagerUrl, prometheusUrl } from "../metrics/endpoints";
import { logsAndTracesDatasources, TRACE_ID_EXEMPLAR_LABELS } from "./correlations";
import { metricsQueryPath } from "./metrics-query";

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

export function grafanaDatasources(settings: Settings): GrafanaDatasource[] {
    return [
        // The UID stays "prometheus" whichever backend answers: dashboards keep working across a switch.
        metricsQueryPath(settings, {
            name: "Prometheus",
            uid: DATASOURCE_UIDS.metrics,
            type: "prometheus",
            access: "proxy",
            url: prometheusUrl(settings),
            isDefault: true,
            editable: false,
            jsonData: {
                httpMethod: "POST",
                timeInterval: settings.prometheus.scrapeInterval,
                prometheusType: "Prometheus",
                // Exemplars (Tempo's span metrics) link a metric point to its trace.
                exemplarTraceIdDestinations: TRACE_ID_EXEMPLAR_LABELS.map((name) => ({ name, datasourceUid: DATASOURCE_UIDS.traces })),
            },
        }),
        {
            name: "Alertmanager",
            uid: DATASOURCE_UIDS.alertmanager,
            type: "alertmanager",
            access: "proxy",
            url: alertmanagerUrl(settings),
            isDefault: false,
            editable: false,
            jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false },
        },
        ...logsAndTracesDatasources(settings, DATASOURCE_UIDS),
    ];
}
