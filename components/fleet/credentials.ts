// The fleet's shared secrets, generated once per stack: a CA and the hub gateway's server certificate
// for TLS, and one basic-auth password per spoke. Both sides of a link read the same outputs, so the
// hub's user file and the spoke's Secret always agree; all of it stays a Pulumi secret.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import type { Settings } from "../config/schema";

export interface SpokeCredential {
    readonly username: string;
    readonly password: pulumi.Output<string>;
}

export interface FleetCredentials {
    readonly caCertPem: pulumi.Output<string>;
    readonly serverCertPem: pulumi.Output<string>;
    readonly serverKeyPem: pulumi.Output<string>;
    /** By spoke cluster name. */
    readonly spokes: ReadonlyMap<string, SpokeCredential>;
}

// The CA outlives several server certificates; rotating it means re-distributing it to every spoke.
const CA_VALIDITY_HOURS = 5 * 365 * 24;
/** `pulumi up` replaces the server certificate once it is within this window of expiry. */
const RENEWAL_WINDOW_HOURS = 30 * 24;

/** Generates the fleet's secrets, or returns undefined for a stack without spokes. */
export function fleetCredentials(settings: Settings, parent: pulumi.Resource): FleetCredentials | undefined {
    const spokes = settings.clusters.filter((c) => c.role === "spoke");
    const host = settings.fleet.hub.host;
    if (spokes.length === 0 || host === undefined) return undefined;
    const opts = { parent };

    const caKey = new tls.PrivateKey("fleet-ca-key", { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
    const ca = new tls.SelfSignedCert(
        "fleet-ca",
        {
            privateKeyPem: caKey.privateKeyPem,
            isCaCertificate: true,
            subject: { commonName: `observability fleet CA (${settings.stack})`, organization: "observability-platform" },
            validityPeriodHours: CA_VALIDITY_HOURS,
            allowedUses: ["cert_signing", "crl_signing"],
        },
        opts,
    );
    const serverKey = new tls.PrivateKey("fleet-gateway-key", { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
    const request = new tls.CertRequest(
        "fleet-gateway-csr",
        { privateKeyPem: serverKey.privateKeyPem, subject: { commonName: host }, dnsNames: [host] },
        opts,
    );
    const server = new tls.LocallySignedCert(
        "fleet-gateway-cert",
        {
            certRequestPem: request.certRequestPem,
            caPrivateKeyPem: caKey.privateKeyPem,
            caCertPem: ca.certPem,
            validityPeriodHours: settings.fleet.certificateValidityDays * 24,
            earlyRenewalHours: RENEWAL_WINDOW_HOURS,
            allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
        },
        opts,
    );

    const credentials = new Map<string, SpokeCredential>();
    for (const spoke of spokes) {
        const password = new random.RandomPassword(`fleet-${spoke.name}-password`, { length: 40, special: false }, opts);
        credentials.set(spoke.name, { username: spoke.name, password: pulumi.secret(password.result) });
    }
    return {
        caCertPem: ca.certPem,
        serverCertPem: server.certPem,
        serverKeyPem: pulumi.secret(serverKey.privateKeyPem),
        spokes: credentials,
    };
}
