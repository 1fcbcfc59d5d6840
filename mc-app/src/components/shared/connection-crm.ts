import { useCallback } from 'react';
import { serviceApi } from '../../../../core/src/api/contract';
import { useServiceQuery } from '../../api/hooks';

/**
 * The connection's CRM as the service names it (`GET /api/mappings`' `crm`
 * part), so no page names a CRM itself: a new connector shows up with its
 * own label. `labelOf` gives a connector name's label, or the name for a CRM
 * this connection does not sync to (failures of an earlier set-up).
 */
export function useConnectionCrm() {
  const { data } = useServiceQuery(serviceApi.mappings.get, {});
  const crm = data?.crm;
  const labelOf = useCallback((name: string) => (crm && crm.name === name ? crm.label : name), [crm]);
  return { crm, labelOf };
}
