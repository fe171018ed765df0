// The Kubernetes minor version the platform targets on GKE. Releases are rendered for it (Helm's
// --kube-version) and rendered objects validated against its OpenAPI schema (npm kubernetes-models
// 5.1.0 is generated from Kubernetes 1.35). Raise both together.
export const TARGET_KUBERNETES_VERSION = "1.35.0";
