// Grafana datasources, provisioned from settings with the stable UIDs of datasource.ts.
import type { Settings } from "../config/schema";
import { serviceUrl } from "../platform/services";
import { logsAndTracesDatasources } from "./correlations";
import { DATASOURCE_UIDS, TRACE_ID_EXEMPLAR_LABELS, type GrafanaDatasource } from "./datasource";
import { metricsQueryPath } from "./metrics-query";

export function grafanaDatasources(settings: Settings): GrafanaDatasource[] {
    return [
        // The UID stays "prometheus" whichever backend answers: dashboards keep working across a switch.
        metricsQueryPath(settings, {
            name: "Prometheus",
            uid: DATASOURCE_UIDS.metrics,
            type: "prometheus",
            access: "proxy",
            url: serviceUrl(settings, "prometheus", "web"),
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
            url: serviceUrl(settings, "alertmanager", "web"),
            isDefault: false,
            editable: false,
            jsonData: { implementation: "prometheus", handleGrafanaManagedAlerts: false },
        },
        ...logsAndTracesDatasources(settings, DATASOURCE_UIDS),
    ];
}
