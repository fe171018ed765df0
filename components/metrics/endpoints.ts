// In-cluster addresses of the kube-prometheus-stack services. The release pins its fullname, so
// these names do not depend on the Helm release name.
import type { Settings } from "../config/schema";

export const KUBE_PROMETHEUS_STACK_FULLNAME = "kube-prometheus-stack";

export function prometheusUrl(settings: Settings): string {
    return `http://${KUBE_PROMETHEUS_STACK_FULLNAME}-prometheus.${settings.namespaces.monitoring}.svc:9090`;
}

export function alertmanagerUrl(settings: Settings): string {
    return `http://${KUBE_PROMETHEUS_STACK_FULLNAME}-alertmanager.${settings.namespaces.monitoring}.svc:9093`;
}
