// Internal gRPC is mutual TLS: every server asks for a client certificate from the shop's CA and
// refuses a connection without one at the handshake; every client presents its service's certificate
// and checks the server's against the same CA and the address it dialled. The files are a Kubernetes
// TLS Secret's keys in one directory (GRPC_TLS_DIR: ca.crt, tls.crt, tls.key); they are read again
// every GRPC_TLS_REFRESH_MS, so a rotated certificate is used for new connections without a restart
// (the kubelet swaps a mounted Secret's files atomically). Plaintext only when GRPC_PLAINTEXT=true says
// so (tests of other things, never a pod).
import { join } from 'node:path';
import {
  type ChannelCredentials,
  credentials,
  experimental,
  type ServerCredentials,
  ServerCredentials as ServerCredentialsClass,
} from '@grpc/grpc-js';
import { ConfigError } from '../config.js';
import { type AccessPolicy, accessInterceptor } from './access.js';

/** The file names of a `kubernetes.io/tls` Secret with the CA beside it, as the operator renders it. */
export const TLS_FILES = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;

export type GrpcTransport =
  | { readonly mode: 'plaintext' }
  | {
      readonly mode: 'mtls';
      readonly dir: string;
      /** One file watcher for the server and every client of the process. */
      readonly files: experimental.CertificateProvider;
    };

const providers = new Map<string, experimental.CertificateProvider>();

/** The mutual TLS transport of the identity in `dir` (ca.crt, tls.crt, tls.key). */
export function mtlsTransport(dir: string, refreshIntervalMs = 30_000): GrpcTransport {
  const key = `${dir}\0${refreshIntervalMs}`;
  let files = providers.get(key);
  if (!files) {
    files = new experimental.FileWatcherCertificateProvider({
      caCertificateFile: join(dir, TLS_FILES.ca),
      certificateFile: join(dir, TLS_FILES.cert),
      privateKeyFile: join(dir, TLS_FILES.key),
      refreshIntervalMs,
    });
    providers.set(key, files);
  }
  return { mode: 'mtls', dir, files };
}

export const plaintextTransport: GrpcTransport = { mode: 'plaintext' };

/** The transport the configuration asks for; neither set is a configuration error, not plaintext. */
export function grpcTransportOf(config: {
  GRPC_TLS_DIR?: string | undefined;
  GRPC_TLS_REFRESH_MS?: number;
  GRPC_PLAINTEXT?: boolean;
}): GrpcTransport {
  if (config.GRPC_PLAINTEXT) {
    if (config.GRPC_TLS_DIR)
      throw new ConfigError([{ variable: 'GRPC_PLAINTEXT', message: 'cannot be on with GRPC_TLS_DIR set' }]);
    return plaintextTransport;
  }
  if (!config.GRPC_TLS_DIR)
    throw new ConfigError([
      {
        variable: 'GRPC_TLS_DIR',
        message: 'is required for gRPC (mutual TLS); GRPC_PLAINTEXT=true switches it off explicitly',
      },
    ]);
  return mtlsTransport(config.GRPC_TLS_DIR, config.GRPC_TLS_REFRESH_MS);
}

/**
 * Resolves once the identity's files were read (rejects naming the folder if they cannot be): a server
 * that listened before would fail the first handshakes while the files are still being read.
 */
export function certificatesLoaded(transport: GrpcTransport): Promise<void> {
  if (transport.mode === 'plaintext') return Promise.resolve();
  const { files, dir } = transport;
  const first = (add: 'addIdentityCertificateListener' | 'addCaCertificateListener') =>
    new Promise<void>((resolve, reject) => {
      const remove =
        add === 'addIdentityCertificateListener'
          ? 'removeIdentityCertificateListener'
          : 'removeCaCertificateListener';
      const listener = (update: unknown) => {
        files[remove](listener as never);
        if (update) resolve();
        else
          reject(
            new Error(`cannot read the gRPC identity in ${dir} (${Object.values(TLS_FILES).join(', ')})`),
          );
      };
      files[add](listener as never);
    });
  return Promise.all([first('addIdentityCertificateListener'), first('addCaCertificateListener')]).then(
    () => {},
  );
}

/** A server's credentials: a client certificate from the CA is required, then `policy` per call. */
export function serverCredentialsOf(
  transport: GrpcTransport,
  policy: AccessPolicy | undefined,
): ServerCredentials {
  if (transport.mode === 'plaintext') return ServerCredentialsClass.createInsecure();
  const secure = experimental.createCertificateProviderServerCredentials(
    transport.files,
    transport.files,
    true,
  );
  return policy
    ? experimental.createServerCredentialsWithInterceptors(secure, [accessInterceptor(policy)])
    : secure;
}

/** A client's credentials: its own certificate, and the server's checked against the CA and the address. */
export function channelCredentialsOf(transport: GrpcTransport): ChannelCredentials {
  if (transport.mode === 'plaintext') return credentials.createInsecure();
  return experimental.createCertificateProviderChannelCredentials(transport.files, transport.files);
}
