// Times @cloud-copilot/iam-simulate on the cases in argv[2]; policies are loaded once, outside the timing.
const fs = require('fs');
const path = require('path');
const nodeDir = path.join(__dirname, '..', '.peers', 'node');
const base = path.join(nodeDir, 'node_modules', '@cloud-copilot');
const peerRequire = require('module').createRequire(path.join(nodeDir, 'package.json'));
const { loadPolicy } = peerRequire('@cloud-copilot/iam-policy');
const engine = require(path.join(base, 'iam-simulate', 'dist', 'cjs', 'core_engine', 'CoreSimulatorEngine.js'));
const { AwsRequestImpl } = require(path.join(base, 'iam-simulate', 'dist', 'cjs', 'request', 'request.js'));
const { RequestContextImpl } = require(path.join(base, 'iam-simulate', 'dist', 'cjs', 'requestContext.js'));
const { DiscoveryContextKeyConstraints } = require(
  path.join(base, 'iam-simulate', 'dist', 'cjs', 'context_keys', 'discoveryContextKeyConstraints.js'));

const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const rounds = parseInt(process.argv[3] || '20', 10);
const load = (p, name) => loadPolicy(p, { name });
const levels = (list) => (list || []).map((l) => ({ orgIdentifier: l.orgIdentifier,
  policies: l.policies.map((p, i) => load(p, `${l.orgIdentifier}-${i}`)) }));
const prepared = cases.map((c) => ({
  request: new AwsRequestImpl(c.request.principal, c.request.resource, c.request.action,
    new RequestContextImpl(c.request.context || {})),
  sessionPolicy: c.sessionPolicy ? load(c.sessionPolicy, 'session') : undefined,
  identityPolicies: (c.identityPolicies || []).map((p, i) => load(p, `identity-${i}`)),
  serviceControlPolicies: levels(c.serviceControlPolicies),
  resourceControlPolicies: levels(c.resourceControlPolicies),
  resourcePolicy: c.resourcePolicy ? load(c.resourcePolicy, 'resource') : undefined,
  permissionBoundaries: c.permissionBoundaries && c.permissionBoundaries.length
    ? c.permissionBoundaries.map((p, i) => load(p, `pb-${i}`)) : undefined,
  vpcEndpointPolicies: c.endpointPolicies ? c.endpointPolicies.map((p, i) => load(p, `vpce-${i}`)) : undefined,
  simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
  serviceSettings: { s3: {} },
}));
for (const p of prepared) engine.authorize(p);
const samples = [];
const started = process.hrtime.bigint();
for (let r = 0; r < rounds; r++) {
  for (const p of prepared) {
    const t0 = process.hrtime.bigint();
    engine.authorize(p);
    samples.push(Number(process.hrtime.bigint() - t0));
  }
}
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
samples.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({
  decisions_per_second: samples.length / elapsed,
  p99_ms: samples[Math.floor(samples.length * 0.99)] / 1e6,
  decisions: samples.length,
}));
