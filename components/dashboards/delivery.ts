// Delivery (DORA), from what the platform can observe: Argo CD's sync history for deployments and
// Prometheus' alert history for incidents. Each is a proxy; the dashboard description says for what.
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import {
    baseDashboard,
    CLUSTER,
    clusterVariable,
    DS,
    finish,
    FOLDERS,
    promInstant,
    promQuery,
    statPanel,
    steps,
    tablePanel,
    timeSeries,
    type DashboardDefinition,
} from "./kit";

export const DELIVERY_UID = "delivery-dora";

export const DORA_PROXIES = {
    deploymentFrequency:
        "Deployment frequency: successful Argo CD sync operations per day (argocd_app_sync_total, phase Succeeded). " +
        "A sync that changes nothing, or a self-heal of drift, also counts.",
    leadTime:
        "Lead time (proxy): average time an application stays OutOfSync before a successful sync, i.e. how long " +
        "a change merged to Git waits until it is applied (argocd_app_info sync_status). It does not include the " +
        "time from commit to merge nor CI.",
    changeFailureRate:
        "Change failure rate (proxy): failed or errored sync operations / all sync operations " +
        "(argocd_app_sync_total phase Failed|Error). A change that applies cleanly but breaks the service is not " +
        "counted here: read it with the critical alerts below.",
    timeToRestore:
        "Time to restore (proxy): average duration of a critical alert firing episode, from Prometheus' alert " +
        "history (ALERTS for firing time, ALERTS_FOR_STATE for the number of episodes).",
} as const;

export function deliveryDashboard(): DashboardDefinition {
    const app = `name=~"$app", ${CLUSTER}`;
    const syncs = (phase: string) => `sum(increase(argocd_app_sync_total{phase=~"${phase}", ${app}}[$__range]))`;
    const critical = `severity="critical", ${CLUSTER}`;
    const builder = baseDashboard(
        DELIVERY_UID,
        "Delivery (DORA)",
        `DORA metrics approximated from Argo CD and alert history, over the selected time range.\n\n` +
            Object.values(DORA_PROXIES).map((p) => `- ${p}`).join("\n"),
        ["delivery", "dora"],
    )
        .time({ from: "now-30d", to: "now" })
        .refresh("15m")
        .withVariable(clusterVariable())
        .withVariable(
            new dashboard.QueryVariableBuilder("app")
                .label("Application")
                .datasource(DS.metrics)
                .query(`label_values(argocd_app_info{${CLUSTER}}, name)`)
                .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
                .sort(dashboard.VariableSort.AlphabeticalAsc)
                .multi(true)
                .includeAll(true)
                .allValue(".*")
                .current({ text: "All", value: "$__all", selected: true }),
        )
        .withPanel(
            statPanel("Deployment frequency", "short", `${DORA_PROXIES.deploymentFrequency} Shown per day.`)
                .decimals(2)
                .withTarget(promInstant(`${syncs("Succeeded")} / ($__range_s / 86400)`)),
        )
        .withPanel(
            statPanel("Lead time (proxy)", "s", DORA_PROXIES.leadTime).withTarget(
                promInstant(
                    `sum(count_over_time(argocd_app_info{sync_status="OutOfSync", ${app}}[$__range:1m])) * 60 / ${syncs("Succeeded")}`,
                ),
            ),
        )
        .withPanel(
            statPanel("Change failure rate (proxy)", "percentunit", DORA_PROXIES.changeFailureRate)
                .thresholds(steps("green", [0.15, "orange"], [0.3, "red"]))
                .withTarget(promInstant(`${syncs("Failed|Error")} / ${syncs(".*")}`)),
        )
        .withPanel(
            statPanel("Time to restore (proxy)", "s", DORA_PROXIES.timeToRestore)
                .thresholds(steps("green", [3600, "orange"], [86400, "red"]))
                .withTarget(
                    promInstant(
                        `sum(count_over_time(ALERTS{alertstate="firing", ${critical}}[$__range:1m])) * 60 / ` +
                            `sum(changes(ALERTS_FOR_STATE{${critical}}[$__range]) + 1)`,
                    ),
                ),
        )
        .withPanel(
            timeSeries("Sync operations per day", "short", "Argo CD sync operations per day, by outcome.")
                .interval("1d")
                .drawStyle(common.GraphDrawStyle.Bars)
                .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
                .withTarget(promQuery(`sum by (phase) (increase(argocd_app_sync_total{${app}}[1d]))`, "{{phase}}")),
        )
        .withPanel(
            timeSeries("Critical alerts firing", "short", "Critical alerts firing over time: incidents for the failure and restore proxies.")
                .withTarget(promQuery(`count by (alertname) (ALERTS{alertstate="firing", ${critical}})`, "{{alertname}}")),
        )
        .withPanel(
            tablePanel("Applications", "Argo CD applications now: sync and health status.")
                .withTarget(
                    promInstant(`max by (cluster, name, project, sync_status, health_status) (argocd_app_info{${app}})`),
                )
                .withTransformation({ id: "organize", options: { excludeByName: { Time: true, Value: true } } }),
        );
    return finish(builder, FOLDERS.delivery);
}
