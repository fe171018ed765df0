// Where each rule group is evaluated: by the evaluator whose data covers the longest range the group
// reads. A cluster's Prometheus keeps a short local window when a long-term store holds the history
// (2 days with Mimir), so SLO rules that read a 30-day period cannot all run there.
//
// Per metrics backend:
// - prometheus (minimal tier): the hub's Prometheus is the fleet's store (spokes remote-write to it),
//   so the SLO rules run there, once per stack, over its own TSDB. Its retention must cover the
//   longest SLO period plus a margin: validated (sloRetentionProblems), not raised silently, because
//   a longer retention needs a bigger disk and `prometheus.retentionSizeGi` is the stack's choice.
// - mimir: every cluster remote-writes to Mimir within seconds, so Mimir holds the whole fleet for
//   every window, short and long. The SLO rules run in Mimir's ruler, once per stack (fleet-wide, as
//   the SLO config is per service, not per cluster), loaded from the hub's PrometheusRules by Alloy's
//   mimir.rules.kubernetes; alerts go to the hub's Alertmanager.
// - thanos: Thanos Query on the hub sees the hub's own Prometheus live (sidecar) but a spoke's last
//   ~2 hours only once its sidecar has uploaded them. The burn-rate alerts need those minutes, so the
//   SLI ratios and the alerts stay on each cluster's Prometheus (its retention must cover the 3-day
//   window, validated); only the recordings that read more than the local window (the period ratio
//   and what derives from it) move to a Thanos Ruler on the hub, which reads the recorded 5m rates of
//   every cluster through Thanos Query and keeps the cluster label.
// Platform self-monitoring stays on each cluster's Prometheus for every backend: it watches the very
// pipeline (remote write, the stores) a ruler would depend on, and reads at most 6 hours.
//
// An alert is evaluated in exactly one place: the PrometheusRules meant for a ruler carry
// EVALUATOR_LABEL, which every cluster's Prometheus excludes (ruleSelector) and the ruler selects.
import { placedOn } from "../config/cluster-names";
import { DAY, durationSeconds, formatDuration } from "../config/durations";
import { RETENTION_MARGIN_DAYS } from "../config/slo-retention";
import type { ClusterSettings, Settings } from "../config/schema";
import { backendProfile, remoteWrites } from "../platform/backends";
import { isAlertingRule, type Rule, type RuleGroup } from "./rules";
import { serviceSloGroups, type SloRuleContext } from "./slo-rules";

export const RULE_EVALUATORS = ["prometheus", "mimir-ruler", "thanos-ruler"] as const;
export type RuleEvaluator = (typeof RULE_EVALUATORS)[number];

/** Label of every platform PrometheusRule naming its evaluator; the selectors of all three read it. */
export const EVALUATOR_LABEL = "observability-platform/evaluator";
/** Annotation describing the evaluator and the retention behind it (also the plan file's header). */
export const EVALUATION_ANNOTATION = "observability-platform/evaluated-by";

/** PrometheusRules with these evaluator labels are never loaded by a cluster's own Prometheus. */
export const RULER_EVALUATORS: readonly RuleEvaluator[] = ["mimir-ruler", "thanos-ruler"];

/**
 * The longest stretch of past data an expression reads, in seconds: its longest range selector or
 * subquery range, plus its longest offset. String literals (label values, regexes) are skipped.
 */
export function longestRangeSeconds(expr: string): number {
    const code = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
    const ranges = [...code.matchAll(/\[\s*([0-9a-z]+)\s*(?::\s*[0-9a-z]*\s*)?\]/g)].map((m) => durationSeconds(m[1]));
    const offsets = [...code.matchAll(/\boffset\s+([0-9a-z]+)/g)].map((m) => durationSeconds(m[1]));
    return Math.max(0, ...ranges) + Math.max(0, ...offsets);
}

/** The longest range any rule of a group reads. */
export const groupLookbackSeconds = (group: RuleGroup): number => Math.max(0, ...group.rules.map((r) => longestRangeSeconds(r.expr)));

const reads = (expr: string, metric: string): boolean =>
    new RegExp(`(?<![A-Za-z0-9_:])${metric.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9_:])`).test(
        expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""'),
    );

const withoutKey = (labels: Readonly<Record<string, string>>, key: string): Record<string, string> =>
    Object.fromEntries(Object.entries(labels).filter(([k]) => k !== key));

const recordOf = (rule: Rule): string | undefined => ("record" in rule ? rule.record : undefined);

/**
 * Splits rule groups between a local evaluator that holds `localSeconds` of data and a store's
 * ruler: a rule goes to the store when it reads further back than the local data, or reads a series
 * recorded in the store (the local evaluator cannot see the ruler's output). The store may read
 * local recordings: they reach it through the store. Order within each group is kept, and a group
 * split in two keeps its name locally and gets `storeSuffix` in the store. Each rule ends up in
 * exactly one of the two, alerts included. An alert may move only with everything it reads: one that
 * would read the store's series and local recordings (whose last minutes reach the store late) is an
 * error, which the config validation rules out.
 */
export function splitByLookback(groups: readonly RuleGroup[], localSeconds: number, storeSuffix: string): { local: RuleGroup[]; store: RuleGroup[] } {
    const inStore = new Set<Rule>();
    const storeRecords = new Set<string>();
    for (let changed = true; changed; ) {
        changed = false;
        for (const rule of groups.flatMap((g) => g.rules)) {
            if (inStore.has(rule)) continue;
            if (longestRangeSeconds(rule.expr) > localSeconds || [...storeRecords].some((m) => reads(rule.expr, m))) {
                inStore.add(rule);
                const record = recordOf(rule);
                if (record) storeRecords.add(record);
                changed = true;
            }
        }
    }
    const localRecords = new Set(groups.flatMap((g) => g.rules).filter((r) => !inStore.has(r)).map(recordOf).filter((r): r is string => !!r));
    for (const rule of inStore) {
        const mixed = isAlertingRule(rule) ? [...localRecords].filter((m) => !storeRecords.has(m) && reads(rule.expr, m)) : [];
        if (isAlertingRule(rule) && mixed.length > 0) {
            throw new Error(`alert ${rule.alert} reads more than the ${formatDuration(localSeconds)} its local evaluator holds, and also ${mixed.join(", ")}, recorded there`);
        }
    }
    const local: RuleGroup[] = [];
    const store: RuleGroup[] = [];
    for (const group of groups) {
        const moved = group.rules.filter((r) => inStore.has(r));
        const kept = group.rules.filter((r) => !inStore.has(r));
        if (kept.length > 0) local.push({ ...group, rules: kept });
        if (moved.length > 0) store.push({ ...group, name: kept.length > 0 ? `${group.name}${storeSuffix}` : group.name, rules: moved });
    }
    return { local, store };
}

/** Whether this cluster's Prometheus remote-writes its samples (then it keeps a short local window). */
const writesRemotely = (settings: Settings, cluster: ClusterSettings): boolean => remoteWrites(backendProfile(settings), cluster.role);

/** Days of samples a cluster's Prometheus keeps (its `prometheusSpec.retention`). */
export function localRetentionDays(settings: Settings, cluster: ClusterSettings): number {
    return writesRemotely(settings, cluster)
        ? Math.min(settings.prometheus.retentionDays, settings.remoteWrite.localRetentionDays)
        : settings.prometheus.retentionDays;
}

/** The settings key that sets a cluster's local retention, as a stack file writes it. */
function localRetentionKey(settings: Settings, cluster: ClusterSettings): string {
    return writesRemotely(settings, cluster) ? "min(prometheus.retentionDays, remoteWrite.localRetentionDays)" : "prometheus.retentionDays";
}

export interface EvaluatorData {
    evaluator: RuleEvaluator;
    /** Days of data the evaluator's queries can read. */
    retentionDays: number;
    /** One line for the PrometheusRule annotation and the plan file's header. */
    description: string;
}

export function evaluatorData(settings: Settings, cluster: ClusterSettings, evaluator: RuleEvaluator): EvaluatorData {
    const hub = settings.clusters.find((c) => c.role === "hub")?.name ?? cluster.name;
    switch (evaluator) {
        case "prometheus": {
            const days = localRetentionDays(settings, cluster);
            return {
                evaluator,
                retentionDays: days,
                description: `the Prometheus of cluster ${cluster.name}, over its own TSDB: ${days} days (${localRetentionKey(settings, cluster)})`,
            };
        }
        case "mimir-ruler":
            return {
                evaluator,
                retentionDays: settings.retention.metricsDays,
                description:
                    `the Mimir ruler on ${hub} (tenant ${settings.tenant}, loaded by Alloy's mimir.rules.kubernetes), over the long-term store: ` +
                    `${settings.retention.metricsDays} days (retention.metricsDays); alerts to the hub's Alertmanager`,
            };
        case "thanos-ruler":
            return {
                evaluator,
                retentionDays: settings.thanos.rawRetentionDays,
                description:
                    `the Thanos Ruler on ${hub}, through Thanos Query over the bucket: ${settings.thanos.rawRetentionDays} days of raw data ` +
                    `(thanos.rawRetentionDays); alerts to the hub's Alertmanager`,
            };
    }
}

/** A PrometheusRule's worth of groups and who evaluates them. */
export interface PlacedRules {
    /** Kubernetes object name. */
    name: string;
    evaluator: RuleEvaluator;
    groups: RuleGroup[];
}

/** Suffix of the groups (and the PrometheusRule) a Thanos Ruler takes over from a cluster's rules. */
export const LONG_TERM_SUFFIX = "-long-term";

/** Names of the clusters a service runs on: its `clusters`, else the hub. */
export function serviceClusters(settings: Settings, service: Settings["slos"][number]): readonly string[] {
    return placedOn(settings.clusters, service);
}

/** The SLO rules of one cluster, placed as the backend's profile says (see the top of this file). */
export function placedSloRules(settings: Settings, cluster: ClusterSettings, ctx: Omit<SloRuleContext, "cluster">): PlacedRules[] {
    const slos = backendProfile(settings).slos;
    return settings.slos.flatMap((service) => {
        const placed = { name: `slo-${service.service}`, groups: serviceSloGroups(service, { ...ctx, cluster: cluster.name }) };
        switch (slos.placement) {
            case "hub-prometheus":
                // The hub holds the fleet's samples; a spoke keeps two days and would page a second time.
                return cluster.role === "hub" ? [{ ...placed, evaluator: "prometheus" as const }] : [];
            case "store-ruler":
                return cluster.role === "hub" ? [{ ...placed, evaluator: slos.ruler }] : [];
            case "split":
                return splitPlacement(settings, cluster, service, placed.name, placed.groups, slos.ruler);
            default: {
                const unknown: never = slos;
                throw new Error(`no SLO placement ${JSON.stringify(unknown)}`);
            }
        }
    });
}

/** Short windows on each cluster the service runs on, what reads further back on the store's ruler. */
function splitPlacement(settings: Settings, cluster: ClusterSettings, service: Settings["slos"][number], name: string, groups: RuleGroup[], ruler: RuleEvaluator): PlacedRules[] {
    const out: PlacedRules[] = [];
    const localSeconds = (localRetentionDays(settings, cluster) - RETENTION_MARGIN_DAYS) * DAY;
    const { local, store } = splitByLookback(groups, localSeconds, LONG_TERM_SUFFIX);
    // Each cluster the service runs on evaluates its short windows from its own samples.
    if (local.length > 0 && serviceClusters(settings, service).includes(cluster.name)) out.push({ name, evaluator: "prometheus", groups: local });
    // One ruler on the hub serves every cluster. Its expressions keep each series' cluster label
    // (they do not aggregate it away), so its alerts take their cluster from the series rather than
    // the hub's name, which would give every cluster's alert one labelset.
    if (cluster.role === "hub" && store.length > 0) {
        const perCluster = store.map((g) => ({
            ...g,
            rules: g.rules.map((r) => (isAlertingRule(r) ? { ...r, labels: withoutKey(r.labels, "cluster") } : r)),
        }));
        out.push({ name: `${name}${LONG_TERM_SUFFIX}`, evaluator: ruler, groups: perCluster });
    }
    return out;
}

/** Whether any rule of the stack is placed on this ruler (the ruler and its sync are installed only then). */
export function rulerInUse(settings: Settings, evaluator: RuleEvaluator): boolean {
    const hub = settings.clusters.find((c) => c.role === "hub");
    if (!hub) return false;
    return placedSloRules(settings, hub, {}).some((p) => p.evaluator === evaluator);
}
