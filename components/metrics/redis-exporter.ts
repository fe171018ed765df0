// The Redis preset: one prometheus-redis-exporter release per `redis` instance, on the hub, in the
// instance's own namespace (the only place it can read the password Secret from), scraped through
// the chart's ServiceMonitor under `job="<instance name>"`.
import type * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../charts/pins";
import type { ClusterContext } from "../cluster/context";
import type { Settings } from "../config/schema";
import { jobRelabelings } from "./scrape-targets";
import { redisExporterRelease } from "../platform/services";

/** redis_exporter at the chart's appVersion (prometheus-redis-exporter 6.29.0 ships v1.89.0). */
export const REDIS_EXPORTER_IMAGE = { repository: "oliver006/redis_exporter", tag: "v1.89.0" } as const;
/** The image's own non-root user (its Dockerfile's `USER 59000:59000`). */
const EXPORTER_UID = 59000;

export type RedisInstance = Settings["redis"][number];

/** Release (and object) name of an instance's exporter. */

export function redisExporterValues(settings: Settings, instance: RedisInstance): Record<string, unknown> {
    const r = settings.resources.redisExporter;
    return {
        image: { repository: REDIS_EXPORTER_IMAGE.repository, tag: REDIS_EXPORTER_IMAGE.tag },
        redisAddress: `redis://${instance.address}`,
        // REDIS_PASSWORD from the Secret's key (secretKeyRef): the password never enters the values.
        auth: instance.passwordSecret
            ? { enabled: true, secret: { name: instance.passwordSecret.name, key: instance.passwordSecret.key } }
            : { enabled: false },
        serviceMonitor: {
            enabled: true,
            interval: settings.prometheus.scrapeInterval,
            // The Redis alerts select the instance name.
            relabelings: jobRelabelings(instance.name),
        },
        resources: {
            requests: { cpu: r.requests.cpu, memory: r.requests.memory },
            limits: { ...(r.limits.cpu ? { cpu: r.limits.cpu } : {}), memory: r.limits.memory },
        },
        // The exporter needs no Kubernetes API access.
        rbac: { create: false },
        podSecurityContext: { runAsNonRoot: true, runAsUser: EXPORTER_UID, runAsGroup: EXPORTER_UID, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    };
}

/** The exporters the model runs on this cluster (the hub's), after kube-prometheus-stack (its ServiceMonitor CRD). */
export function installRedisExporters(ctx: ClusterContext, kubePrometheusStack: pulumi.Resource): void {
    for (const instance of ctx.settings.redis.filter((r) => ctx.runs(redisExporterRelease(r)))) {
        ctx.install({
            releaseName: redisExporterRelease(instance),
            namespace: instance.namespace,
            applicationNamespace: true,
            chart: CHARTS.prometheusRedisExporter,
            timeoutSeconds: 300,
            values: redisExporterValues(ctx.settings, instance),
            dependsOn: [kubePrometheusStack],
        });
    }
}
