// SLO dashboards: one overview of every SLO, and one error-budget dashboard per SLO. They read only
// the recording rules named in slo-metrics.ts and the ALERTS series of the SLO alerts.
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import type { SloDashboardInput } from "./inputs";
import {
    baseDashboard,
    finish,
    FOLDERS,
    gaugePanel,
    promInstant,
    promQuery,
    statPanel,
    steps,
    tablePanel,
    timeSeries,
    type DashboardDefinition,
} from "./kit";
import { budgetMinutesLeft, periodWindow, SLI_WINDOWS, SLO_LABELS, SLO_METRICS, sliErrorRatio, sloMatchers } from "../sre/slo-series";
import { sloUid } from "../grafana/dashboard-uids";

export const SLO_OVERVIEW_UID = "slo-overview";
export { sloUid };

/** Burn rates that page or ticket in the multiwindow multi-burn-rate policy for a 30-day period. */
const BURN_RATE_MARKS: [number, string][] = [
    [1, "yellow"],
    [6, "orange"],
    [14.4, "red"],
];

const by = `${SLO_LABELS.service}, ${SLO_LABELS.slo}`;
const budgetSteps = () => steps("red", [0, "orange"], [0.25, "green"]);

export function sloOverviewDashboard(): DashboardDefinition {
    const firing = `ALERTS{alertstate="firing", ${SLO_LABELS.slo}!=""}`;
    const builder = baseDashboard(
        SLO_OVERVIEW_UID,
        "SLO overview",
        "Every SLO the platform evaluates: objective, attainment over the SLO period, error budget left, " +
            "current burn rate (1 = spending the budget exactly over the period) and firing SLO alerts.",
        ["slo"],
    )
        .link(
            new dashboard.DashboardLinkBuilder("SLO dashboards")
                .type(dashboard.DashboardLinkType.Dashboards)
                .tags(["slo"])
                .asDropdown(true)
                .keepTime(true),
        )
        .withPanel(
            statPanel("SLOs evaluated", "short", "SLOs with recording rules.").withTarget(promInstant(`count(${SLO_METRICS.objective})`)),
        )
        .withPanel(
            statPanel("Budget exhausted", "short", "SLOs with no error budget left in their period.")
                .thresholds(steps("green", [1, "red"]))
                .noValue("0")
                .withTarget(promInstant(`count(${SLO_METRICS.periodErrorBudgetRemaining} <= 0)`)),
        )
        .withPanel(
            statPanel("Burning fast", "short", "SLOs whose current burn rate is above 6 (budget gone in 5 days of a 30-day period).")
                .thresholds(steps("green", [1, "orange"]))
                .noValue("0")
                .withTarget(promInstant(`count(${SLO_METRICS.currentBurnRate} > 6)`)),
        )
        .withPanel(
            statPanel("Firing SLO alerts", "short", "SLO burn-rate alerts firing now.")
                .thresholds(steps("green", [1, "red"]))
                .noValue("0")
                .withTarget(promInstant(`count(${firing})`)),
        )
        .withPanel(
            tablePanel("SLOs", "One row per SLO (joined on service and SLO).")
                .withTarget(promInstant(`max by (${by}) (${SLO_METRICS.objective})`, "objective"))
                .withTarget(promInstant(`max by (${by}) (${SLO_METRICS.periodErrorBudgetRemaining})`, "budget left"))
                .withTarget(promInstant(`max by (${by}) (${SLO_METRICS.currentBurnRate})`, "burn rate"))
                .withTarget(promInstant(`max by (${by}) (${SLO_METRICS.periodBurnRate})`, "period burn rate"))
                .withTransformation({ id: "merge", options: {} })
                .withTransformation({
                    id: "organize",
                    options: {
                        excludeByName: { Time: true },
                        renameByName: {
                            [SLO_LABELS.service]: "Service",
                            [SLO_LABELS.slo]: "SLO",
                            "Value #A": "Objective",
                            "Value #B": "Budget left",
                            "Value #C": "Burn rate",
                            "Value #D": "Period burn rate",
                        },
                    },
                })
                .overrideByName("Objective", [{ id: "unit", value: "percentunit" }, { id: "decimals", value: 3 }])
                .overrideByName("Budget left", [{ id: "unit", value: "percentunit" }])
                .height(10),
        )
        .withPanel(
            timeSeries("Error budget left", "percentunit", "Share of each SLO's period budget left.")
                .thresholds(budgetSteps())
                .withTarget(promQuery(`max by (${by}) (${SLO_METRICS.periodErrorBudgetRemaining})`, `{{${SLO_LABELS.service}}} / {{${SLO_LABELS.slo}}}`)),
        )
        .withPanel(
            timeSeries("Current burn rate", "short", "Burn rate over the shortest window; 1 spends the budget exactly over the period.")
                .withTarget(promQuery(`max by (${by}) (${SLO_METRICS.currentBurnRate})`, `{{${SLO_LABELS.service}}} / {{${SLO_LABELS.slo}}}`)),
        )
        .withPanel(
            tablePanel("Firing SLO alerts", "SLO alerts firing now, from Prometheus' ALERTS series.").withTarget(
                promInstant(`max by (alertname, severity, ${by}) (${firing})`),
            ),
        );
    return finish(builder, FOLDERS.slo);
}

export function sloDashboard(s: SloDashboardInput): DashboardDefinition {
    const m = sloMatchers(s.service, s.slo);
    // 99.9 / 100 is 0.9990000000000001 in floating point: round to what a percentage can express.
    const objective = Number((s.objectivePercent / 100).toFixed(8));
    const periodRatio = sliErrorRatio(periodWindow(s.periodDays));
    const builder = baseDashboard(
        sloUid(s.service, s.slo),
        `SLO: ${s.service} / ${s.slo}`,
        `${s.description ?? `SLO ${s.slo} of ${s.service}`}: objective ${s.objectivePercent}% over ` +
            `${s.periodDays} days (error budget ${+(100 - s.objectivePercent).toFixed(6)}% of requests).`,
        ["slo", `service:${s.service}`],
    )
        .time({ from: `now-${s.periodDays}d`, to: "now" })
        .refresh("5m")
        .withPanel(
            gaugePanel("Error budget left", "percentunit", `Share of the ${s.periodDays}-day error budget left; below 0 the SLO is broken.`)
                .min(0)
                .max(1)
                .thresholds(budgetSteps())
                .withTarget(promInstant(`${SLO_METRICS.periodErrorBudgetRemaining}{${m}}`)),
        )
        .withPanel(
            statPanel("Budget left in minutes", "m", `The error budget left as minutes of full outage this ${s.periodDays}-day period; at 0 releases freeze (the error-budget policy).`)
                .decimals(1)
                .thresholds(steps("red", [0.000001, "orange"], [Number((0.25 * (1 - objective) * s.periodDays * 24 * 60).toFixed(6)), "green"]))
                .height(8)
                .withTarget(promInstant(budgetMinutesLeft(m))),
        )
        .withPanel(
            statPanel("Attainment", "percentunit", `Good events / all events over the ${s.periodDays}-day period, against the ${s.objectivePercent}% objective.`)
                .decimals(3)
                .thresholds(steps("red", [objective, "green"]))
                .height(8)
                .span(4)
                .withTarget(promInstant(`1 - ${periodRatio}{${m}}`)),
        )
        .withPanel(
            statPanel("Current burn rate", "short", "Error ratio over the shortest window / error budget.")
                .decimals(2)
                .thresholds(steps("green", ...BURN_RATE_MARKS))
                .height(8)
                .span(4)
                .withTarget(promInstant(`${SLO_METRICS.currentBurnRate}{${m}}`)),
        )
        .withPanel(
            statPanel("Firing alerts", "short", "This SLO's burn-rate alerts firing now.")
                .thresholds(steps("green", [1, "red"]))
                .noValue("0")
                .height(8)
                .span(4)
                .withTarget(promInstant(`count(ALERTS{alertstate="firing", ${m}})`)),
        )
        .withPanel(
            timeSeries("Burn rate per window", "short", "Error ratio / error budget over each alerting window. Lines: 1 (budget spent over the period), 6 and 14.4 (the ticket and page thresholds for 30 days).")
                .thresholds(steps("transparent", ...BURN_RATE_MARKS))
                .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line))
                .targets(
                    SLI_WINDOWS.map((w) =>
                        promQuery(`${sliErrorRatio(w)}{${m}} / ignoring (${SLO_LABELS.window}) ${SLO_METRICS.errorBudget}{${m}}`, w),
                    ),
                )
                .span(24),
        )
        .withPanel(
            timeSeries("Error budget consumed", "percentunit", `Share of the ${s.periodDays}-day budget spent, over the period.`)
                .thresholds(steps("green", [0.75, "orange"], [1, "red"]))
                .withTarget(promQuery(`1 - ${SLO_METRICS.periodErrorBudgetRemaining}{${m}}`, "consumed")),
        )
        .withPanel(
            timeSeries("Attainment against objective", "percentunit", `Rolling ${s.periodDays}-day attainment and the objective.`)
                .decimals(3)
                .withTarget(promQuery(`1 - ${periodRatio}{${m}}`, "attainment"))
                .withTarget(promQuery(`${SLO_METRICS.objective}{${m}}`, "objective")),
        )
        .withPanel(
            tablePanel("Firing alerts", "This SLO's alerts firing now.").withTarget(
                promInstant(`max by (alertname, severity) (ALERTS{alertstate="firing", ${m}})`),
            ),
        );
    return finish(builder, FOLDERS.slo);
}
