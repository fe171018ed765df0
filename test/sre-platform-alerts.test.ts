// A few platform self-alerts run through promtool: they fire on the failure they name and stay
// silent otherwise.
import * as assert from "node:assert/strict";
import { PROMETHEUS_RULE_TYPE } from "../components/sre/install";
import type { RuleGroup } from "../components/sre/rules";
import { ofType, planVariant } from "./support/program";
import { promtoolTestRules } from "./support/prometheus-tools";

describe("platform self-alerts (promtool)", function () {
    this.timeout(60_000);
    let groups: RuleGroup[];
    before(async () => {
        const plan = await planVariant("prod");
        const rule = ofType(plan, PROMETHEUS_RULE_TYPE).find((r) => r.name === "prod-gke-platform-self-monitoring");
        groups = (rule?.inputs as any).spec.groups as RuleGroup[];
    });

    function check(tests: unknown[]) {
        const r = promtoolTestRules(groups, tests);
        assert.equal(r.status, 0, r.output);
    }

    const labels = (severity: string, extra: Record<string, string>) => ({
        severity,
        cluster: "prod-gke",
        component: "observability-platform",
        ...extra,
    });

    it("warns when a platform volume will fill within 4 days, not for one that is large and steady", () => {
        const gi = 1024 ** 3;
        const pvc = (name: string) => ({ namespace: "logging", persistentvolumeclaim: name });
        const sel = (metric: string, name: string) => `${metric}{namespace="logging",persistentvolumeclaim="${name}"}`;
        check([
            {
                interval: "1m",
                input_series: [
                    // 100Gi, 40Gi free, losing 1Gi per 10 minutes: full in under 7 hours.
                    { series: sel("kubelet_volume_stats_capacity_bytes", "filling"), values: `${100 * gi}x300` },
                    { series: sel("kubelet_volume_stats_available_bytes", "filling"), values: `${40 * gi}-${gi / 10}x300` },
                    // 100Gi with 40Gi free and flat.
                    { series: sel("kubelet_volume_stats_capacity_bytes", "steady"), values: `${100 * gi}x300` },
                    { series: sel("kubelet_volume_stats_available_bytes", "steady"), values: `${40 * gi}x300` },
                ],
                alert_rule_test: [
                    { eval_time: "30m", alertname: "PlatformVolumeFillingUp", exp_alerts: [] },
                    { eval_time: "2h30m", alertname: "PlatformVolumeFillingUp", exp_alerts: [{ exp_labels: labels("warning", pvc("filling")) }] },
                ],
            },
        ]);
    });

    it("pages when Mimir remote write fails, not when it succeeds", () => {
        const job = { job: "kube-prometheus-stack-prometheus", namespace: "monitoring", remote_name: "mimir", url: "http://mimir/api/v1/push" };
        const s = (metric: string) => `${metric}{cluster="prod-gke",job="${job.job}",namespace="${job.namespace}",remote_name="${job.remote_name}",url="${job.url}"}`;
        check([
            {
                interval: "1m",
                input_series: [
                    { series: s("prometheus_remote_storage_samples_total"), values: "0+1000x60" },
                    // Healthy for 20 minutes, then 10% failing.
                    { series: s("prometheus_remote_storage_samples_failed_total"), values: "0x20 100+100x39" },
                ],
                alert_rule_test: [
                    { eval_time: "20m", alertname: "RemoteWriteFailing", exp_alerts: [] },
                    { eval_time: "30m", alertname: "RemoteWriteFailing", exp_alerts: [] },
                    { eval_time: "45m", alertname: "RemoteWriteFailing", exp_alerts: [{ exp_labels: { ...labels("critical", job) } }] },
                ],
            },
        ]);
    });

    it("warns about an Argo CD application out of sync for 30 minutes, not a brief drift", () => {
        const app = (name: string) => `argocd_app_info{cluster="prod-gke",namespace="argocd",name="${name}",project="default",sync_status="OutOfSync",health_status="Healthy"}`;
        check([
            {
                interval: "1m",
                input_series: [
                    { series: app("stuck"), values: "1x60" },
                    { series: app("brief"), values: "1x10 _x50" },
                ],
                alert_rule_test: [
                    { eval_time: "20m", alertname: "ArgoCDApplicationOutOfSync", exp_alerts: [] },
                    {
                        eval_time: "45m",
                        alertname: "ArgoCDApplicationOutOfSync",
                        exp_alerts: [{ exp_labels: { ...labels("warning", {}), namespace: "argocd", name: "stuck", project: "default" } }],
                    },
                ],
            },
        ]);
    });
});
