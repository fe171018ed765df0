// The default metrics datasource follows the long-term backend (issue 4): Mimir's query path behind
// its gateway with the stack's tenant, or Thanos' query-frontend; Prometheus itself otherwise.
import type { Settings } from "../config/schema";
import { HUB_SERVICES, tenantOf } from "../fleet/endpoints";
import type { GrafanaDatasource } from "./datasource";

export function metricsQueryPath(settings: Settings, prometheus: GrafanaDatasource): GrafanaDatasource {
    const monitoring = settings.namespaces.monitoring;
    switch (settings.metricsBackend) {
        case "mimir":
            return {
                ...prometheus,
                name: "Mimir",
                url: `http://${HUB_SERVICES.mimirGateway.name}.${monitoring}.svc:${HUB_SERVICES.mimirGateway.port}/prometheus`,
                jsonData: { ...prometheus.jsonData, prometheusType: "Mimir", httpHeaderName1: "X-Scope-OrgID" },
                secureJsonData: { httpHeaderValue1: tenantOf(settings) },
            };
        case "thanos":
            return {
                ...prometheus,
                name: "Thanos",
                url: `http://${HUB_SERVICES.thanosQueryFrontend.name}.${monitoring}.svc:${HUB_SERVICES.thanosQueryFrontend.port}`,
                jsonData: { ...prometheus.jsonData, prometheusType: "Thanos" },
            };
        default:
            return prometheus;
    }
}
