// Grafana datasources, provisioned from settings with stable UIDs: dashboards and correlations refer
// to these UIDs, so they never change once published.
import type { Settings } from "../config/schema";
import { alertmanagerUrl, prometheusUrl } from "../metrics/endpoints";

export const DATASOURCE_UIDS = {
    metrics: "prometheus",
    alertmanager: "alertmanager",
    // Dashboards: the logs and traces datasources' UIDs (provisioned by the logs/traces pillar).
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
}

export function grafanaDatasources(settings: Settings): GrafanaDatasource[] {
    return [
        {
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
            },
        },
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
    ];
}
