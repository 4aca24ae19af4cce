/** The entities the simulator serves, with field types as the Swagger document gives them. */
import { COMPANY_TYPES, CONTRACT_STATUSES, CONTRACT_TYPES, PERIOD_TYPES } from './fixture.ts';

export type FieldType = 'integer' | 'long' | 'string' | 'boolean' | 'datetime' | 'double';

export interface EntityDescriptor {
  /** As in the URL and the Swagger paths, e.g. `ContractServiceUnits`. */
  name: string;
  fields: Record<string, FieldType>;
  picklists?: Record<string, Record<number, string>>;
  canQuery: boolean;
  canCreate: boolean;
}

export const ENTITIES: Record<string, EntityDescriptor> = {
  companies: {
    name: 'Companies', canQuery: true, canCreate: false,
    fields: { id: 'long', companyName: 'string', companyNumber: 'string', companyType: 'integer', isActive: 'boolean' },
    picklists: { companyType: COMPANY_TYPES },
  },
  contracts: {
    name: 'Contracts', canQuery: true, canCreate: false,
    fields: { id: 'long', companyID: 'integer', contractName: 'string', contractNumber: 'string', contractType: 'integer', status: 'integer', startDate: 'datetime', endDate: 'datetime', contractPeriodType: 'integer', renewedContractID: 'long', isDefaultContract: 'boolean', lastModifiedDateTime: 'datetime' },
    picklists: { contractType: CONTRACT_TYPES, status: CONTRACT_STATUSES, contractPeriodType: PERIOD_TYPES },
  },
  services: {
    name: 'Services', canQuery: true, canCreate: false,
    fields: { id: 'long', name: 'string', description: 'string', isActive: 'boolean', unitPrice: 'double', unitCost: 'double', periodType: 'integer' },
    picklists: { periodType: PERIOD_TYPES },
  },
  contractservices: {
    name: 'ContractServices', canQuery: true, canCreate: true,
    fields: { id: 'long', contractID: 'integer', serviceID: 'integer', unitPrice: 'double', unitCost: 'double', invoiceDescription: 'string', internalDescription: 'string' },
  },
  contractserviceunits: {
    name: 'ContractServiceUnits', canQuery: true, canCreate: false,
    fields: { id: 'long', contractID: 'integer', contractServiceID: 'integer', serviceID: 'integer', startDate: 'datetime', endDate: 'datetime', units: 'integer', price: 'double', cost: 'double', approveAndPostDate: 'datetime' },
  },
  contractserviceadjustments: {
    name: 'ContractServiceAdjustments', canQuery: false, canCreate: true,
    fields: { id: 'long', contractID: 'integer', contractServiceID: 'integer', serviceID: 'integer', effectiveDate: 'datetime', unitChange: 'integer', adjustedUnitPrice: 'double', adjustedUnitCost: 'double', allowRepeatService: 'boolean', quoteItemID: 'integer' },
  },
};
