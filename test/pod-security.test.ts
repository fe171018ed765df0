// Pod Security labels of the platform's namespaces, checked against every pod Helm renders into them.
import * as assert from "node:assert/strict";
import { podSecurityLabels, namespacePodSecurityLevel, type PodSecurityLevel } from "../components/kubernetes/pod-security";
import type { Plan } from "../tools/offline/plan";
import { ofType, planVariant, T } from "./support/program";
import type { RenderedPlan } from "./support/rendered";
import { RENDERED_STACKS, renderedStack } from "./support/rendered-stacks";
import { podSpecOf } from "./support/rendered-checks";
import { podSecurityViolations } from "./support/pod-security";

/** A pod that meets restricted: non-root, no escalation, every capability dropped, RuntimeDefault. */
const restrictedPod = () => ({
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
    volumes: [{ name: "data", emptyDir: {} }],
    containers: [
        {
            name: "app",
            image: "example/app:1.0.0",
            ports: [{ containerPort: 8080 }],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
    ],
});
type Pod = ReturnType<typeof restrictedPod> & Record<string, any>;

describe("Pod Security", function () {
    this.timeout(180_000);

    describe("the hand-written check", () => {
        it("admits a restricted pod at every level", () => {
            for (const level of ["privileged", "baseline", "restricted"] as const) assert.deepEqual(podSecurityViolations(restrictedPod(), level), []);
        });

        // Each breaks one baseline control: refused at baseline and restricted, admitted at privileged.
        const baselineBreaks: [string, (p: Pod) => void, string][] = [
            ["host network", (p) => (p.hostNetwork = true), "hostNetwork: true"],
            ["host PID", (p) => (p.hostPID = true), "hostPID: true"],
            ["host IPC", (p) => (p.hostIPC = true), "hostIPC: true"],
            ["a hostPath volume", (p) => p.volumes.push({ name: "logs", hostPath: { path: "/var/log" } } as any), "hostPath volume logs (/var/log)"],
            ["a privileged container", (p) => ((p.containers[0].securityContext as any).privileged = true), "container app: privileged"],
            ["an added SYS_ADMIN", (p) => ((p.containers[0].securityContext.capabilities as any).add = ["SYS_ADMIN"]), "container app: adds capability SYS_ADMIN"],
            ["a host port", (p) => ((p.containers[0].ports[0] as any).hostPort = 8080), "container app: hostPort 8080"],
            ["an unconfined seccomp profile", (p) => (p.securityContext.seccompProfile.type = "Unconfined"), "pod seccompProfile Unconfined"],
        ];
        for (const [what, breakIt, violation] of baselineBreaks) {
            it(`refuses ${what} at baseline`, () => {
                const pod = restrictedPod() as Pod;
                breakIt(pod);
                assert.deepEqual(podSecurityViolations(pod, "baseline"), [violation]);
                assert.ok(podSecurityViolations(pod, "restricted").includes(violation));
                assert.deepEqual(podSecurityViolations(pod, "privileged"), []);
            });
        }

        // Each breaks one restricted control only: baseline still admits it.
        const restrictedBreaks: [string, (p: Pod) => void, string][] = [
            ["privilege escalation left allowed", (p) => delete (p.containers[0].securityContext as any).allowPrivilegeEscalation, "container app: allowPrivilegeEscalation not false"],
            ["no runAsNonRoot", (p) => delete (p.securityContext as any).runAsNonRoot, "container app: runAsNonRoot not true"],
            ["a container overriding runAsNonRoot", (p) => ((p.containers[0].securityContext as any).runAsNonRoot = false), "container app: runAsNonRoot not true"],
            ["no seccomp profile", (p) => delete (p.securityContext as any).seccompProfile, "container app: seccompProfile unset (RuntimeDefault or Localhost)"],
            ["capabilities kept", (p) => (p.containers[0].securityContext.capabilities.drop = []), "container app: does not drop ALL capabilities"],
            ["an added CHOWN", (p) => ((p.containers[0].securityContext.capabilities as any).add = ["CHOWN"]), "container app: adds capability CHOWN (only NET_BIND_SERVICE)"],
        ];
        for (const [what, breakIt, violation] of restrictedBreaks) {
            it(`refuses ${what} at restricted only`, () => {
                const pod = restrictedPod() as Pod;
                breakIt(pod);
                assert.deepEqual(podSecurityViolations(pod, "restricted"), [violation]);
                assert.deepEqual(podSecurityViolations(pod, "baseline"), []);
            });
        }

        it("refuses root in an init container at restricted", () => {
            const pod = restrictedPod() as Pod;
            pod.initContainers = [{ name: "chown", securityContext: { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }];
            assert.deepEqual(podSecurityViolations(pod, "restricted"), ["container chown: runAsNonRoot not true", "container chown: runAsUser 0"]);
        });
    });

    it("labels a namespace to enforce its level and warn and audit at restricted, pinned to v1.35", () => {
        assert.deepEqual(podSecurityLabels("baseline"), {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": "v1.35",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": "v1.35",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/audit-version": "v1.35",
        });
    });

    it("enforces the most permissive level of the roles sharing one namespace", async () => {
        const plan = await planVariant("dev", { set: { namespaces: { monitoring: "monitoring", logging: "logging", tracing: "apps", gitops: "apps" } } });
        assert.equal(namespacePodSecurityLevel(plan.settings, "apps"), "baseline");
        const apps = ofType(plan, T.namespace).find((n) => (n.inputs as any).metadata.name === "apps")!;
        assert.equal((apps.inputs as any).metadata.labels["pod-security.kubernetes.io/enforce"], "baseline");
    });

    describe("every rendered pod is admitted by its namespace's enforced level", () => {
        const rendered = new Map<string, RenderedPlan>();
        before(async () => {
            for (const key of ["dev", "prod", "thanos"] as const) rendered.set(RENDERED_STACKS[key].name, await renderedStack(key));
        });

        const enforcedLevels = (plan: Plan): Record<string, string> =>
            Object.fromEntries(ofType(plan, T.namespace).map((n) => [(n.inputs as any).metadata.name, (n.inputs as any).metadata.labels["pod-security.kubernetes.io/enforce"]]));

        /** Every rendered pod spec with its namespace (operator-made pods are the CRs' and are listed apart). */
        function podsOf(rp: RenderedPlan) {
            const pods: { where: string; namespace: string; spec: Record<string, any> }[] = [];
            const operatorMade: { where: string; namespace: string }[] = [];
            for (const r of rp.releases) {
                for (const o of r.objects) {
                    const namespace = o.metadata.namespace ?? r.release.namespace;
                    const where = `${r.release.resource}: ${o.kind} ${o.metadata.name}`;
                    const spec = o.kind === "Pod" ? o.spec : podSpecOf(o);
                    if (spec) pods.push({ where, namespace, spec });
                    if (["Prometheus", "Alertmanager", "ThanosRuler", "OpenTelemetryCollector"].includes(o.kind)) operatorMade.push({ where, namespace });
                }
            }
            for (const d of ofType(rp.plan, "kubernetes:apps/v1:Deployment")) {
                const o = d.inputs as any;
                pods.push({ where: `${d.name} (Pulumi)`, namespace: o.metadata.namespace, spec: o.spec.template.spec });
            }
            return { pods, operatorMade };
        }

        for (const name of ["dev", "prod", "prod on Thanos, Loki distributed"]) {
            it(name, () => {
                const rp = rendered.get(name)!;
                const levels = enforcedLevels(rp.plan);
                assert.deepEqual({ ...levels }, { monitoring: "privileged", logging: "privileged", tracing: "baseline", argocd: "restricted" });
                const { pods, operatorMade } = podsOf(rp);
                assert.ok(pods.length > 10);
                // The Redis preset's exporters run in applications' namespaces, whose level the plan
                // does not set: they must pass restricted, so that any level admits them.
                const applications = new Set(rp.plan.settings.redis.map((r) => r.namespace));
                const levelOf = (namespace: string) => levels[namespace] ?? (applications.has(namespace) ? "restricted" : undefined);
                const problems = pods.flatMap((p) =>
                    levelOf(p.namespace) === undefined
                        ? [`${p.where}: in ${p.namespace}, a namespace the plan does not create`]
                        : podSecurityViolations(p.spec, levelOf(p.namespace) as PodSecurityLevel).map((v) => `${p.where} (${p.namespace}, ${levelOf(p.namespace)}): ${v}`),
                );
                assert.deepEqual(problems, []);
                // Pods an operator makes from a CR are not rendered: only a privileged namespace admits them unchecked.
                assert.deepEqual(operatorMade.filter((o) => levels[o.namespace] !== "privileged"), []);

                // And no level is looser than it must be: the next stricter one refuses some pod there.
                const stricter: Record<string, PodSecurityLevel> = { privileged: "baseline", baseline: "restricted" };
                for (const [namespace, level] of Object.entries(levels)) {
                    if (level === "restricted") continue;
                    const refused = pods.filter((p) => p.namespace === namespace && podSecurityViolations(p.spec, stricter[level]).length > 0);
                    assert.ok(refused.length > 0, `${namespace} enforces ${level}, yet all its pods meet ${stricter[level]}`);
                }
            });
        }
    });
});
