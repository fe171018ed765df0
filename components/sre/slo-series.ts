// The SLO recording-rule names and labels, following Sloth's conventions (https://sloth.dev): the SLO
// rules produce exactly these series and the dashboards and the SLO gate read them. They live with
// the rules, their producer; test/dashboards.test.ts checks both sides.
//
// Labels: Sloth's own, `sloth_service` and `sloth_slo` (plus `sloth_id` = "<service>-<slo>" and, on
// the SLI error ratios, `sloth_window`). Every series below carries `sloth_service` and `sloth_slo`.

export const SLO_LABELS = {
    service: "sloth_service",
    slo: "sloth_slo",
    id: "sloth_id",
    window: "sloth_window",
} as const;

/** Windows Sloth records the SLI error ratio for (multiwindow multi-burn-rate alerting uses them). */
export const SLI_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;
export type SliWindow = (typeof SLI_WINDOWS)[number];

/**
 * The SLO period as Sloth writes it in rule names: Prometheus' duration format, which uses years and
 * weeks only when exact (30 days -> "30d", 28 days -> "4w", 365 days -> "1y").
 */
export function periodWindow(periodDays: number): string {
    if (!Number.isInteger(periodDays) || periodDays <= 0) throw new Error(`SLO period ${periodDays} is not a whole number of days`);
    if (periodDays % 365 === 0) return `${periodDays / 365}y`;
    if (periodDays % 7 === 0) return `${periodDays / 7}w`;
    return `${periodDays}d`;
}

/** Error ratio of the SLI over a window: `slo:sli_error:ratio_rate<window>` (0..1). */
export function sliErrorRatio(window: SliWindow | ReturnType<typeof periodWindow>): string {
    return `slo:sli_error:ratio_rate${window}`;
}

export const SLO_METRICS = {
    /** Target as a ratio, e.g. 0.999. */
    objective: "slo:objective:ratio",
    /** Allowed error ratio: 1 - objective. */
    errorBudget: "slo:error_budget:ratio",
    /** Length of the SLO period in days. */
    timePeriodDays: "slo:time_period:days",
    /** Burn rate over the shortest window: error ratio / error budget. */
    currentBurnRate: "slo:current_burn_rate:ratio",
    /** Burn rate over the whole period. */
    periodBurnRate: "slo:period_burn_rate:ratio",
    /** Share of the period's error budget left (1 = untouched, <= 0 = exhausted). */
    periodErrorBudgetRemaining: "slo:period_error_budget_remaining:ratio",
    /** Info series with the SLO's metadata (objective, period). */
    info: "sloth_slo_info",
} as const;

/**
 * The error budget left as minutes of full outage this period (43.2 for an untouched 99.9% over 30
 * days): the share left × the budget × the period's minutes, from Sloth's own series.
 */
export function budgetMinutesLeft(matchers: string): string {
    const m = `{${matchers}}`;
    return `${SLO_METRICS.periodErrorBudgetRemaining}${m} * ${SLO_METRICS.errorBudget}${m} * ${SLO_METRICS.timePeriodDays}${m} * 1440`;
}

/** Every SLO series name the dashboards may query, for a given SLO period. */
export function sloMetricNames(periodDays: number): string[] {
    return [
        ...SLI_WINDOWS.map((w) => sliErrorRatio(w)),
        sliErrorRatio(periodWindow(periodDays)),
        ...Object.values(SLO_METRICS),
    ];
}

/** PromQL label matchers that select one SLO's series. */
export function sloMatchers(service: string, slo: string): string {
    return `${SLO_LABELS.service}=${JSON.stringify(service)}, ${SLO_LABELS.slo}=${JSON.stringify(slo)}`;
}
