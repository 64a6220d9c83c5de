// Which services may call which method: the caller is the service its client certificate names (SAN
// URI spiffe://shopstack/<service>, checked against the CA at the handshake), never a header. Each
// service declares its table once, beside its gRPC handlers; a call from anyone else ends with
// PERMISSION_DENIED before the handler runs, so nothing changes.
import {
  ResponderBuilder,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  ServerListenerBuilder,
  status,
} from '@grpc/grpc-js';
import { serviceOfSubjectAltName } from '../pki/certificates.js';

export interface AccessPolicy {
  /** The services allowed to call this method path; undefined: any service with a certificate of the CA. */
  callersOf(path: string): readonly string[] | undefined;
  onDenied?(caller: string | undefined, path: string): void;
}

/** The identity of the service on the other end of a call, from its verified certificate. */
export function callerOf(call: Pick<ServerInterceptingCallInterface, 'getAuthContext'>): string | undefined {
  return serviceOfSubjectAltName(call.getAuthContext().sslPeerCertificate?.subjectaltname);
}

export function accessInterceptor(policy: AccessPolicy): ServerInterceptor {
  return (method, call) => {
    const allowed = policy.callersOf(method.path);
    const caller = callerOf(call);
    const permitted = caller !== undefined && (allowed === undefined || allowed.includes(caller));
    if (permitted) return new ServerInterceptingCall(call);
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((_metadata, _next) => {
        policy.onDenied?.(caller, method.path);
        call.sendStatus({
          code: status.PERMISSION_DENIED,
          details: `${caller ?? 'a caller without a service identity'} may not call ${method.path}`,
        });
      })
      .build();
    return new ServerInterceptingCall(
      call,
      new ResponderBuilder().withStart((next) => next(listener)).build(),
    );
  };
}
