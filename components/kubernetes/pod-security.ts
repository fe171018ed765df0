// Pod Security Admission labels of the namespaces the platform creates: each enforces the strictest
// Pod Security Standard its pods meet, and warns and audits at restricted so what keeps a namespace
// below restricted stays visible (test/pod-security.test.ts checks every rendered pod against it).
import type { Settings } from "../config/schema";

export const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** The standards' version the levels are pinned to, so a cluster upgrade cannot tighten them unseen. */
export const POD_SECURITY_VERSION = "v1.35";

type NamespaceRole = keyof Settings["namespaces"];

/**
 * Why each namespace is at its level:
 * - monitoring: node-exporter uses the host's network, PID namespace and root filesystem;
 * - logging: Alloy reads pod logs from hostPath /var/log;
 * - tracing: Tempo and the OpenTelemetry gateway run with the charts' default security contexts
 *   (privilege escalation allowed, capabilities kept, no seccomp profile): baseline;
 * - gitops: Argo CD's pods run as non-root without privilege escalation, dropping every capability
 *   under the runtime's seccomp profile: restricted.
 */
export const NAMESPACE_POD_SECURITY: Readonly<Record<NamespaceRole, PodSecurityLevel>> = {
    monitoring: "privileged",
    logging: "privileged",
    tracing: "baseline",
    gitops: "restricted",
};

/** The most permissive level of the roles sharing one namespace (a stack may map two roles to one). */
export function namespacePodSecurityLevel(settings: Settings, namespace: string): PodSecurityLevel {
    const roles = (Object.keys(settings.namespaces) as NamespaceRole[]).filter((r) => settings.namespaces[r] === namespace);
    if (roles.length === 0) throw new Error(`${namespace} is not a namespace of the platform`);
    return POD_SECURITY_LEVELS[Math.min(...roles.map((r) => POD_SECURITY_LEVELS.indexOf(NAMESPACE_POD_SECURITY[r])))];
}

/** The namespace labels that enforce `level` and warn and audit at restricted. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const [mode, value] of [["enforce", level], ["warn", "restricted"], ["audit", "restricted"]] as const) {
        labels[`pod-security.kubernetes.io/${mode}`] = value;
        labels[`pod-security.kubernetes.io/${mode}-version`] = POD_SECURITY_VERSION;
    }
    return labels;
}
