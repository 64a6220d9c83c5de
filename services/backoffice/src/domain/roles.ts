// Who may use the back office. The edge already lets only these roles through /api/backoffice; each
// route checks again (defence in depth, and a direct call inside the cluster meets the same rule).

/** Read reports, jobs, anomalies, logs, a customer's view. */
export const BACKOFFICE_READERS = ['admin', 'support'] as const;
/** Request reports, cancel jobs, acknowledge or resolve anomalies, repair data. */
export const BACKOFFICE_WRITERS = ['admin'] as const;
