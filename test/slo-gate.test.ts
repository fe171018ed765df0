// npm run slo:gate against a live Prometheus (Debian's 2.42) holding SLO budget series: a release
// pipeline's step passes with budget left, fails when a budget is spent, and cannot be fooled into
// passing when it cannot tell.
import * as assert from "node:assert/strict";
import { freePort, openMetrics, startPrometheus, type LivePrometheus } from "./support/live-prometheus";
import { runGate, runGateProcess } from "./support/slo-gate";

/** The three Sloth metadata series of one SLO, sampled every minute for the last half hour. */
function sloSeries(service: string, slo: string, remaining: number, budget: number, days: number, now: number) {
    const labels = { service, slo, sloth_id: `${service}-${slo}`, sloth_service: service, sloth_slo: slo };
    const out = [];
    for (let t = now - 30 * 60; t <= now - 30; t += 60) {
        out.push(
            { metric: "slo:period_error_budget_remaining:ratio", labels, at: t, value: remaining },
            { metric: "slo:error_budget:ratio", labels, at: t, value: budget },
            { metric: "slo:time_period:days", labels, at: t, value: days },
        );
    }
    return out;
}

describe("npm run slo:gate (live Prometheus)", function () {
    this.timeout(120_000);
    let prometheus: LivePrometheus;

    before(async () => {
        const now = Math.floor(Date.now() / 1000);
        const samples = [
            // 37.5% of a 99.9% / 30-day budget left: 0.375 x 43.2 = 16.2 minutes of full outage.
            ...sloSeries("healthy-api", "availability", 0.375, 0.001, 30, now),
            // Availability overspent by a fifth of its budget; latency still has 90%.
            ...sloSeries("broken-api", "availability", -0.2, 0.005, 30, now),
            ...sloSeries("broken-api", "latency", 0.9, 0.05, 28, now),
        ].sort((a, b) => a.at - b.at);
        prometheus = await startPrometheus({ openMetrics: openMetrics(samples) });
    });
    after(async () => prometheus?.stop());

    it("passes a service with budget left, saying how much in percent and in minutes (the command in a process of its own)", () => {
        const r = runGateProcess(["--prometheus", prometheus.url, "--service", "healthy-api"]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /^healthy-api availability: 37\.5% of the period's error budget left, 16\.2 minutes of full outage$/m);
    });

    it("fails a service with a spent budget, naming the SLO and the freeze", async () => {
        const r = await runGate(["--prometheus", prometheus.url, "--service", "broken-api"]);
        assert.equal(r.status, 1, r.stdout + r.stderr);
        // A 99.5% / 30-day budget is 216 minutes: a fifth of it overspent is -43.2.
        assert.match(r.stdout, /^broken-api availability: -20\.0% of the period's error budget left, -43\.2 minutes of full outage: SPENT$/m);
        // 0.9 x 5% x 28 days = 1814.4 minutes.
        assert.match(r.stdout, /^broken-api latency: 90\.0% of the period's error budget left, 1814\.4 minutes of full outage$/m);
        assert.match(r.stdout, /releases of broken-api freeze except P0 and security fixes/);
    });

    it("checks one SLO alone with --slo", async () => {
        const r = await runGate(["--prometheus", prometheus.url, "--service", "broken-api", "--slo", "latency"]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.doesNotMatch(r.stdout, /availability/);
    });

    it("cannot tell, and exits 2, for a service without SLO series, an unreachable Prometheus or a bad argument", async () => {
        const unknown = await runGate(["--prometheus", prometheus.url, "--service", "no-such-api"]);
        assert.equal(unknown.status, 2);
        assert.match(unknown.stdout, /No SLO of no-such-api has budget data/);
        const port = await freePort();
        const unreachable = await runGate(["--prometheus", `http://127.0.0.1:${port}`, "--service", "healthy-api"]);
        assert.equal(unreachable.status, 2);
        assert.match(unreachable.stderr, /cannot tell/);
        const injected = await runGate(["--prometheus", prometheus.url, "--service", 'x"} or vector(1) #']);
        assert.equal(injected.status, 2);
        assert.match(injected.stderr, /--service: a service name/);
    });
});
