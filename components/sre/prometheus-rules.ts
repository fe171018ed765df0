// Which PrometheusRules each cluster gets, as data: the SLO rules placed on it (per service and
// evaluator, evaluation.ts) and the platform's own alerts. The platform model holds them per cluster;
// sre/install.ts creates them.
import type { Settings } from "../config/schema";
import { formatDuration } from "../config/durations";
import { evaluatorData, groupLookbackSeconds, placedSloRules, type RuleEvaluator } from "./evaluation";
import { platformAlertGroups } from "./platform-alerts";
import { certManagerAlertGroups } from "./cert-manager-alerts";
import { redisAlertGroups } from "./redis-alerts";
import { limitsAlertGroups } from "./limits-alerts";
import { probeAlertGroups } from "./probe-alerts";
import type { RuleGroup } from "./rules";

export interface PrometheusRuleSpec {
    /** Kubernetes object name. */
    name: string;
    /** Who loads and evaluates the groups. */
    evaluator: RuleEvaluator;
    /** The evaluator and the retention behind it, in words. */
    evaluatedBy: string;
    groups: RuleGroup[];
}

/** Grafana's external URL, when users can reach it (links in alerts). */
export function grafanaUrl(settings: Settings): string | undefined {
    const ingress = settings.grafana.ingress;
    return settings.alerting.grafanaUrl?.replace(/\/+$/, "") ?? (ingress.enabled && ingress.host ? `https://${ingress.host}` : undefined);
}

/**
 * Every PrometheusRule one cluster gets: the SLO rules placed on it (per service, evaluation.ts) and
 * the platform's own alerts on what this cluster's Prometheus scrapes (sre/platform-alerts.ts).
 */
export function prometheusRules(settings: Settings, clusterName: string): PrometheusRuleSpec[] {
    const cluster = settings.clusters.find((c) => c.name === clusterName);
    if (!cluster) throw new Error(`no cluster ${clusterName} in the settings`);
    const placed = [
        ...placedSloRules(settings, cluster, { grafanaUrl: grafanaUrl(settings) }),
        {
            name: "platform-self-monitoring",
            evaluator: "prometheus" as const,
            // The platform's own alerts, then the presets' (each empty unless its preset is on here).
            groups: [
                ...platformAlertGroups(settings, cluster),
                ...certManagerAlertGroups(settings, clusterName),
                ...redisAlertGroups(settings, clusterName),
                ...limitsAlertGroups(settings, clusterName),
                ...probeAlertGroups(settings, clusterName),
            ],
        },
    ];
    return placed.map((p) => {
        const data = evaluatorData(settings, cluster, p.evaluator);
        // The config validation keeps every window within its evaluator's data (with a margin);
        // a rule reading past it would compute over truncated data without anyone noticing.
        const reads = Math.max(0, ...p.groups.map(groupLookbackSeconds));
        if (reads > data.retentionDays * 86_400) {
            throw new Error(`PrometheusRule ${p.name} on ${clusterName} reads ${formatDuration(reads)}, more than ${data.description} keeps`);
        }
        return { ...p, evaluatedBy: data.description };
    });
}

