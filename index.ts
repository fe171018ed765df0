// Entry point of `pulumi up`: validate the stack config, refuse a change that deletes stored data,
// build the platform, export what operators need. An async entrypoint, because the guard awaits the
// last deployment's outputs before any resource is declared; what it returns are the stack outputs.
import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "./components/config/settings";
import { DATA_INVENTORY_OUTPUT, guardStoredData } from "./components/data-loss/guard";
import { ObservabilityPlatform } from "./components/platform";
import { resolvePlatform } from "./components/platform/model";

export = async () => {
    // Fails with every config problem listed before any resource is declared.
    const settings = loadSettings();
    // Where everything runs and how it connects, resolved once.
    const model = resolvePlatform(settings);
    // Fails naming every loss, unless the stack sets allowDataLoss.
    const inventory = await guardStoredData(settings, model);
    const platform = new ObservabilityPlatform(`observability-${settings.stack}`, settings, model);

    return {
        tier: settings.tier,
        metricsBackend: settings.metricsBackend,
        buckets: platform.storage.bucketNames,
        gcpServiceAccounts: platform.storage.serviceAccountEmails,
        clusters: Object.fromEntries(
            Object.entries(platform.clusters).map(([name, c]) => [name, { storageClass: c.storageClassName, releases: c.releases }]),
        ),
        // Read with `pulumi stack output grafanaAdminPasswords --show-secrets`.
        grafanaAdminPasswords: pulumi.secret(
            Object.fromEntries(
                Object.entries(platform.clusters).flatMap(([name, c]) => (c.grafanaAdminPassword ? [[name, c.grafanaAdminPassword]] : [])),
            ),
        ),
        // Plain data, no secrets: what the next deployment compares itself with.
        [DATA_INVENTORY_OUTPUT]: inventory,
    };
};
