// Helm values of Argo CD: every component exports metrics with a ServiceMonitor, and the long-term
// tier runs it highly available (several replicas, Redis HA behind HAProxy).
import type { ResourceSpec, Settings } from "../config/schema";
import { containerResources } from "../kubernetes/resources";
import { argoCdReplicas } from "../platform/workloads";

const monitored = (spec: ResourceSpec) => ({
    resources: containerResources(spec),
    metrics: { enabled: true, serviceMonitor: { enabled: true } },
});

export function argoCdValues(settings: Settings) {
    const r = settings.resources;
    const ha = settings.argocd.highAvailability;
    // Stateless components scale out; the application controller is one active shard by design.
    const replicas = argoCdReplicas(settings);
    const pdb = ha ? { pdb: { enabled: true, minAvailable: 1 } } : {};
    return {
        crds: { install: true, keep: true },
        controller: { replicas: 1, ...monitored(r.argocdController) },
        server: { replicas, ...pdb, service: { type: "ClusterIP" }, ...monitored(r.argocdServer) },
        repoServer: { replicas, ...pdb, ...monitored(r.argocdRepoServer) },
        applicationSet: { replicas, ...pdb, ...monitored(r.argocdApplicationSet) },
        notifications: monitored(r.argocdNotifications),
        dex: monitored(r.argocdDex),
        redis: {
            resources: containerResources(r.argocdRedis),
            exporter: { enabled: true },
            metrics: { enabled: true, serviceMonitor: { enabled: true } },
        },
        "redis-ha": ha
            ? {
                  enabled: true,
                  redis: { resources: containerResources(r.argocdRedis) },
                  exporter: { enabled: true, serviceMonitor: { enabled: true } },
                  haproxy: {
                      resources: containerResources(r.argocdRedis),
                      metrics: { enabled: true, serviceMonitor: { enabled: true } },
                  },
              }
            : { enabled: false },
    };
}
