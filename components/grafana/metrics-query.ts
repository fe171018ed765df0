// The default metrics datasource follows the long-term backend (issue 4): Mimir's query path behind
// its gateway with the stack's tenant, or Thanos' query-frontend; Prometheus itself otherwise.
import type { Settings } from "../config/schema";
import { tenantOf } from "../fleet/endpoints";
import { serviceUrl } from "../platform/services";
import type { GrafanaDatasource } from "./datasource";

export function metricsQueryPath(settings: Settings, prometheus: GrafanaDatasource): GrafanaDatasource {
    switch (settings.metricsBackend) {
        case "mimir":
            return {
                ...prometheus,
                name: "Mimir",
                url: serviceUrl(settings, "mimirGateway", "http", "/prometheus"),
                jsonData: { ...prometheus.jsonData, prometheusType: "Mimir", httpHeaderName1: "X-Scope-OrgID" },
                secureJsonData: { httpHeaderValue1: tenantOf(settings) },
            };
        case "thanos":
            return {
                ...prometheus,
                name: "Thanos",
                url: serviceUrl(settings, "thanosQueryFrontend", "http"),
                jsonData: { ...prometheus.jsonData, prometheusType: "Thanos" },
            };
        case "prometheus":
            return prometheus;
    }
}
