// A kubeconfig that authenticates the way `gcloud container clusters get-credentials` does today:
// through the gke-gcloud-auth-plugin exec plugin, so no token or key is ever stored in state.
import { stringify } from "yaml";

export interface ClusterAccess {
    /** Context name; also used for the cluster and user entries. */
    name: string;
    /** API server address as GKE reports it (an IP or host name, without scheme). */
    endpoint: string;
    /** Base64-encoded cluster CA certificate. */
    caCertificate: string;
}

export function gkeKubeconfig(access: ClusterAccess): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
            {
                name: access.name,
                cluster: { server: `https://${access.endpoint}`, "certificate-authority-data": access.caCertificate },
            },
        ],
        contexts: [{ name: access.name, context: { cluster: access.name, user: access.name } }],
        "current-context": access.name,
        users: [
            {
                name: access.name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "gke-gcloud-auth-plugin",
                        installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
                        provideClusterInfo: true,
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}
