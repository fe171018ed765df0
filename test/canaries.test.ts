// Canary secrets through every stack shape: no value of a secret key reaches a plan file, a rendered
// manifest or a line the plan prints.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderPlanDir } from "../tools/offline/manifests";
import { planStack, writePlan } from "../tools/offline/plan";
import { PROJECT, stackConfig, type PlanVariant } from "./support/program";

const CANARIES = {
    pagerdutyRoutingKey: "canary-pd-1d9c7e",
    slackWebhookUrls: { "#alerts": "https://hooks.slack.com/services/TCANARY/BCANARY/canaryalerts", "#monitoring": "https://hooks.slack.com/services/TCANARY/BCANARY/canarymonitoring" },
    heartbeatUrl: "https://hc-ping.com/canary-heartbeat-51f0",
};
const VALUES = [CANARIES.pagerdutyRoutingKey, ...Object.values(CANARIES.slackWebhookUrls), CANARIES.heartbeatUrl];

const STACKS: { name: string; stack: string; variant?: PlanVariant }[] = [
    { name: "dev", stack: "dev" },
    { name: "prod", stack: "prod" },
    { name: "prod on Thanos", stack: "prod", variant: { set: { metricsBackend: "thanos" } } },
    {
        name: "a fleet of 3 clusters",
        stack: "prod",
        variant: {
            set: {
                clusters: [
                    { name: "hub-gke", location: "us-central1", role: "hub" },
                    { name: "edge-a", location: "us-east1-b", role: "spoke" },
                    { name: "edge-b", location: "europe-west1", role: "spoke" },
                ],
                fleet: { hub: { host: "fleet.hub.acme-corp.example" } },
            },
        },
    },
];

/** Everything written to stdout and stderr (console included) while `run` runs. */
async function captured(run: () => Promise<void>): Promise<string> {
    let text = "";
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const capture = (chunk: unknown) => {
        text += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
        return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
        await run();
    } finally {
        process.stdout.write = out;
        process.stderr.write = err;
    }
    return text;
}

function filesUnder(dir: string): [string, string][] {
    const out: [string, string][] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
        if (entry.isFile()) out.push([path.join(entry.parentPath, entry.name), fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8")]);
    }
    return out;
}

describe("canary secrets", function () {
    this.timeout(180_000);
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "canaries-"))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    for (const c of STACKS) {
        it(`${c.name}: no secret reaches a plan file, a rendered manifest or a printed line`, async () => {
            const raw = Object.fromEntries(
                Object.entries(CANARIES).map(([k, v]) => [`${PROJECT}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
            );
            const dir = path.join(tmp, c.name.replace(/\W+/g, "-"));
            const printed = await captured(async () => {
                const plan = await planStack(c.stack, { config: stackConfig(c.stack, { ...c.variant, raw }), secretKeys: Object.keys(raw), clusters: c.variant?.clusters });
                writePlan(plan, dir);
                await renderPlanDir(dir);
            });
            const files = filesUnder(dir);
            assert.ok(files.some(([f]) => f.includes(`${path.sep}manifests${path.sep}`)), "manifests were rendered");
            assert.ok(files.some(([f]) => f.endsWith("alertmanager.yaml")), "the Alertmanager file was written");
            for (const value of VALUES) {
                for (const [file, text] of files) assert.ok(!text.includes(value), `${path.relative(dir, file)} holds a secret`);
                assert.ok(!printed.includes(value), "a printed line holds a secret");
            }
        });
    }
});
