// Stack config of the Redis preset: the Redis instances the hub watches, each through a
// redis_exporter of its own in the instance's namespace (metrics/redis-exporter.ts) and the Redis
// alerts (sre/redis-alerts.ts).
import { z } from "zod";
import { duplicateNameProblems, namespaceName, secretKey, secretName, shortName } from "../kubernetes/names";

// The instance name is the exporter's release name and the `job` of its series.
const instanceName = shortName("an instance name: a lowercase DNS label of letters, digits and '-', starting with a letter, at most 40 characters");
const namespace = namespaceName("cache");
// host:port, the host a DNS name (a Service's, usually) or an IPv4 address.
const address = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$/, {
    error: 'host:port of the Redis server, such as "cache.shop.svc:6379"',
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

/** Rules across instances: unique names. */
export const redisConfigProblems = (candidate: Record<string, unknown>) =>
    duplicateNameProblems(candidate, "redis", "an instance name no other Redis instance has (it is its exporter's release name and job)");
