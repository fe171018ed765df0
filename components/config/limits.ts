// Stack config of the cardinality and volume limits (`limits`): what one scrape target may add to
// Prometheus, what one log stream and the stack's tenant may push to Loki, and how close to a limit
// the alerts warn (sre/limits-alerts.ts). Mimir's per-tenant limits stay under `mimir` with the rest
// of its sizing. Numbers per tier are in tiers.ts, with the reasoning behind them.
import { z } from "zod";

const positiveInt = (what: string, max?: number) => {
    const n = z.number({ error: `a whole number of ${what}` }).int({ error: `a whole number of ${what}` }).positive({ error: `a positive number of ${what}` });
    return max === undefined ? n : n.max(max, { error: `at most ${max} ${what}` });
};

// Mimir refuses a series with more labels, or longer names or values, than these (its defaults,
// written into its config by metrics/mimir.ts so the two stay one fact).
export const MIMIR_LABEL_LIMITS = { maxLabelNamesPerSeries: 30, maxLabelNameLength: 1024, maxLabelValueLength: 2048 } as const;
// External labels every sample carries when it reaches Mimir: the stack's `cluster` and `stack`
// and prometheus-operator's `prometheus` (the replica label is dropped before remote write). They are
// added after the scrape, so a scrape's label limit must leave room for them.
export const REMOTE_WRITE_EXTERNAL_LABELS = ["cluster", "stack", "prometheus"] as const;
/** The most labels a scraped sample may have for Mimir to accept it once the external labels are on. */
export const MAX_SCRAPE_LABELS_FOR_MIMIR = MIMIR_LABEL_LIMITS.maxLabelNamesPerSeries - REMOTE_WRITE_EXTERNAL_LABELS.length;

/** Samples per scrape (after metric relabeling) and labels per sample of one target. */
export const sampleLimit = positiveInt("samples per scrape", 10_000_000);
export const labelLimit = positiveInt("labels per sample", 256);

const megabytes = (what: string) =>
    z
        .number({ error: `a number of MB ${what} (at most 1 decimal)` })
        .positive({ error: `a positive number of MB ${what}` })
        .max(1024, { error: `at most 1024 MB ${what}` })
        .refine((v) => Math.round(v * 10) === v * 10, { error: `a number of MB ${what} with at most 1 decimal` });

export const limitsSchema = z.strictObject({
    scrape: z.strictObject({
        /** Default of the monitors the platform creates (`scrape` entries, presets); an entry may set its own. */
        sampleLimit,
        labelLimit,
        /**
         * Ceilings on every monitor the hub's and spokes' Prometheus load, hand-written and the charts'
         * included (prometheus-operator's enforced* fields): a monitor asking for more gets these.
         */
        enforced: z.strictObject({
            sampleLimit,
            labelLimit,
            labelNameLengthLimit: positiveInt("characters", 65_536),
            labelValueLengthLimit: positiveInt("characters", 65_536),
        }),
    }),
    logs: z.strictObject({
        /** The stack's tenant, all clusters together (Loki's ingestion_rate_mb, global strategy). */
        ingestionRateMb: megabytes("per second"),
        ingestionBurstSizeMb: megabytes("per burst"),
        /** One stream: one set of label values, such as one container's logs at one level. */
        perStreamRateMb: megabytes("per second"),
        perStreamBurstMb: megabytes("per burst"),
        /** Active streams of the tenant across the ingesters (max_global_streams_per_user). */
        maxGlobalStreamsPerTenant: positiveInt("streams", 10_000_000),
    }),
    /** The limit alerts fire when usage passes this share of a limit. */
    alertAtPercent: z
        .number({ error: "a whole percentage from 50 to 95" })
        .int({ error: "a whole percentage from 50 to 95" })
        .min(50, { error: "a whole percentage from 50 to 95 (lower warns on normal load)" })
        .max(95, { error: "a whole percentage from 50 to 95 (higher leaves no time to act before the limit)" }),
});

type Problem = { path: (string | number)[]; expected: string; given: unknown };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;

/**
 * Rules across keys, defensive since the shapes may be invalid (the schema reports those): no
 * default or entry above its ceiling (prometheus-operator would silently lower it), bursts at least
 * their rate, a stream's rate within the tenant's, and with Mimir room for the external labels.
 */
export function limitsConfigProblems(candidate: Record<string, unknown>): Problem[] {
    const problems: Problem[] = [];
    const limits = isObject(candidate.limits) ? candidate.limits : {};
    const scrape = isObject(limits.scrape) ? limits.scrape : {};
    const enforced = isObject(scrape.enforced) ? scrape.enforced : {};
    const notAbove = (path: (string | number)[], value: unknown, ceiling: unknown, ceilingKey: string) => {
        if (isCount(value) && isCount(ceiling) && value > ceiling) {
            problems.push({ path, expected: `at most limits.scrape.enforced.${ceilingKey} (${ceiling}), the ceiling Prometheus enforces on every target`, given: value });
        }
    };
    for (const key of ["sampleLimit", "labelLimit"] as const) notAbove(["limits", "scrape", key], scrape[key], enforced[key], key);
    if (Array.isArray(candidate.scrape)) {
        candidate.scrape.forEach((t, i) => {
            if (!isObject(t)) return;
            for (const key of ["sampleLimit", "labelLimit"] as const) notAbove(["scrape", i, key], t[key], enforced[key], key);
        });
    }
    if (candidate.metricsBackend === "mimir" && isCount(enforced.labelLimit) && enforced.labelLimit > MAX_SCRAPE_LABELS_FOR_MIMIR) {
        problems.push({
            path: ["limits", "scrape", "enforced", "labelLimit"],
            expected:
                `at most ${MAX_SCRAPE_LABELS_FOR_MIMIR} with Mimir: it refuses series of more than ${MIMIR_LABEL_LIMITS.maxLabelNamesPerSeries} labels, ` +
                `and remote write adds ${REMOTE_WRITE_EXTERNAL_LABELS.join(", ")}`,
            given: enforced.labelLimit,
        });
    }
    for (const [key, max] of [
        ["labelNameLengthLimit", MIMIR_LABEL_LIMITS.maxLabelNameLength],
        ["labelValueLengthLimit", MIMIR_LABEL_LIMITS.maxLabelValueLength],
    ] as const) {
        if (candidate.metricsBackend === "mimir" && isCount(enforced[key]) && enforced[key] > max) {
            problems.push({ path: ["limits", "scrape", "enforced", key], expected: `at most ${max} with Mimir, which refuses longer label ${key === "labelNameLengthLimit" ? "names" : "values"}`, given: enforced[key] });
        }
    }
    const logs = isObject(limits.logs) ? limits.logs : {};
    const num = (v: unknown): v is number => typeof v === "number" && v > 0;
    const atLeast = (key: string, value: unknown, floorKey: string, floor: unknown, why: string) => {
        if (num(value) && num(floor) && value < floor) problems.push({ path: ["limits", "logs", key], expected: `at least limits.logs.${floorKey} (${floor}): ${why}`, given: value });
    };
    atLeast("ingestionBurstSizeMb", logs.ingestionBurstSizeMb, "ingestionRateMb", logs.ingestionRateMb, "a burst smaller than the rate refuses every push above it");
    atLeast("perStreamBurstMb", logs.perStreamBurstMb, "perStreamRateMb", logs.perStreamRateMb, "a burst smaller than the rate refuses every push above it");
    if (num(logs.perStreamRateMb) && num(logs.ingestionRateMb) && logs.perStreamRateMb > logs.ingestionRateMb) {
        problems.push({ path: ["limits", "logs", "perStreamRateMb"], expected: `at most limits.logs.ingestionRateMb (${logs.ingestionRateMb}): one stream cannot push more than its whole tenant`, given: logs.perStreamRateMb });
    }
    return problems;
}
