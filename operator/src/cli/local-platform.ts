// The local platform (`npm start`) reads the platform's services from the same table and contract the
// operator renders pods from (platform/services.ts, platform/env.ts), so the processes it runs get the
// environment a pod gets, with this machine's addresses instead of Secrets:
//
//   local-platform.ts table          one line per service: name http-port grpc-port store
//   local-platform.ts env NAME       the service's environment, one VAR=value per line
//   local-platform.ts web            the web app's service: name http-port
//   local-platform.ts certificates   makes or renews the services' gRPC certificates under INFRA_STATE/pki
//
// env reads the local servers' ports (PG_PORT, AMQP_PORT, MONGO_PORT, MAILPIT_SMTP_PORT, EDGE_PORT) and the state folder
// (INFRA_STATE) from its environment; the local-only secrets are made once per state folder there.
import { SHOP_SERVICES, type ShopService } from '../api/constants.js';
import { localPkiDir, localServiceEnv } from '../platform/local.js';
import { ensureLocalCertificates } from '../platform/local-certificates.js';
import { PLATFORM_SERVICES, WEB_SERVICE } from '../platform/services.js';

function isService(name: string | undefined): name is ShopService {
  return (SHOP_SERVICES as readonly string[]).includes(name ?? '');
}

const [command, name] = process.argv.slice(2);
if (command === 'table') {
  for (const service of SHOP_SERVICES) {
    const { local, store } = PLATFORM_SERVICES[service];
    console.log(`${service} ${local.httpPort} ${local.grpcPort} ${store}`);
  }
} else if (command === 'certificates') {
  const issued = await ensureLocalCertificates(localPkiDir(process.env), SHOP_SERVICES);
  if (issued.length > 0) console.error(`gRPC certificates issued: ${issued.join(', ')}`);
} else if (command === 'web') {
  console.log(`${WEB_SERVICE.name} ${WEB_SERVICE.local.httpPort}`);
} else if (command === 'env' && isService(name)) {
  for (const variable of localServiceEnv(name)) {
    if ('value' in variable) console.log(`${variable.name}=${variable.value}`);
  }
} else {
  console.error('usage: local-platform.ts table | web | env <service> | certificates');
  process.exit(2);
}
