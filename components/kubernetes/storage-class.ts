// The one StorageClass every PersistentVolumeClaim of the platform uses.
import type { Settings } from "../config/schema";

export function storageClassName(settings: Settings): string {
    // The disk type is part of the name: StorageClass parameters are immutable, so a new type is a
    // new class, and volumes already bound to the old one keep working.
    return `observability-${settings.storage.diskType}`;
}

export function storageClassSpec(settings: Settings) {
    return {
        metadata: { name: storageClassName(settings), labels: { "app.kubernetes.io/managed-by": "pulumi" } },
        provisioner: "pd.csi.storage.gke.io",
        parameters: { type: settings.storage.diskType },
        // Bind where the pod is scheduled, so a zonal disk is created in the pod's zone.
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        // Deleting a claim (or a release) must not delete months of metrics with it.
        reclaimPolicy: "Retain",
    };
}
