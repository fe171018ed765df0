// Entry point of `pulumi up`: validate the stack config, build the platform, export what operators need.
import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "./components/config/settings";
import { ObservabilityPlatform } from "./components/platform";

// Fails with every config problem listed before any resource is declared.
const settings = loadSettings();
const platform = new ObservabilityPlatform(`observability-${settings.stack}`, settings);

export const tier = settings.tier;
export const metricsBackend = settings.metricsBackend;
export const buckets = platform.storage.bucketNames;
export const gcpServiceAccounts = platform.storage.serviceAccountEmails;
export const clusters = Object.fromEntries(
    Object.entries(platform.clusters).map(([name, c]) => [
        name,
        { storageClass: c.storageClassName, releases: c.releases },
    ]),
);
// Read with `pulumi stack output grafanaAdminPasswords --show-secrets`.
export const grafanaAdminPasswords = pulumi.secret(
    Object.fromEntries(
        Object.entries(platform.clusters).flatMap(([name, c]) => (c.grafanaAdminPassword ? [[name, c.grafanaAdminPassword]] : [])),
    ),
);
