// Wires one cluster into the fleet: on the hub, the authenticating TLS gateway in front of the stores;
// on a spoke, the credentials its collectors present to that gateway.
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterContext } from "../cluster/context";
import { containerResources } from "../kubernetes/resources";
import type { FleetCredentials } from "./credentials";
import { FLEET_GATEWAY, FLEET_GATEWAY_SECRETS, SPOKE_CREDENTIALS } from "./endpoints";
import { FLEET_GATEWAY_FILES, FLEET_GATEWAY_IMAGE, FLEET_GATEWAY_PORTS, gatewayNginxConfig, userFileLine } from "./gateway";

export interface FleetLink {
    /** Resources this cluster's collectors must wait for (their credential Secrets). */
    readonly collectorsAfter: pulumi.Resource[];
}

export function installFleetLink(ctx: ClusterContext, credentials: FleetCredentials | undefined): FleetLink {
    if (!credentials) return { collectorsAfter: [] };
    return ctx.isHub ? installGateway(ctx, credentials) : installSpokeCredentials(ctx, credentials);
}

function installSpokeCredentials(ctx: ClusterContext, credentials: FleetCredentials): FleetLink {
    const { settings, cluster } = ctx;
    const own = credentials.spokes.get(cluster.name);
    if (!own) throw new Error(`no fleet credentials for spoke ${cluster.name}`);
    const namespaces = [...new Set([settings.namespaces.monitoring, settings.namespaces.logging, settings.namespaces.tracing])];
    const secrets = namespaces.map((ns) =>
        ctx.secret(`${cluster.name}-fleet-credentials-${ns}`, {
            name: SPOKE_CREDENTIALS.secretName,
            namespace: ns,
            type: "Opaque",
            // The provider keeps a Secret's stringData secret in state as a whole.
            stringData: {
                [SPOKE_CREDENTIALS.usernameKey]: own.username,
                [SPOKE_CREDENTIALS.passwordKey]: own.password,
                [SPOKE_CREDENTIALS.caKey]: credentials.caCertPem,
            },
        }),
    );
    return { collectorsAfter: secrets };
}

function installGateway(ctx: ClusterContext, credentials: FleetCredentials): FleetLink {
    const { settings, cluster } = ctx;
    const namespace = ctx.namespaces[settings.namespaces.monitoring].metadata.name;
    const name = FLEET_GATEWAY.name;
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "observability-platform" };

    const userFile = pulumi
        .all([...credentials.spokes.values()].map((c) => c.password.apply((p) => userFileLine(c.username, p))))
        .apply((lines) => `${lines.join("\n")}\n`);
    // nginx reads its user file and certificate at start: a new password or certificate must roll
    // the pods. A SHA-256 of 40 random characters (and of a public certificate) discloses nothing,
    // so the checksum itself is not kept secret.
    const credentialsChecksum = pulumi.unsecret(
        pulumi.all([userFile, credentials.serverCertPem]).apply(([u, c]) => createHash("sha256").update(u).update(c).digest("hex")),
    );
    const users = ctx.secret(`${cluster.name}-fleet-gateway-users`, {
        name: FLEET_GATEWAY_SECRETS.users,
        namespace: settings.namespaces.monitoring,
        type: "Opaque",
        stringData: { htpasswd: userFile },
    });
    const certificate = ctx.secret(`${cluster.name}-fleet-gateway-tls`, {
        name: FLEET_GATEWAY_SECRETS.tls,
        namespace: settings.namespaces.monitoring,
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": credentials.serverCertPem, "tls.key": credentials.serverKeyPem, "ca.crt": credentials.caCertPem },
    });
    const nginxConfig = gatewayNginxConfig(settings);
    const config = new k8s.core.v1.ConfigMap(
        `${cluster.name}-fleet-gateway-config`,
        { metadata: { name: `${name}-config`, namespace }, data: { "nginx.conf": nginxConfig } },
        ctx.opts,
    );

    new k8s.apps.v1.Deployment(
        `${cluster.name}-fleet-gateway`,
        {
            metadata: { name, namespace, labels },
            spec: {
                replicas: settings.fleet.gatewayReplicas,
                selector: { matchLabels: labels },
                template: {
                    metadata: {
                        labels,
                        // A new configuration, password or certificate rolls the pods.
                        annotations: {
                            "checksum/config": createHash("sha256").update(nginxConfig).digest("hex"),
                            "checksum/credentials": credentialsChecksum,
                        },
                    },
                    spec: {
                        automountServiceAccountToken: false,
                        securityContext: { runAsNonRoot: true, runAsUser: 101, fsGroup: 101, seccompProfile: { type: "RuntimeDefault" } },
                        topologySpreadConstraints: [
                            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } },
                        ],
                        containers: [
                            {
                                name: "nginx",
                                image: FLEET_GATEWAY_IMAGE,
                                ports: [
                                    { name: "https", containerPort: FLEET_GATEWAY_PORTS.https },
                                    { name: "otlp-grpc", containerPort: FLEET_GATEWAY_PORTS.otlpGrpc },
                                    { name: "health", containerPort: FLEET_GATEWAY_PORTS.health },
                                ],
                                readinessProbe: { httpGet: { path: "/healthz", port: "health" }, periodSeconds: 10 },
                                livenessProbe: { httpGet: { path: "/healthz", port: "health" }, periodSeconds: 20 },
                                resources: containerResources(settings.resources.fleetGateway),
                                securityContext: {
                                    allowPrivilegeEscalation: false,
                                    readOnlyRootFilesystem: true,
                                    capabilities: { drop: ["ALL"] },
                                },
                                volumeMounts: [
                                    { name: "config", mountPath: FLEET_GATEWAY_FILES.config, subPath: "nginx.conf", readOnly: true },
                                    { name: "users", mountPath: "/etc/nginx/auth", readOnly: true },
                                    { name: "tls", mountPath: "/etc/nginx/tls", readOnly: true },
                                    { name: "tmp", mountPath: "/tmp" },
                                ],
                            },
                        ],
                        volumes: [
                            { name: "config", configMap: { name: config.metadata.name } },
                            { name: "users", secret: { secretName: users.metadata.name } },
                            { name: "tls", secret: { secretName: certificate.metadata.name } },
                            { name: "tmp", emptyDir: {} },
                        ],
                    },
                },
            },
        },
        ctx.opts,
    );
    new k8s.policy.v1.PodDisruptionBudget(
        `${cluster.name}-fleet-gateway`,
        { metadata: { name, namespace }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
        ctx.opts,
    );
    // Internal load balancer: reachable from the VPC (and, with global access, from spokes in other
    // regions), never from the internet. Everything behind it requires a spoke's credentials.
    new k8s.core.v1.Service(
        `${cluster.name}-fleet-gateway`,
        {
            metadata: {
                name,
                namespace,
                labels,
                annotations: {
                    "networking.gke.io/load-balancer-type": "Internal",
                    "networking.gke.io/internal-load-balancer-allow-global-access": "true",
                },
            },
            spec: {
                type: "LoadBalancer",
                ...(settings.fleet.hub.loadBalancerIP ? { loadBalancerIP: settings.fleet.hub.loadBalancerIP } : {}),
                selector: labels,
                ports: [
                    { name: "https", port: FLEET_GATEWAY.httpsPort, targetPort: "https", protocol: "TCP" },
                    { name: "otlp-grpc", port: FLEET_GATEWAY.otlpGrpcPort, targetPort: "otlp-grpc", protocol: "TCP" },
                ],
            },
        },
        ctx.opts,
    );
    return { collectorsAfter: [] };
}
