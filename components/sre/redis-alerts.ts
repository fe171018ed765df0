// The Redis preset's alerts, one rule group in the platform's self-monitoring PrometheusRule of the
// hub (where the exporters run). Every expression selects the declared instances' jobs only, so a
// Redis the platform does not watch never alerts here, and a removed instance takes its rules along.
import type { Settings } from "../config/schema";
import { alertingRules, type AlertSpec } from "./alert-specs";
import { promString, type RuleGroup } from "./rules";

export const REDIS_ALERT_GROUP = "observability-platform-redis";


function redisAlerts(settings: Settings): AlertSpec[] {
    const jobs = settings.redis.map((r) => r.name);
    const sel = `{job=~${promString(jobs.join("|"))}}`;
    const by = "cluster, namespace, job";
    return [
        {
            alert: "RedisDown",
            expr: `redis_up${sel} == 0`,
            for: "2m",
            severity: "critical",
            summary: "A Redis instance does not answer its exporter",
            description: "The exporter of {{ $labels.job }} in {{ $labels.namespace }} cannot connect to or authenticate with Redis.",
        },
        // One rule per instance: absent() only names the labels of equality matchers, and a rule
        // exists only while its instance is declared, so it cannot fire on forever after a removal.
        ...settings.redis.map((r) => ({
            alert: "RedisExporterAbsent",
            expr: `absent(redis_up{job=${promString(r.name)}})`,
            for: "10m",
            severity: "warning" as const,
            summary: "No series from a Redis exporter",
            description: `Prometheus has no redis_up series of job ${r.name}: its exporter in ${r.namespace} is down, unscraped or not deployed.`,
            labels: { namespace: r.namespace, job: r.name },
        })),
        {
            alert: "RedisMemoryHigh",
            // Without maxmemory (0) Redis has no limit to approach, and the ratio would be +Inf.
            expr: `max by (${by}) (redis_memory_used_bytes${sel})\n/\nmax by (${by}) (redis_memory_max_bytes${sel} > 0)\n> 0.9`,
            for: "10m",
            severity: "warning",
            summary: "A Redis instance uses over 90% of its maxmemory",
            description: "{{ $labels.job }} in {{ $labels.namespace }} uses {{ $value | humanizePercentage }} of maxmemory; next come evictions or write errors.",
        },
        {
            alert: "RedisRejectedConnections",
            expr: `sum by (${by}) (increase(redis_rejected_connections_total${sel}[5m])) > 0`,
            severity: "warning",
            summary: "A Redis instance rejects connections",
            description: "{{ $labels.job }} in {{ $labels.namespace }} rejected {{ $value | humanize }} connections in 5 minutes (maxclients reached).",
        },
        {
            alert: "RedisTooManyClients",
            expr: `max by (${by}) (redis_connected_clients${sel})\n/\nmax by (${by}) (redis_config_maxclients${sel} > 0)\n> 0.9`,
            for: "5m",
            severity: "warning",
            summary: "A Redis instance is close to maxclients",
            description: "{{ $labels.job }} in {{ $labels.namespace }} has {{ $value | humanizePercentage }} of maxclients connected; new clients will be rejected.",
        },
    ];
}

/** The group, on the hub only (the exporters run there), when the stack declares Redis instances. */
export function redisAlertGroups(settings: Settings, cluster: string): RuleGroup[] {
    const hub = settings.clusters.find((c) => c.role === "hub");
    if (settings.redis.length === 0 || hub?.name !== cluster) return [];
    const rules = alertingRules(settings, cluster, "redis", redisAlerts(settings));
    return [{ name: REDIS_ALERT_GROUP, rules }];
}
