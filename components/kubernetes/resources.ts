// Kubernetes-shaped fragments shared by the values builders.
import type { ResourceSpec } from "../config/schema";

/** A container `resources` block from a settings entry. */
export function containerResources(spec: ResourceSpec) {
    return {
        requests: { cpu: spec.requests.cpu, memory: spec.requests.memory },
        limits: { ...(spec.limits.cpu ? { cpu: spec.limits.cpu } : {}), memory: spec.limits.memory },
    };
}

/** The spec of a PersistentVolumeClaim on the platform StorageClass. */
export function volumeClaimSpec(storageClassName: string, sizeGi: number) {
    return {
        storageClassName,
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: `${sizeGi}Gi` } },
    };
}
