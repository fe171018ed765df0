// Retention the SLO windows need, checked on the candidate config before anything is declared: the
// evaluator of each window (sre/evaluation.ts places them) must hold all of it.
import { DAY, durationSeconds } from "./durations";
import type { ConfigProblem } from "./errors";
import { DEFAULT_PERIOD } from "./slos";
import { SLI_WINDOWS } from "../sre/slo-series";

/**
 * Days of data an evaluator must hold beyond the longest range a rule reads: the TSDB deletes whole
 * blocks and size-based retention (`prometheus.retentionSizeGi`) may cut a little earlier, so the
 * oldest samples of a window must not be the next ones to go.
 */
export const RETENTION_MARGIN_DAYS = 1;

// On the raw candidate config: its shape may be invalid, and those errors are reported elsewhere.
type Json = unknown;
const obj = (v: Json): Record<string, Json> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, Json>) : {});
const num = (v: Json): v is number => typeof v === "number" && Number.isFinite(v);

/** The longest burn-rate window the alerts read, in days (3 with the workbook's windows). */
export const LONGEST_ALERT_WINDOW_DAYS = Math.max(...SLI_WINDOWS.map(durationSeconds)) / DAY;

/**
 * The evaluator of each window must hold it: the minimal tier's Prometheus the SLO period, each
 * cluster's Prometheus with Thanos the alerts' windows, the stores the period. Prometheus gets the
 * margin; the stores' compactors delete a block only once every sample in it is past retention,
 * counted from now, so a store that keeps the period keeps all of it.
 */
export function sloRetentionProblems(c: Record<string, Json>): ConfigProblem[] {
    let longest: { days: number; key: string } | undefined;
    (Array.isArray(c.slos) ? c.slos : []).forEach((s, i) => {
        (Array.isArray(obj(s).objectives) ? (obj(s).objectives as Json[]) : []).forEach((o, j) => {
            const given = obj(o).period;
            const period = given === undefined ? DEFAULT_PERIOD : given;
            const m = typeof period === "string" ? /^([1-9][0-9]*)d$/.exec(period) : null;
            if (!m) return; // Its own error.
            const days = Number(m[1]);
            if (!longest || days > longest.days) {
                longest = { days, key: `slos[${i}].objectives[${j}].period${given === undefined ? `, default ${DEFAULT_PERIOD}` : ""}` };
            }
        });
    });
    if (!longest) return [];
    const problems: ConfigProblem[] = [];
    const prometheus = obj(c.prometheus);
    const period = `the longest SLO period is ${longest.days} days (${longest.key})`;
    if (c.metricsBackend === "prometheus" && num(prometheus.retentionDays) && prometheus.retentionDays < longest.days + RETENTION_MARGIN_DAYS) {
        problems.push({
            path: ["prometheus", "retentionDays"],
            expected:
                `at least ${longest.days + RETENTION_MARGIN_DAYS} days: with metricsBackend "prometheus" the hub's Prometheus evaluates the SLO rules ` +
                `over its own disk, ${period}, plus ${RETENTION_MARGIN_DAYS} day of margin (raise prometheus.storageGi with it)`,
            given: prometheus.retentionDays,
        });
    }
    if (c.metricsBackend === "thanos") {
        const need = LONGEST_ALERT_WINDOW_DAYS + RETENTION_MARGIN_DAYS;
        if (num(prometheus.retentionDays) && prometheus.retentionDays < need) {
            problems.push({
                path: ["prometheus", "retentionDays"],
                expected:
                    `at least ${need} days: with metricsBackend "thanos" each cluster's Prometheus evaluates the burn-rate alerts, whose longest ` +
                    `window is ${LONGEST_ALERT_WINDOW_DAYS} days, plus ${RETENTION_MARGIN_DAYS} day of margin`,
                given: prometheus.retentionDays,
            });
        }
        const raw = obj(c.thanos).rawRetentionDays;
        if (num(raw) && raw < longest.days) {
            problems.push({
                path: ["thanos", "rawRetentionDays"],
                expected: `at least ${longest.days} days: the Thanos Ruler computes the SLO period from raw data, and ${period}`,
                given: raw,
            });
        }
    }
    const metricsDays = obj(c.retention).metricsDays;
    if (c.metricsBackend === "mimir" && num(metricsDays) && metricsDays < longest.days) {
        problems.push({
            path: ["retention", "metricsDays"],
            expected: `at least ${longest.days} days: the Mimir ruler evaluates the SLO rules over the long-term store, and ${period}`,
            given: metricsDays,
        });
    }
    return problems;
}
