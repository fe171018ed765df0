// The platform's policy pack: `pulumi preview --policy-pack policy` (and `pulumi up`) checks every
// resource against it. Mandatory policies stop the update; advisory ones are reported.
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./policies";

new PolicyPack("observability-platform", {
    description: "Private buckets, no broad or long-lived credentials, pinned charts, retained volumes, Grafana and load balancers kept inside, secrets kept secret.",
    policies: [...ALL_POLICIES],
});
