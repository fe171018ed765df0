// Stack config of the Redis preset: the Redis instances the hub watches, each through a
// redis_exporter of its own in the instance's namespace (metrics/redis-exporter.ts) and the Redis
// alerts (sre/redis-alerts.ts).
import { z } from "zod";

// The instance name is the exporter's release name and the `job` of its series: a DNS label.
const instanceName = z.string().regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, {
    error: "an instance name: a lowercase DNS label of letters, digits and '-', starting with a letter, at most 40 characters",
});
const namespace = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
    error: "a Kubernetes namespace name: at most 63 lowercase letters, digits or '-'",
});
// host:port, the host a DNS name (a Service's, usually) or an IPv4 address.
const address = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$/, {
    error: 'host:port of the Redis server, such as "cache.shop.svc:6379"',
});
const secretName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    error: "a Kubernetes Secret name (a lowercase DNS subdomain)",
}).max(253, { error: "a Kubernetes Secret name of at most 253 characters" });
const secretKey = z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, {
    error: "a key of the Secret's data: letters, digits, '-', '_' or '.'",
});

export const redisInstanceSchema = z
    .strictObject({
        /** The exporter's release name and the `job` label of the instance's series. */
        name: instanceName,
        /** Namespace of the Redis instance; its exporter runs there, next to the password Secret. */
        namespace,
        /** Default: `<name>.<namespace>.svc:6379`, the instance's Service of the same name. */
        address: address.optional(),
        /** An existing Secret in `namespace` holding the password; without it the exporter connects without AUTH. */
        passwordSecret: z.strictObject({ name: secretName, key: secretKey }).optional(),
    })
    .transform((r) => ({ ...r, address: r.address ?? `${r.name}.${r.namespace}.svc:6379` }));

export const redisSchema = z.array(redisInstanceSchema, { error: "a list of Redis instances" });

type Problem = { path: (string | number)[]; expected: string; given: unknown };

/** Rules across instances (defensive: the schema reports bad shapes): unique names. */
export function redisConfigProblems(candidate: Record<string, unknown>): Problem[] {
    if (!Array.isArray(candidate.redis)) return [];
    const problems: Problem[] = [];
    const seen = new Set<unknown>();
    candidate.redis.forEach((r, i) => {
        if (typeof r !== "object" || r === null || typeof (r as { name?: unknown }).name !== "string") return;
        const name = (r as { name: string }).name;
        if (seen.has(name)) {
            problems.push({ path: ["redis", i, "name"], expected: "an instance name no other Redis instance has (it is its exporter's release name and job)", given: name });
        }
        seen.add(name);
    });
    return problems;
}
