// A hand-written check of a pod spec against the Pod Security Standards' baseline and restricted
// levels. Weaker fallback: there is no Pod Security Admission here, so this covers only the controls
// the platform's pods could plausibly break (host namespaces, hostPath, privileged, capabilities,
// host ports, seccomp; for restricted also privilege escalation, non-root, dropped capabilities),
// not AppArmor, SELinux, /proc mount, sysctls or the restricted volume-type list beyond hostPath.
import type { PodSecurityLevel } from "../../components/kubernetes/pod-security";

type Spec = Record<string, any>;

/** Capabilities baseline lets a container add (the Pod Security Standards' list). */
const BASELINE_CAPABILITIES = new Set([
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
]);

const containersOf = (pod: Spec): Spec[] => [...(pod.initContainers ?? []), ...(pod.containers ?? []), ...(pod.ephemeralContainers ?? [])];

/** The controls of `level` that a pod spec breaks, one line each; empty when it is admitted. */
export function podSecurityViolations(pod: Spec, level: PodSecurityLevel): string[] {
    if (level === "privileged") return [];
    const out: string[] = [];
    const podContext: Spec = pod.securityContext ?? {};
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[field] === true) out.push(`${field}: true`);
    for (const v of pod.volumes ?? []) if (v.hostPath) out.push(`hostPath volume ${v.name} (${v.hostPath.path})`);
    const seccompOf = (ctx: Spec | undefined): string | undefined => ctx?.seccompProfile?.type;
    if (seccompOf(podContext) === "Unconfined") out.push("pod seccompProfile Unconfined");

    for (const c of containersOf(pod)) {
        const ctx: Spec = c.securityContext ?? {};
        const name = `container ${c.name}`;
        if (ctx.privileged === true) out.push(`${name}: privileged`);
        for (const cap of ctx.capabilities?.add ?? []) if (!BASELINE_CAPABILITIES.has(cap)) out.push(`${name}: adds capability ${cap}`);
        for (const p of c.ports ?? []) if (p.hostPort) out.push(`${name}: hostPort ${p.hostPort}`);
        if (seccompOf(ctx) === "Unconfined") out.push(`${name}: seccompProfile Unconfined`);
        if (level !== "restricted") continue;

        if (ctx.allowPrivilegeEscalation !== false) out.push(`${name}: allowPrivilegeEscalation not false`);
        const nonRoot = ctx.runAsNonRoot ?? podContext.runAsNonRoot;
        if (nonRoot !== true) out.push(`${name}: runAsNonRoot not true`);
        if ((ctx.runAsUser ?? podContext.runAsUser) === 0) out.push(`${name}: runAsUser 0`);
        const seccomp = seccompOf(ctx) ?? seccompOf(podContext);
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") out.push(`${name}: seccompProfile ${seccomp ?? "unset"} (RuntimeDefault or Localhost)`);
        if (!(ctx.capabilities?.drop ?? []).includes("ALL")) out.push(`${name}: does not drop ALL capabilities`);
        for (const cap of ctx.capabilities?.add ?? []) if (cap !== "NET_BIND_SERVICE") out.push(`${name}: adds capability ${cap} (only NET_BIND_SERVICE)`);
    }
    if (level === "restricted" && (podContext.runAsUser === 0)) out.push("pod runAsUser 0");
    return [...new Set(out)];
}
