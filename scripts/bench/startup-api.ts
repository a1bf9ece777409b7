/** Child of the bench (startup.ts): ms per API request over the runner's one connection, then with client-node's own agent per request. Prints "kept fresh". */
import { connect } from '../runbook/kube.ts';

const kube = await connect(process.argv[2]!);
const lib = kube.lib;
const fresh = new lib.CoreV1Api(
  lib.createConfiguration({
    baseServer: new lib.ServerConfiguration(kube.config.getCurrentCluster()!.server, {}),
    authMethods: { default: kube.config },
  }),
);
const per = async (api: typeof kube.core) => {
  await api.readNamespace({ name: 'default' });
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) await api.readNamespace({ name: 'default' });
  return (performance.now() - t0) / 50;
};
console.log(`${(await per(kube.core)).toFixed(2)} ${(await per(fresh)).toFixed(2)}`);
process.exit();
